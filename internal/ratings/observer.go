package ratings

import "time"

// Observer hears about every batch the writer sends to Postgres: how many
// ratings it held, how long it took, and its error (nil when stored). A
// batch that fails and is retried job by job is heard once, then once for
// each job. Calls come from the flushers, so they must be quick.
type Observer interface {
	RatingBatch(ratings int, took time.Duration, err error)
}

// observerBox holds an Observer in an atomic.Pointer.
type observerBox struct{ o Observer }

// SetObserver makes the writer report each batch to o (nil: to none). It
// may be called while the writer runs.
func (w *Writer) SetObserver(o Observer) {
	if o == nil {
		w.observer.Store(nil)
		return
	}
	w.observer.Store(&observerBox{o})
}

// observe reports a batch to the observer, if any.
func (w *Writer) observe(ratings int, took time.Duration, err error) {
	if b := w.observer.Load(); b != nil {
		b.o.RatingBatch(ratings, took, err)
	}
}
