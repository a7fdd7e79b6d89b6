package audit_test

import (
	"context"
	"slices"
	"testing"

	"minyi/internal/audit"
	"minyi/internal/testutil"
)

// A filter by many actors (a role) walks the log with their ids as a set,
// a filter by a few reads each actor's entries; both select the same
// entries in the same order, page by page.
func TestListByManyOrFewActors(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	for i := range 120 {
		actor := audit.Actor{ID: int64(i%60 + 1), Name: "u"}
		action := "unit.update"
		if i%3 == 0 {
			action = "point.create"
		}
		if err := audit.Record(ctx, pool, actor, action, "unit", "1", nil, map[string]any{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(f audit.Filter) []int64 {
		var out []int64
		for {
			list, more, err := audit.List(ctx, pool, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range list {
				if !slices.Contains(f.Actors, *e.ActorID) || (f.Action != "" && e.Action != f.Action) {
					t.Fatalf("entry %+v outside the filter", e)
				}
				out = append(out, e.ID)
			}
			if !more {
				return out
			}
			last := list[len(list)-1]
			f.Older = &audit.Cursor{At: last.At, ID: last.ID}
		}
	}
	many := make([]int64, 0, 50) // actors 1–50: past the per-actor reading
	for i := range 50 {
		many = append(many, int64(i+1))
	}
	for _, action := range []string{"", "point.create"} {
		all := ids(audit.Filter{ByActor: true, Actors: many, Action: action, Limit: 1000})
		paged := ids(audit.Filter{ByActor: true, Actors: many, Action: action, Limit: 7})
		want := 100 // actors 51–60 made 20 of the 120
		if action != "" {
			want = 0
			for i := range 120 {
				if i%3 == 0 && i%60 < 50 {
					want++
				}
			}
		}
		if len(all) != want || !slices.Equal(all, paged) {
			t.Errorf("action %q: %d entries, paged %d, want %d in the same order", action, len(all), len(paged), want)
		}
		few := ids(audit.Filter{ByActor: true, Actors: []int64{3, 4}, Action: action, Limit: 3})
		var wantFew []int64
		for _, id := range all {
			var actor int64
			if err := pool.QueryRow(ctx, `SELECT actor_id FROM audit_log WHERE id = $1`, id).Scan(&actor); err != nil {
				t.Fatal(err)
			}
			if actor == 3 || actor == 4 {
				wantFew = append(wantFew, id)
			}
		}
		if !slices.Equal(few, wantFew) {
			t.Errorf("action %q, two actors: %v, want %v", action, few, wantFew)
		}
	}
}
