package ratings_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// Walking the feed by cursor, older and then newer, visits every rating
// once in the feed's order (rated_at, then id, both descending), ties of
// rated_at included, and says at each end that there is nothing further.
func TestFeedPagesByCursor(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	b := makeUnit(t, pool, "市税务局", 1)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, shanghai)
	var batch []ratings.NewRating
	for i := range 9 {
		f := a
		if i%3 == 0 {
			f = b
		}
		r := f.terminalRating(0, "", "")
		r.Origin = 0
		r.RatedAt = t0.Add(time.Duration(i/2) * time.Minute) // pairs share a rated_at
		batch = append(batch, r)
	}
	if _, err := w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	all, err := ratings.List(ctx, pool, ratings.Filter{Limit: 100})
	if err != nil || len(all.Items) != 9 || all.Total != 9 || !all.TotalExact || all.Older != nil || all.Newer != nil {
		t.Fatalf("one page of all: %d items, total %d exact %v, older %v newer %v, %v",
			len(all.Items), all.Total, all.TotalExact, all.Older, all.Newer, err)
	}
	for i := 1; i < len(all.Items); i++ {
		p, q := all.Items[i-1], all.Items[i]
		if p.RatedAt.Before(q.RatedAt) || p.RatedAt.Equal(q.RatedAt) && p.ID.String() < q.ID.String() {
			t.Fatalf("items %d and %d out of order: %v %v / %v %v", i-1, i, p.RatedAt, p.ID, q.RatedAt, q.ID)
		}
	}
	// Older, two at a time, through a cursor that went through its text form.
	var seen []string
	f := ratings.Filter{Limit: 2}
	var pages []ratings.Page
	for {
		p, err := ratings.List(ctx, pool, f)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 9 || (f.Older == nil) != (p.Newer == nil) {
			t.Fatalf("page %d: total %d, newer %v (cursor %v)", len(pages), p.Total, p.Newer, f.Older)
		}
		pages = append(pages, p)
		for _, r := range p.Items {
			seen = append(seen, r.ID.String())
		}
		if p.Older == nil {
			break
		}
		if f.Older, err = ratings.ParseCursor(p.Older.String()); err != nil {
			t.Fatal(err)
		}
	}
	if len(pages) != 5 || len(seen) != 9 {
		t.Fatalf("%d pages, %d ratings, want 5 and 9", len(pages), len(seen))
	}
	for i, r := range all.Items {
		if seen[i] != r.ID.String() {
			t.Fatalf("rating %d of the walk is %s, want %s", i, seen[i], r.ID)
		}
	}
	// Back: newer from the last page gives the pages before it, the same.
	last := pages[len(pages)-1]
	back := ratings.Filter{Limit: 2, Newer: last.Newer}
	for i := len(pages) - 2; i >= 0; i-- {
		p, err := ratings.List(ctx, pool, back)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != len(pages[i].Items) || p.Items[0].ID != pages[i].Items[0].ID || p.Older == nil {
			t.Fatalf("back to page %d: %d items starting %v, want %d starting %v", i, len(p.Items), p.Items[0].ID,
				len(pages[i].Items), pages[i].Items[0].ID)
		}
		if (i == 0) != (p.Newer == nil) {
			t.Fatalf("back to page %d: newer %v", i, p.Newer)
		}
		back.Newer = p.Newer
	}
	// Filters hold on every page: one unit's ratings only.
	unitPage, err := ratings.List(ctx, pool, ratings.Filter{UnitID: &b.unit.ID, Limit: 2})
	if err != nil || unitPage.Total != 3 || len(unitPage.Items) != 2 || unitPage.Older == nil {
		t.Fatalf("unit b: %+v, %v", unitPage, err)
	}
	rest, err := ratings.List(ctx, pool, ratings.Filter{UnitID: &b.unit.ID, Limit: 2, Older: unitPage.Older})
	if err != nil || len(rest.Items) != 1 || rest.Items[0].UnitID != b.unit.ID || rest.Older != nil {
		t.Fatalf("unit b, second page: %+v, %v", rest, err)
	}
}

// Past CountCap matches the total stops counting and says so; the exact
// count (for scores) still counts them all.
func TestFeedTotalIsCapped(t *testing.T) {
	pool := testutil.DB(t)
	a := makeUnit(t, pool, "市政务服务中心", 0)
	ctx := context.Background()
	_, err := pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
		SELECT gen_random_uuid(), now() - g * interval '1 second', 'qr', $1, 5, 100
		FROM generate_series(1, $2) AS g`, a.unit.ID, ratings.CountCap+5)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ratings.List(ctx, pool, ratings.Filter{Limit: 10})
	if err != nil || p.Total != ratings.CountCap || p.TotalExact || len(p.Items) != 10 {
		t.Fatalf("total %d exact %v with %d items, %v; want %d, not exact", p.Total, p.TotalExact, len(p.Items), err, ratings.CountCap)
	}
	n, exact, estimated, err := ratings.CountCapped(ctx, pool, ratings.Filter{})
	if err != nil || n != ratings.CountCap || exact || estimated {
		t.Fatalf("capped count %d %v %v %v", n, exact, estimated, err)
	}
	if n, err := ratings.Count(ctx, pool, ratings.Filter{}); err != nil || n != ratings.CountCap+5 {
		t.Fatalf("exact count %d, %v; want %d", n, err, ratings.CountCap+5)
	}
	level := 4
	if n, exact, estimated, err := ratings.CountCapped(ctx, pool, ratings.Filter{Level: level}); err != nil || n != 0 || !exact || estimated {
		t.Fatalf("no match: %d %v %v %v", n, exact, estimated, err)
	}
	// A count that would run past its budget gives way to the planner's
	// estimate, marked so, and the page still comes.
	if _, err := pool.Exec(ctx, `ANALYZE ratings`); err != nil {
		t.Fatal(err)
	}
	defer db.SetCountBudget(0, time.Millisecond)()
	p, err = ratings.List(ctx, pool, ratings.Filter{Limit: 10, Channel: ratings.ChannelQR})
	if err != nil || !p.TotalEstimated || p.TotalExact || p.Total < ratings.CountCap/2 || len(p.Items) != 10 {
		t.Fatalf("over budget: total %d exact %v estimated %v, %d items, %v; want an estimate near %d",
			p.Total, p.TotalExact, p.TotalEstimated, len(p.Items), err, ratings.CountCap+5)
	}
	// A first page that holds every match is the total, exact, whatever
	// the count gave way to.
	if _, err := pool.Exec(ctx, `UPDATE ratings SET level = 4 WHERE id IN (SELECT id FROM ratings ORDER BY rated_at LIMIT 3)`); err != nil {
		t.Fatal(err)
	}
	p, err = ratings.List(ctx, pool, ratings.Filter{Limit: 10, Level: 4})
	if err != nil || p.Total != 3 || !p.TotalExact || p.TotalEstimated || len(p.Items) != 3 {
		t.Fatalf("a short first page: total %d exact %v estimated %v, %d items, %v; want 3, exact",
			p.Total, p.TotalExact, p.TotalEstimated, len(p.Items), err)
	}
}

// Deep offsets and malformed cursors are refused with the field named.
func TestFeedRefusesDeepOffsetsAndBadCursors(t *testing.T) {
	pool := testutil.DB(t)
	_, err := ratings.List(context.Background(), pool, ratings.Filter{Offset: ratings.MaxOffset + 1})
	if e := apperr.From(err); e == nil || e.Fields["offset"] == "" {
		t.Fatalf("offset past the maximum: %v", err)
	}
	for _, bad := range []string{"", "x", "bm90IGEgY3Vyc29y", "MTIzLm5vdC1hLXV1aWQ"} {
		if _, err := ratings.ParseCursor(bad); err == nil {
			t.Fatalf("cursor %q parsed", bad)
		}
	}
}

// TestFeedHasMessage: the "has message" filter keeps the ratings with a
// message, for all units and for one (whose condition is written for the
// unit's message index, migration 0087).
func TestFeedHasMessage(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	b := makeUnit(t, pool, "市税务局", 1)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, shanghai)
	var batch []ratings.NewRating
	for i, c := range []string{"排队太久", "", "窗口人员很耐心", "", "材料一次说清"} {
		f := a
		if i == 4 {
			f = b
		}
		r := f.terminalRating(0, "", "")
		r.Origin, r.Comment, r.RatedAt = 0, c, t0.Add(time.Duration(i)*time.Minute)
		batch = append(batch, r)
	}
	if _, err := w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	texts := func(f ratings.Filter) string {
		t.Helper()
		f.HasComment, f.Limit = true, 10
		p, err := ratings.List(ctx, pool, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range p.Items {
			out = append(out, r.Comment)
		}
		return strings.Join(out, "|") + " " + strconv.Itoa(p.Total)
	}
	if got := texts(ratings.Filter{}); got != "材料一次说清|窗口人员很耐心|排队太久 3" {
		t.Errorf("all units: %q", got)
	}
	if got := texts(ratings.Filter{UnitID: &a.unit.ID}); got != "窗口人员很耐心|排队太久 2" {
		t.Errorf("one unit: %q", got)
	}
}
