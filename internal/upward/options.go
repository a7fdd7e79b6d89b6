package upward

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/emmansun/gmsm/sm2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// Options configure upward reporting (UPWARD_* in docs/operations.md).
type Options struct {
	Pool *pgxpool.Pool
	// URL is the provincial platform's endpoint; Key signs every body.
	URL string
	Key *sm2.PrivateKey
	// Platform is the platformCode of every envelope and DataSource the
	// dataSource of every record: codes the province assigns.
	Platform, DataSource string
	// Interval is how often the collection runs; Batch how many records a
	// batch holds at most; Lag how far behind the database's clock (and
	// behind the oldest open transaction) collection stays (collect.go).
	Interval time.Duration
	Batch    int
	Lag      time.Duration
	// Loc is the deployment's time zone, in which times are written.
	Loc    *time.Location
	Client *http.Client
	Log    *slog.Logger
}

// Defaults of Options.
const (
	DefaultInterval = 30 * time.Second
	DefaultBatch    = 500
	DefaultLag      = 30 * time.Second
)

func (o *Options) defaults() {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Lag < 0 {
		o.Lag = 0
	}
	if o.Loc == nil {
		o.Loc = time.Local
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
}

// Register adds the collection and send workers to ws, the river workers
// of the instance's notification worker (notify.Options.Register), so one
// river client works every job kind.
func Register(ws *river.Workers, o Options) error {
	o.defaults()
	if err := river.AddWorkerSafely(ws, &collectWorker{o: o}); err != nil {
		return err
	}
	return river.AddWorkerSafely(ws, &sendWorker{o: o})
}

// PeriodicJobs is the collection every o.Interval (and once at start),
// for notify.Options.PeriodicJobs.
func PeriodicJobs(o Options) []*river.PeriodicJob {
	o.defaults()
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(o.Interval),
		func() (river.JobArgs, *river.InsertOpts) { return CollectArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}
