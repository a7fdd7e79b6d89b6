// Package maintenance runs the hourly upkeep (rating partitions, pruning,
// the daily rollup, sealing surveys…) once per interval for a whole
// deployment, however many instances run, and keeps its outcome in Postgres
// (table maintenance_runs) where every instance can read it for /readyz and
// the metrics.
//
// There is no session-level lock: an instance claims a run by updating the
// single maintenance_runs row (a lease), which works the same through a
// transaction-pooling PgBouncer, and a crashed instance's claim simply
// expires.
package maintenance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"minyi/internal/db"
	"minyi/internal/metrics"
)

// Step is one piece of the maintenance; a failing step does not stop the
// ones after it.
type Step struct {
	Name string
	Run  func(ctx context.Context) error
}

// Runner claims and runs the maintenance.
type Runner struct {
	DB    db.DBTX
	Steps []Step
	// Interval is how often the deployment runs maintenance (one hour).
	Interval time.Duration
	// Retry is how soon after a failed run the next may start.
	Retry time.Duration
	// Instance names this instance in maintenance_runs (host and pid).
	Instance string
	Log      *slog.Logger
	Metrics  *metrics.Metrics
}

// DefaultInterval is how often a deployment runs maintenance.
const DefaultInterval = time.Hour

// DefaultRetry is how soon a failed maintenance is tried again.
const DefaultRetry = 5 * time.Minute

// InstanceName is the host name and process id.
func InstanceName() string {
	h, _ := os.Hostname()
	return h + ":" + strconv.Itoa(os.Getpid())
}

// Loop tries to claim a run at start and then every tick until ctx ends;
// a run happens only when the deployment's last one is Interval old (or
// Retry old, when it failed).
func (r *Runner) Loop(ctx context.Context) {
	tick := min(r.Interval/12, r.Retry)
	tick = max(tick, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.Log.Error("maintenance failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce runs every step when this instance wins the claim, records the
// outcome and reports whether it ran. The error joins every failed step's.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	claimed, err := r.claim(ctx)
	if err != nil || !claimed {
		if err != nil {
			r.Log.Warn("maintenance could not be claimed", "err", err)
		}
		return false, nil
	}
	start := time.Now()
	var errs []error
	for _, s := range r.Steps {
		if err := s.Run(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
		}
	}
	runErr := errors.Join(errs...)
	r.Metrics.MaintenanceRun(time.Since(start), runErr)
	if err := r.finish(context.WithoutCancel(ctx), runErr); err != nil {
		r.Log.Error("maintenance outcome not recorded", "err", err)
	}
	if runErr == nil {
		r.Metrics.MaintenanceLastOK(time.Now())
		r.Log.Info("maintenance done", "took", time.Since(start).Round(time.Millisecond).String())
	}
	return true, runErr
}

func (r *Runner) claim(ctx context.Context) (bool, error) {
	tag, err := r.DB.Exec(ctx, `UPDATE maintenance_runs SET instance = $1, started_at = now(), runs = runs + 1
		WHERE name = 'hourly' AND (started_at IS NULL
			OR (finished_at >= started_at AND started_at <= now() - make_interval(secs => $2))
			OR (finished_at >= started_at AND failed_at >= started_at AND started_at <= now() - make_interval(secs => $3))
			OR started_at <= now() - make_interval(secs => $2 * 2))`,
		r.Instance, r.Interval.Seconds(), r.Retry.Seconds())
	if err != nil {
		return false, db.Err(err)
	}
	return tag.RowsAffected() == 1, nil
}

// maxErrorText keeps a recorded error readable.
const maxErrorText = 2000

func (r *Runner) finish(ctx context.Context, runErr error) error {
	msg := ""
	if runErr != nil {
		msg = strings.ToValidUTF8(runErr.Error(), "?")
		if len(msg) > maxErrorText {
			msg = strings.ToValidUTF8(msg[:maxErrorText], "") + "…"
		}
	}
	_, err := r.DB.Exec(ctx, `UPDATE maintenance_runs SET finished_at = now(), last_error = $2,
			last_ok_at = CASE WHEN $2 = '' THEN now() ELSE last_ok_at END,
			failed_at = CASE WHEN $2 = '' THEN failed_at ELSE now() END,
			failures = failures + CASE WHEN $2 = '' THEN 0 ELSE 1 END
		WHERE name = 'hourly' AND instance = $1`, r.Instance, msg)
	return db.Err(err)
}
