package ratings_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// A rating refused for its case number and the same rating again in the
// same batch (two replays merged by the group commit) must both be
// case_conflict, not the second a "duplicate" of nothing stored.
func TestWriterSameIDTwiceAfterCaseConflict(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	if got := statuses(t, w, a.terminalRating(0, "r-1", "BJ-1")); got[0] != "created" {
		t.Fatal(got)
	}
	got := statuses(t, w, a.terminalRating(0, "r-2", "BJ-1"), a.terminalRating(0, "r-2", "BJ-1"))
	if fmt.Sprint(got) != "[case_conflict case_conflict]" {
		t.Errorf("statuses %v, want [case_conflict case_conflict]", got)
	}
}

// Several flushers writing batches whose keys overlap in different orders
// can deadlock in Postgres (40P01); the writer must write the aborted batch
// again, so every Write succeeds with one stored rating per key.
func TestWriterConcurrentOverlapsManyFlushers(t *testing.T) {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 3, 500, nil, quiet)
	t.Cleanup(w.Close)
	a := makeUnit(t, pool, "市政务服务中心", 2)
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for g := range 12 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			var items []ratings.NewRating
			for _, k := range rng.Perm(40) {
				items = append(items, a.terminalRating(g%2, fmt.Sprintf("k-%d", k), fmt.Sprintf("C-%d", k%20)))
			}
			for len(items) > 0 {
				n := min(len(items), 1+rng.IntN(8))
				if _, err := w.Write(context.Background(), items[:n]); err != nil {
					errs <- err
					return
				}
				items = items[n:]
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("write failed: %v", err)
	}
}
