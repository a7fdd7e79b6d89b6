package ratings_test

import (
	"context"
	"slices"
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
