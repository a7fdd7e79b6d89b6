package feedback_test

import (
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
	"minyi/internal/search"
)

// TestCaseKeywordCountsAndPages: a keyword narrows the case list over
// every unit and over one unit; the total is the matches' count whatever
// the page, pages run newest first, a page past the end still says how
// many there are, and the status filter applies to the matches.
func TestCaseKeywordCountsAndPages(t *testing.T) {
	x := newWorld(t, 2)
	a, b := x.units[0], x.units[1]
	open := func(unit int64, comment, at string) int64 {
		t.Helper()
		id := x.rate(ratings.NewRating{UnitID: unit, Level: 1, Comment: comment})[0]
		var c feedback.Case
		if err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) (err error) {
			c, err = feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{
				Items: []feedback.Ref{{Kind: "rating", ID: id.String()}}}, day(t, at))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	first := open(a, "窗口排队时间太长", "2026-09-01")
	second := open(b, "停车难，排队也长", "2026-09-02")
	third := open(a, "排队叫号乱", "2026-09-03")
	open(b, "工作人员态度差", "2026-09-04")

	list := func(word string, unit *int64, status string, limit, offset int) ([]int64, int) {
		t.Helper()
		k, err := search.Parse(word)
		if err != nil {
			t.Fatal(err)
		}
		cs, total, err := feedback.ListCases(x.ctx, x.pool, feedback.CaseFilter{UnitID: unit, Status: status, Q: k,
			Limit: limit, Offset: offset, SourceCount: true})
		if err != nil {
			t.Fatalf("%s: %v", word, err)
		}
		var ids []int64
		for _, c := range cs {
			if c.SourceCount != 1 {
				t.Errorf("case %d merges %d items, want 1", c.ID, c.SourceCount)
			}
			ids = append(ids, c.ID)
		}
		return ids, total
	}
	same := func(got []int64, want ...int64) bool { return slices.Equal(got, want) }
	if got, n := list("排队", nil, "", 0, 0); n != 3 || !same(got, third, second, first) {
		t.Fatalf("排队 over every unit: %v (%d), want %d %d %d", got, n, third, second, first)
	}
	if got, n := list("排队", nil, "", 1, 1); n != 3 || !same(got, second) {
		t.Fatalf("排队, second page of one: %v (%d)", got, n)
	}
	if got, n := list("排队", nil, "", 2, 3); n != 3 || len(got) != 0 {
		t.Fatalf("排队, past the end: %v (%d)", got, n)
	}
	if got, n := list("排队", &a, "", 1, 0); n != 2 || !same(got, third) {
		t.Fatalf("排队 in unit A: %v (%d)", got, n)
	}
	if got, n := list("排队", nil, "closed", 0, 0); n != 0 || len(got) != 0 {
		t.Fatalf("排队 among closed cases: %v (%d)", got, n)
	}
	if got, n := list("火箭", nil, "", 0, 0); n != 0 || len(got) != 0 {
		t.Fatalf("a word in no case: %v (%d)", got, n)
	}
}
