package server

import (
	"context"
	"sync"
	"time"

	"minyi/internal/audit"
	"minyi/internal/export"
	"minyi/internal/feedback"
	"minyi/internal/figures"
	"minyi/internal/maintenance"
	"minyi/internal/ratings"
	"minyi/internal/selfeval"
	"minyi/internal/surveys"
	"minyi/internal/targets"
	"minyi/internal/users"
	"minyi/internal/windowreq"
)

// maintenanceRunner is the deployment-wide hourly maintenance as this
// instance runs it.
func (s *Server) maintenanceRunner(interval time.Duration) *maintenance.Runner {
	step := func(name string, run func(ctx context.Context) error) maintenance.Step {
		return maintenance.Step{Name: name, Run: run}
	}
	return &maintenance.Runner{
		DB: s.Pool, Interval: interval, Retry: min(maintenance.DefaultRetry, interval), Instance: s.instance,
		Log: s.Log, Metrics: s.Metrics,
		Steps: []maintenance.Step{
			step("ratings", func(ctx context.Context) error {
				return ratings.Maintain(ctx, s.Pool, s.Now(), s.Config.Location, s.Config.TerminalMaxAge)
			}),
			step("sessions", func(ctx context.Context) error {
				_, err := users.DeleteExpiredSessions(ctx, s.Pool)
				return err
			}),
			step("sign-in throttle", func(ctx context.Context) error {
				_, err := users.PruneLoginThrottle(ctx, s.Pool, users.LoginBackoff, s.Now())
				return err
			}),
			step("survey seal", s.sealSurveys),
			step("feedback scan", s.scanFeedback),
			step("feedback auto-acknowledge", s.autoAcknowledge),
			step("survey closing notices", func(ctx context.Context) error {
				_, err := surveys.SendClosingNotices(ctx, s.Pool, s.Now(), s.Config.Location)
				return err
			}),
			step("progress report reminders", func(ctx context.Context) error {
				_, err := targets.SendReportReminders(ctx, s.Pool, s.Now(), s.Config.Location)
				return err
			}),
			step("self-evaluation report reminders", func(ctx context.Context) error {
				_, err := selfeval.SendReminders(ctx, s.Pool, s.Now(), s.Config.Location)
				return err
			}),
			step("case reminders", func(ctx context.Context) error {
				_, err := feedback.SendReminders(ctx, s.Pool, s.Now(), s.Config.Location)
				return err
			}),
			step("expired exports", func(ctx context.Context) error {
				_, err := export.DeleteExpired(ctx, s.Pool, s.Now())
				return err
			}),
			step("audit chain", func(ctx context.Context) error {
				return audit.DailyUpkeep(ctx, s.Pool, s.Now(), s.Config.Location)
			}),
			step("public figures", func(ctx context.Context) error {
				return figures.Refresh(ctx, s.Pool, s.Now(), s.Config.Location)
			}),
			step("review backlog", func(ctx context.Context) error {
				return feedback.RefreshBacklog(ctx, s.Pool, s.Now(), s.Config.Location)
			}),
			// Readers already see a request past its expiry as expired
			// (windowreq.Request.At); this records it.
			step("window requests expiry", func(ctx context.Context) error {
				_, err := windowreq.Expire(ctx, s.Pool, s.Now())
				return err
			}),
			// The SMS invitations (主动邀评) of the expired requests, when
			// the office switched them on.
			step("window requests invitations", func(ctx context.Context) error {
				_, err := windowreq.InviteExpired(ctx, s.Pool, s.SMS, s.Keys, s.Config.PublicBaseURL, s.Now())
				return err
			}),
			// Requests older than windowreq.KeepRequests (their ratings stay).
			step("window requests pruning", func(ctx context.Context) error {
				_, err := windowreq.Prune(ctx, s.Pool, s.Now())
				return err
			}),
		},
	}
}

// RunMaintenance takes part in the deployment's maintenance until ctx ends:
// every instance calls it, and one run happens per interval for all of them.
func (s *Server) RunMaintenance(ctx context.Context, interval time.Duration) {
	s.maintenanceRunner(interval).Loop(ctx)
}

// TodayRollupEvery is how often each instance moves the current day's
// watermark of the daily aggregate: with watermarks a quarter hour apart,
// all-units pages read at most some 30 minutes of ratings live.
const TodayRollupEvery = 5 * time.Minute

// RunTodayRollup moves the current day's watermark of the daily aggregate
// (ratings.RollUpToday) now and every interval until ctx ends. Every
// instance runs it: while one holds the rollup lock the others skip, and a
// watermark already reached costs two small reads.
func (s *Server) RunTodayRollup(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if _, err := ratings.RollUpToday(ctx, s.Pool, s.Now(), s.Config.Location); err != nil && ctx.Err() == nil {
			s.Log.Warn("rolling up today's ratings", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// MaintainOnce runs the maintenance now unless another run is due later
// (see maintenance.Runner.RunOnce); for tests and tools.
func (s *Server) MaintainOnce(ctx context.Context, interval time.Duration) (bool, error) {
	return s.maintenanceRunner(interval).RunOnce(ctx)
}

// maintenanceReadEvery is how often an instance's readiness prober reads
// the deployment's maintenance record; the prober asks twice a second.
const maintenanceReadEvery = 5 * time.Second

// maintenanceProbe caches the last reading of the maintenance record.
type maintenanceProbe struct {
	mu   sync.Mutex
	read time.Time
	last observation
}

// probeMaintenance reports the deployment's maintenance (any instance's
// run) as a readiness component: degraded, with the reason, when the last
// run failed, none succeeded for three hours or one hangs. While the record
// cannot be read (Postgres down, which its own component reports) the last
// finding stands.
func (s *Server) probeMaintenance(ctx context.Context) observation {
	p := &s.maintProbe
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.read.IsZero() && time.Since(p.read) < maintenanceReadEvery {
		return p.last
	}
	st, err := maintenance.ReadStatus(ctx, s.Pool)
	if err != nil {
		if p.read.IsZero() {
			return observation{state: stateOK}
		}
		return p.last
	}
	p.read = time.Now()
	if st.LastOK != nil {
		s.Metrics.MaintenanceLastOK(*st.LastOK)
	}
	if ok, reason := st.Healthy(maintenance.DefaultInterval); !ok {
		p.last = observation{state: stateDegraded, reason: reason}
	} else {
		p.last = observation{state: stateOK}
	}
	return p.last
}

// sealSurveys unlinks newly submitted anonymous respondents from their
// answers (surveys.Seal rewrites both, the answers in random order) and
// vacuums the three tables so the dead row versions that still carry the
// submission's transaction id and order are removed.
func (s *Server) sealSurveys(ctx context.Context) error {
	n, err := surveys.Seal(ctx, s.Pool, s.Now())
	if err != nil || n == 0 {
		return err
	}
	_, err = s.Pool.Exec(ctx, `VACUUM survey_respondents, survey_drafts, survey_responses`)
	return err
}

// scanFeedback runs the suspicious-pattern scan.
func (s *Server) scanFeedback(ctx context.Context) error {
	n, err := feedback.Scan(ctx, s.Pool, s.Keys, s.Config.Location, s.Now())
	if n > 0 {
		s.Log.Info("feedback scan flagged patterns", "flags", n)
	}
	return err
}

// autoAcknowledge applies the office's rule for praise to the review
// queue's default period (feedback.AutoAcknowledge), for at most a minute.
func (s *Server) autoAcknowledge(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	n, err := feedback.AutoAcknowledge(ctx, s.Pool, s.Now())
	if n > 0 {
		s.Log.Info("praise marked read by the office's rule", "items", n)
	}
	if ctx.Err() == context.DeadlineExceeded {
		return nil // the next run goes on
	}
	return err
}
