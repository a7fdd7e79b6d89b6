package ratings_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/testutil"
)

// A keyword's pages, newest first, are the same however its reads are
// bounded (search.Floor: the newest hour holds a page, older pages need
// wider windows): walking them by cursor, or by offset, visits every
// rating holding the keyword once in the feed's order, and only those.
func TestKeywordPagesWalkEveryHitInOrder(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	ctx := context.Background()
	now := time.Now()
	var batch []ratings.NewRating
	var want []string
	for i := range 40 {
		r := a.terminalRating(0, "c"+string(rune('A'+i)), "")
		r.RatedAt = now.Add(-time.Duration(i*i) * 3 * time.Minute) // denser near now, up to three days back
		r.Comment = "窗口排队"
		if i%3 == 0 {
			r.Comment = "服务态度好"
		}
		if i%7 == 0 {
			r.Comment = "状态好，温度适宜" // 态 and 度 apart
		}
		batch = append(batch, r)
	}
	if _, err := w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	k, _ := search.Parse("态度")
	all, err := ratings.List(ctx, pool, ratings.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all.Items {
		if r.Comment == "服务态度好" {
			want = append(want, r.ID.String())
		}
	}
	var seen []string
	f := ratings.Filter{Q: k, Limit: 3}
	for {
		p, err := ratings.List(ctx, pool, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Items {
			seen = append(seen, r.ID.String())
		}
		if p.Older == nil {
			break
		}
		f.Older = p.Older
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("walk by cursor: %d ratings %v\nwant %d %v", len(seen), seen, len(want), want)
	}
	p, err := ratings.List(ctx, pool, ratings.Filter{Q: k, Limit: 4, Offset: 5})
	if err != nil || len(p.Items) != 4 || p.Items[0].ID.String() != want[5] || p.Items[3].ID.String() != want[8] {
		t.Fatalf("page by offset: %d items, %v", len(p.Items), err)
	}
}

// One unit's keyword search finds its own messages only, through the
// messages' gram index, which holds each message's unit (migration 0091):
// the index condition carries the unit's lexeme, so the other units' hits
// never reach the table.
func TestUnitKeywordSearchKeepsToTheUnit(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	b := makeUnit(t, pool, "市公安局", 1)
	ctx := context.Background()
	now := time.Now()
	var batch []ratings.NewRating
	for i, u := range []fixture{a, b, a, b, a} {
		r := u.terminalRating(0, "k"+string(rune('A'+i)), "")
		r.RatedAt = now.Add(-time.Duration(i) * time.Minute)
		r.Comment = "服务态度好"
		batch = append(batch, r)
	}
	if _, err := w.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"态度", "态"} {
		k, _ := search.Parse(q)
		for _, u := range []fixture{a, b} {
			p, err := ratings.List(ctx, pool, ratings.Filter{UnitID: &u.unit.ID, Q: k, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]int{a.unit.ID: 3, b.unit.ID: 2}[u.unit.ID]
			if len(p.Items) != want {
				t.Fatalf("unit %d, keyword %s: %d hits, want %d", u.unit.ID, q, len(p.Items), want)
			}
			for _, r := range p.Items {
				if r.UnitID != u.unit.ID {
					t.Fatalf("unit %d, keyword %s: a rating of unit %d", u.unit.ID, q, r.UnitID)
				}
			}
		}
	}
	// The plan, with the table scan ruled out as on a province's data:
	// the gram index answers the unit's lexeme itself.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var plan string
	k, _ := search.Parse("态度")
	var args []any
	cond := k.RatingCond("r", &a.unit.ID, func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	})
	if _, err = tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err == nil {
		err = tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT r.id FROM ratings r WHERE `+cond, args...).Scan(&plan)
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := `"Index Cond": "(minyi_rating_grams(unit_id, comment) @@ '''\u0001` + strconv.FormatInt(a.unit.ID, 10) + `''`; !strings.Contains(plan, want) {
		t.Fatalf("plan of a unit's keyword does not ask the gram index for the unit: %s", plan)
	}
}
