package maintenance

import (
	"context"
	"fmt"
	"time"

	"minyi/internal/db"
)

// Status is the deployment's maintenance record.
type Status struct {
	Instance   string
	StartedAt  *time.Time
	FinishedAt *time.Time
	LastOK     *time.Time
	FailedAt   *time.Time
	LastError  string
	Runs       int64
	Failures   int64
	// Now is the database's clock when the status was read.
	Now time.Time
}

// ReadStatus reads the record.
func ReadStatus(ctx context.Context, q db.DBTX) (Status, error) {
	var s Status
	err := q.QueryRow(ctx, `SELECT instance, started_at, finished_at, last_ok_at, failed_at, last_error, runs, failures, now()
		FROM maintenance_runs WHERE name = 'hourly'`).Scan(&s.Instance, &s.StartedAt, &s.FinishedAt, &s.LastOK,
		&s.FailedAt, &s.LastError, &s.Runs, &s.Failures, &s.Now)
	return s, db.Err(err)
}

// Healthy says whether maintenance is doing its job for a deployment that
// runs it every interval, and why not: the last run failed, no run has
// succeeded for three intervals, or a run has been going for two.
func (s Status) Healthy(interval time.Duration) (bool, string) {
	stamp := func(t *time.Time) string { return t.UTC().Format(time.RFC3339) }
	running := s.StartedAt != nil && (s.FinishedAt == nil || s.FinishedAt.Before(*s.StartedAt))
	switch {
	case s.FailedAt != nil && s.LastError != "" && (s.LastOK == nil || s.FailedAt.After(*s.LastOK)):
		return false, fmt.Sprintf("maintenance failed at %s: %s", stamp(s.FailedAt), s.LastError)
	case running && s.Now.Sub(*s.StartedAt) > 2*interval:
		return false, fmt.Sprintf("maintenance started at %s by %s has not finished", stamp(s.StartedAt), s.Instance)
	case s.LastOK != nil && s.Now.Sub(*s.LastOK) > 3*interval:
		return false, fmt.Sprintf("maintenance has not succeeded since %s", stamp(s.LastOK))
	case s.LastOK == nil && s.StartedAt != nil && s.Now.Sub(*s.StartedAt) > 2*interval:
		return false, "maintenance has never succeeded"
	}
	return true, ""
}
