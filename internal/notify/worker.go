package notify

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// DeliverArgs is the river job that delivers one notification: enqueued
// in the transaction that records it, so it exists exactly when the
// notification does. It plans the notification's deliveries (one row per
// channel and account, see plan) and enqueues one SendArgs job for each.
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

// InsertTx enqueues another package's job (internal/upward) in tx, the
// transaction of the change that calls for it, through the same
// insert-only client: the job exists exactly when the change does.
func InsertTx(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	client, err := inserter()
	if err != nil {
		return fmt.Errorf("notify: river client: %w", err)
	}
	if _, err := client.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("notify: enqueue %s: %w", args.Kind(), db.Err(err))
	}
	return nil
}

// enqueueSends adds one SendArgs job per delivery id in tx.
func enqueueSends(ctx context.Context, tx pgx.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	client, err := inserter()
	if err != nil {
		return fmt.Errorf("notify: river client: %w", err)
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: SendArgs{DeliveryID: id}}
	}
	if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("notify: enqueue sends: %w", db.Err(err))
	}
	return nil
}

// deliverWorker plans a notification's deliveries.
type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	pool     *pgxpool.Pool
	channels []string
}

// Work creates the notification's delivery rows and their send jobs in one
// transaction and marks the notification delivered (handed to its
// channels). Run again (a retry after a crash), it creates nothing twice.
func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return db.Tx(ctx, w.pool, func(tx pgx.Tx) error {
		now := time.Now()
		ids, err := plan(ctx, tx, job.Args.NotificationID, w.channels, now)
		if err != nil {
			return err
		}
		if err := enqueueSends(ctx, tx, ids); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET state = 'delivered', delivered_at = $2
			WHERE id = $1 AND state = 'pending'`, job.Args.NotificationID, now)
		return db.Err(err)
	})
}

// Options configure a Worker.
type Options struct {
	// Workers is how many jobs run at once (default 4).
	Workers int
	Log     *slog.Logger
	// Senders are the configured outbound channels by name
	// (channels.Config.Senders); a channel without one gets no deliveries.
	Senders map[string]channels.Sender
	// BaseURL is PUBLIC_BASE_URL: links in messages are absolute.
	BaseURL string
	// RetryPolicy overrides river's back-off (tests shorten it).
	RetryPolicy river.ClientRetryPolicy
	// PollInterval is how often the worker looks for jobs (default 1s).
	PollInterval time.Duration
	// Keys open the units' 钉钉 secrets (SECRET_KEY); RobotHosts are the
	// hosts a unit's own robot may be on (NOTIFY_ROBOT_HOSTS; the zero
	// value allows the public 企业微信 and 钉钉 hosts only).
	Keys       *secure.Keys
	RobotHosts channels.RobotHosts
	// Register adds other packages' jobs (internal/citizensms) to this
	// client, so one river client per instance works every job kind.
	Register func(*river.Workers) error
	// PeriodicJobs are other packages' jobs run at intervals (the upward
	// reporting's collection, internal/upward); river's elected leader
	// instance enqueues them, so one runs per interval for the deployment.
	PeriodicJobs []*river.PeriodicJob
}

// Worker runs the delivery jobs of this instance. Several instances may
// run one each: river hands every job to one of them.
type Worker struct {
	client *river.Client[pgx.Tx]
}

// NewWorker builds the worker on pool. It polls for jobs rather than
// LISTENing, so it works through a transaction-pooling PgBouncer too
// (docs/operations.md).
func NewWorker(pool *pgxpool.Pool, o Options) (*Worker, error) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	var names []string
	for name := range o.Senders {
		names = append(names, name)
	}
	ws := river.NewWorkers()
	if err := river.AddWorkerSafely(ws, &deliverWorker{pool: pool, channels: names}); err != nil {
		return nil, err
	}
	sw := &sendWorker{pool: pool, senders: o.Senders, baseURL: strings.TrimRight(o.BaseURL, "/"), keys: o.Keys,
		robotHosts: o.RobotHosts}
	if err := river.AddWorkerSafely(ws, sw); err != nil {
		return nil, err
	}
	if o.Register != nil {
		if err := o.Register(ws); err != nil {
			return nil, err
		}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:           ws,
		Logger:            o.Log,
		PollOnly:          true,
		RetryPolicy:       o.RetryPolicy,
		FetchPollInterval: o.PollInterval,
		PeriodicJobs:      o.PeriodicJobs,
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
