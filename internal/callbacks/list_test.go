package callbacks_test

import (
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/callbacks"
	"minyi/internal/search"
)

// checkCallbackStates checks the list's states once case called has calls
// and case waiting has none.
func checkCallbackStates(t *testing.T, x *world, called, waiting int64) {
	t.Helper()
	var q search.Keyword
	ids := func(state string, limit, offset int) ([]int64, int) {
		list, total, err := callbacks.ListCallbackCases(x.ctx, x.pool, callbacks.ListFilter{State: state, Today: "2026-06-15",
			Q: q, Limit: limit, Offset: offset})
		if err != nil {
			t.Fatalf("state %q: %v", state, err)
		}
		var out []int64
		for _, k := range list {
			out = append(out, k.ID)
		}
		return out, total
	}
	if got, n := ids(callbacks.StatePending, 0, 0); n != 1 || len(got) != 1 || got[0] != waiting {
		t.Fatalf("待回访 %v (%d), want only %d", got, n, waiting)
	}
	if got, n := ids(callbacks.StateCalled, 0, 0); n != 1 || len(got) != 1 || got[0] != called {
		t.Fatalf("已回访 %v (%d), want only %d", got, n, called)
	}
	// All, newest first, a page of one at a time.
	first, n := ids(callbacks.StateAll, 1, 0)
	second, _ := ids(callbacks.StateAll, 1, 1)
	past, _ := ids(callbacks.StateAll, 1, 2)
	if n != 2 || len(first) != 1 || len(second) != 1 || first[0] != waiting || second[0] != called || len(past) != 0 {
		t.Fatalf("全部 pages %v %v %v (%d)", first, second, past, n)
	}
	// A keyword of the call's notes: only the called case, counted and
	// paged alike; a page past the end still says how many there are.
	q, _ = search.Parse("满意")
	if got, n := ids(callbacks.StateAll, 1, 0); n != 1 || len(got) != 1 || got[0] != called {
		t.Fatalf("全部 with 满意: %v (%d), want only %d", got, n, called)
	}
	if got, n := ids(callbacks.StateAll, 1, 1); n != 1 || len(got) != 0 {
		t.Fatalf("全部 with 满意, past the end: %v (%d)", got, n)
	}
	if got, n := ids(callbacks.StatePending, 0, 0); n != 0 || len(got) != 0 {
		t.Fatalf("待回访 with 满意: %v (%d), want none", got, n)
	}
	q, _ = search.Parse("火箭")
	if got, n := ids(callbacks.StateAll, 0, 0); n != 0 || len(got) != 0 {
		t.Fatalf("全部 with a word in no text: %v (%d)", got, n)
	}
	q = search.Keyword{}
	if _, err := callbacks.ParseState("done"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown state: %v", err)
	}
	if st, err := callbacks.ParseState(""); err != nil || st != callbacks.StatePending {
		t.Fatalf("default state %q %v", st, err)
	}
}
