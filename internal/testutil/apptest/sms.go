package apptest

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"minyi/internal/channels"
	"minyi/internal/citizensms"
	"minyi/internal/notify"
)

// QuickRetry retries a failed job at once, instead of river's back-off.
type QuickRetry struct{}

// NextRetry is 10 ms from now.
func (QuickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

// StartSMSWorker runs the app's notification worker with the citizen SMS
// send job on now's clock, until the test ends.
func StartSMSWorker(t *testing.T, app *App, now func() time.Time) *notify.Worker {
	t.Helper()
	w, err := notify.NewWorker(app.Pool, notify.Options{Workers: 2, Senders: app.Senders, BaseURL: app.URL,
		RetryPolicy: QuickRetry{}, PollInterval: 100 * time.Millisecond,
		Register: func(ws *river.Workers) error {
			return citizensms.Register(ws, citizensms.WorkerOptions{Pool: app.Pool, Sender: app.Senders[channels.SMS],
				Service: *app.SMS, Now: now})
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = w.Stop(ctx)
	})
	return w
}
