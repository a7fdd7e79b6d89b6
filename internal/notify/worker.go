package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"minyi/internal/db"
)

// DeliverArgs is the river job that delivers one notification: enqueued
// in the transaction that records it, so it exists exactly when the
// notification does.
type DeliverArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job in river_job.
func (DeliverArgs) Kind() string { return "notification_deliver" }

// inserter is the insert-only river client: it needs no pool, since every
// insert goes through the caller's transaction (InsertTx).
var inserter = sync.OnceValues(func() (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(nil), &river.Config{})
})

// enqueue adds the delivery job of notification id in tx.
func enqueue(ctx context.Context, tx pgx.Tx, id int64) error {
	client, err := inserter()
	if err != nil {
		return fmt.Errorf("notify: river client: %w", err)
	}
	if _, err := client.InsertTx(ctx, tx, DeliverArgs{NotificationID: id}, nil); err != nil {
		return fmt.Errorf("notify: enqueue delivery of %d: %w", id, db.Err(err))
	}
	return nil
}

// deliverWorker delivers a notification on every channel it has. The one
// channel today is the product's own inbox, written with the notification
// itself, so delivering records the notification delivered; the outbound
// channels of issue 14 (e-mail, webhook, group robots, SMS) each become one
// more step here, with river's retries and back-off.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	pool *pgxpool.Pool
}

// Work marks the notification delivered; a notification delivered before
// (a job retried after a crash) stays as it was.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	_, err := w.pool.Exec(ctx, `UPDATE notifications SET state = 'delivered', delivered_at = $2
		WHERE id = $1 AND state = 'pending'`, job.Args.NotificationID, time.Now())
	return db.Err(err)
}

// Worker runs the delivery jobs of this instance. Several instances may
// run one each: river hands every job to one of them.
type Worker struct {
	client *river.Client[pgx.Tx]
}

// NewWorker builds the worker on pool with up to workers deliveries at
// once. It polls for jobs rather than LISTENing, so it works through a
// transaction-pooling PgBouncer too (docs/operations.md).
func NewWorker(pool *pgxpool.Pool, workers int, log *slog.Logger) (*Worker, error) {
	ws := river.NewWorkers()
	if err := river.AddWorkerSafely(ws, &deliverWorker{pool: pool}); err != nil {
		return nil, err
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:   map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		Workers:  ws,
		Logger:   log,
		PollOnly: true,
	})
	if err != nil {
		return nil, err
	}
	return &Worker{client: client}, nil
}

// Start starts working jobs until Stop; ctx bounds only the start.
func (w *Worker) Start(ctx context.Context) error { return w.client.Start(ctx) }

// Stop waits for the jobs in hand to finish, up to ctx's deadline, then
// stops; a job cut off is worked again later.
func (w *Worker) Stop(ctx context.Context) error { return w.client.Stop(ctx) }

// Completed returns a channel of the jobs this worker completes and a
// function to stop listening, for tests that wait for a delivery.
func (w *Worker) Completed() (<-chan *river.Event, func()) {
	return w.client.Subscribe(river.EventKindJobCompleted)
}
