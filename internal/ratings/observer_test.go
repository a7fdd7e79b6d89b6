package ratings_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// batches is an Observer that remembers every batch.
type batches struct {
	mu    sync.Mutex
	sizes []int
	took  []time.Duration
	errs  []error
}

func (b *batches) RatingBatch(n int, took time.Duration, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sizes = append(b.sizes, n)
	b.took = append(b.took, took)
	b.errs = append(b.errs, err)
}

// The observer hears each batch the writer sends: its ratings, and its
// error when it fails.
func TestWriterObserverHearsBatches(t *testing.T) {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, nil, quiet)
	t.Cleanup(w.Close)
	b := &batches{}
	w.SetObserver(b)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	statuses(t, w, a.terminalRating(0, "o-1", ""), a.terminalRating(0, "o-2", ""), a.terminalRating(0, "o-3", ""))
	bad := a.terminalRating(0, "o-4", "")
	bad.Level = 9 // out of range: Postgres refuses the batch
	if _, err := w.Write(context.Background(), []ratings.NewRating{bad}); err == nil {
		t.Fatal("a rating of level 9 was stored")
	}
	w.SetObserver(nil)
	statuses(t, w, a.terminalRating(0, "o-5", ""))

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.sizes) != 2 || b.sizes[0] != 3 || b.errs[0] != nil || b.sizes[1] != 1 || b.errs[1] == nil {
		t.Fatalf("heard batches %v with errors %v, want 3 stored, then 1 failed, then none", b.sizes, b.errs)
	}
	if b.took[0] <= 0 || b.took[1] <= 0 {
		t.Errorf("batches heard taking %v", b.took)
	}
}
