package feedback_test

import (
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
)

// Paging the queue by cursor interleaves ratings and survey opinions in
// one order (newest first; an opinion at the start of its day), visits
// every item once older-wards and the same pages newer-wards, and keeps
// to the review status across pages.
func TestQueuePagesByCursorAcrossBothKinds(t *testing.T) {
	x := newWorld(t, 1)
	u := x.units[0]
	today := time.Date(x.now.In(shanghai).Year(), x.now.In(shanghai).Month(), x.now.In(shanghai).Day(), 0, 0, 0, 0, shanghai)
	var want []string // newest first
	for d := 1; d <= 4; d++ {
		day := today.AddDate(0, 0, -d)
		// Two ratings in the day (one at the very second an opinion of
		// the day is placed, so ties of time are ordered by id), then the
		// day's opinion.
		r := x.rate(ratings.NewRating{UnitID: u, Level: 1, RatedAt: day.Add(9 * time.Hour)},
			ratings.NewRating{UnitID: u, Level: 2, Comment: "慢", RatedAt: day})
		var id string
		err := x.pool.QueryRow(x.ctx, `INSERT INTO survey_responses (survey_id, unit_id, group_key, source, level, opinion, submitted_on)
			SELECT id, $1, 'service_users', 'invitation', 2, '窗口少', $2 FROM surveys LIMIT 1 RETURNING id::text`,
			u, day.Format(time.DateOnly)).Scan(&id)
		if err == pgx.ErrNoRows {
			id = x.response(u, 2, "窗口少")
			if _, err = x.pool.Exec(x.ctx, `UPDATE survey_responses SET submitted_on = $2 WHERE id = $1`, id, day.Format(time.DateOnly)); err != nil {
				t.Fatal(err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		pair := []string{r[1].String(), id}
		if pair[1] > pair[0] {
			pair[0], pair[1] = pair[1], pair[0]
		}
		want = append(want, r[0].String())
		want = append(want, pair...)
	}
	f := feedback.Filter{From: today.AddDate(0, 0, -10), To: x.now.Add(time.Hour), Limit: 4}
	var got []string
	var pages []feedback.QueuePage
	for {
		p, err := feedback.Queue(x.ctx, x.pool, shanghai, f)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total.N != len(want) || !p.Total.Exact {
			t.Fatalf("total %+v, want %d exact", p.Total, len(want))
		}
		if len(pages) > 0 && p.Newer == nil {
			t.Fatalf("page %d has no way back", len(pages)+1)
		}
		pages = append(pages, p)
		for _, it := range p.Items {
			got = append(got, it.ID)
		}
		if p.Older == nil {
			break
		}
		f.Older = p.Older
	}
	if !slices.Equal(got, want) {
		t.Fatalf("older-wards:\n got %v\nwant %v", got, want)
	}
	if len(pages) != 3 {
		t.Fatalf("%d pages of 4 for %d items", len(pages), len(want))
	}
	// Back from the last page: the same pages, in the same order.
	f.Older, f.Newer = nil, pages[len(pages)-1].Newer
	for i := len(pages) - 2; i >= 0; i-- {
		p, err := feedback.Queue(x.ctx, x.pool, shanghai, f)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(itemIDs(p.Items), itemIDs(pages[i].Items)) || p.Older == nil {
			t.Fatalf("newer-wards page %d: %v, want %v", i+1, itemIDs(p.Items), itemIDs(pages[i].Items))
		}
		if (p.Newer == nil) != (i == 0) {
			t.Fatalf("newer-wards page %d: newer cursor %v", i+1, p.Newer)
		}
		f.Newer = p.Newer
	}

	// An export walks the same order in batches of any size, and sizes
	// the walk.
	var batched []string
	var after *ratings.Cursor
	for {
		items, last, err := feedback.QueueBatch(x.ctx, x.pool, shanghai, feedback.Filter{From: f.From, To: f.To, Limit: 4}, after, 5)
		if err != nil {
			t.Fatal(err)
		}
		batched = append(batched, itemIDs(items)...)
		if len(items) < 5 {
			break
		}
		after = last
	}
	if !slices.Equal(batched, want) {
		t.Fatalf("batches of 5:\n got %v\nwant %v", batched, want)
	}
	if n, err := feedback.QueueSize(x.ctx, x.pool, shanghai, feedback.Filter{From: f.From, To: f.To}); err != nil || n != len(want) {
		t.Fatalf("size %d %v, want %d", n, err, len(want))
	}

	// Decide every other item: the pending and the decided walks split them.
	var decided []string
	for i, id := range want {
		if i%2 == 1 {
			continue
		}
		kind := feedback.KindRating
		if _, err := feedback.FindItem(x.ctx, x.pool, shanghai, kind, id); apperr.Is(err, apperr.NotFound) {
			kind = feedback.KindResponse
		}
		x.tx(func(tx pgx.Tx) error {
			_, err := feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{Kind: kind, ID: id, Version: 0, Reason: "mistaken"}, x.now)
			return err
		})
		decided = append(decided, id)
	}
	base := feedback.Filter{From: f.From, To: f.To}
	base.Status = "decided"
	if d := itemIDs(x.queue(base)); !slices.Equal(d, decided) {
		t.Fatalf("decided: %v, want %v", d, decided)
	}
	base.Status = "pending"
	if p := itemIDs(x.queue(base)); len(p) != len(want)-len(decided) || slices.ContainsFunc(p, func(id string) bool { return slices.Contains(decided, id) }) {
		t.Fatalf("pending: %v (decided %v)", p, decided)
	}

	// Old API clients page by offset, up to a limit; cursors and offsets
	// do not mix.
	p, err := feedback.Queue(x.ctx, x.pool, shanghai, feedback.Filter{From: f.From, To: f.To, Limit: 4, Offset: 4})
	if err != nil || !slices.Equal(itemIDs(p.Items), want[4:8]) || p.Newer == nil || p.Older == nil {
		t.Fatalf("offset 4: %v %v", itemIDs(p.Items), err)
	}
	for _, bad := range []feedback.Filter{
		{From: f.From, To: f.To, Offset: ratings.MaxOffset + 1},
		{From: f.From, To: f.To, Offset: 4, Older: pages[0].Older},
		{From: f.From, To: f.To, Older: pages[0].Older, Newer: pages[1].Newer},
	} {
		if _, err := feedback.Queue(x.ctx, x.pool, shanghai, bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%+v: %v, want invalid", bad, err)
		}
	}
}

func itemIDs(items []feedback.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}
