package maintenance_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/maintenance"
	"minyi/internal/metrics"
	"minyi/internal/testutil"
)

func runner(pool *pgxpool.Pool, name string, runs *atomic.Int64, fail func() error) *maintenance.Runner {
	return &maintenance.Runner{DB: pool, Interval: time.Hour, Retry: 5 * time.Minute, Instance: name,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(),
		Steps: []maintenance.Step{
			{Name: "count", Run: func(context.Context) error { runs.Add(1); return nil }},
			{Name: "flaky", Run: func(context.Context) error { return fail() }},
		}}
}

// age moves the recorded run back in time, as if d had passed.
func age(t *testing.T, pool *pgxpool.Pool, d time.Duration) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `UPDATE maintenance_runs SET started_at = started_at - make_interval(secs => $1),
		finished_at = finished_at - make_interval(secs => $1), last_ok_at = last_ok_at - make_interval(secs => $1),
		failed_at = failed_at - make_interval(secs => $1)`, d.Seconds())
	if err != nil {
		t.Fatal(err)
	}
}

func status(t *testing.T, pool *pgxpool.Pool) maintenance.Status {
	t.Helper()
	st, err := maintenance.ReadStatus(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestOneRunPerIntervalForTheWholeDeployment(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	var runs atomic.Int64
	ok := func() error { return nil }
	a, b := runner(pool, "a", &runs, ok), runner(pool, "b", &runs, ok)
	if ran, err := a.RunOnce(ctx); !ran || err != nil {
		t.Fatalf("first run: ran %v, %v", ran, err)
	}
	for _, r := range []*maintenance.Runner{b, a} {
		if ran, _ := r.RunOnce(ctx); ran {
			t.Errorf("instance %s ran again within the hour", r.Instance)
		}
	}
	age(t, pool, 59*time.Minute)
	if ran, _ := b.RunOnce(ctx); ran {
		t.Error("ran after 59 minutes")
	}
	age(t, pool, 2*time.Minute)
	if ran, _ := b.RunOnce(ctx); !ran {
		t.Error("no run after an hour")
	}
	st := status(t, pool)
	if st.Instance != "b" || st.Runs != 2 || st.LastOK == nil {
		t.Errorf("record %+v, want two runs, the last by b", st)
	}
	if healthy, why := st.Healthy(time.Hour); !healthy {
		t.Errorf("unhealthy after a good run: %s", why)
	}
	if runs.Load() != 2 {
		t.Errorf("the steps ran %d times, want 2", runs.Load())
	}

	// Eight instances tick at the same moment an hour later: one runs.
	age(t, pool, time.Hour)
	var wg sync.WaitGroup
	var won atomic.Int64
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ran, _ := runner(pool, string(rune('c'+i)), &runs, ok).RunOnce(ctx); ran {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || runs.Load() != 3 {
		t.Errorf("%d of 8 instances ran (steps ran %d times in all), want exactly one", won.Load(), runs.Load())
	}
}

func TestFailingMaintenanceIsRecordedRetriedAndHealed(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	var runs atomic.Int64
	var broken atomic.Bool
	broken.Store(true)
	fail := func() error {
		if broken.Load() {
			return errors.New("partition ratings_203001 cannot be made")
		}
		return nil
	}
	a, b := runner(pool, "a", &runs, fail), runner(pool, "b", &runs, fail)
	ran, err := a.RunOnce(ctx)
	if !ran || err == nil || !strings.Contains(err.Error(), "flaky: partition ratings_203001") {
		t.Fatalf("failing run: ran %v, err %v", ran, err)
	}
	if runs.Load() != 1 {
		t.Error("a failing step stopped the ones before it")
	}
	st := status(t, pool)
	healthy, why := st.Healthy(time.Hour)
	if healthy || !strings.Contains(why, "maintenance failed at") || !strings.Contains(why, "ratings_203001") || st.Failures != 1 {
		t.Errorf("after a failure: healthy %v (%q), failures %d", healthy, why, st.Failures)
	}
	// Retried after five minutes, not after the hour.
	if ran, _ := b.RunOnce(ctx); ran {
		t.Error("retried at once")
	}
	age(t, pool, 5*time.Minute+time.Second)
	broken.Store(false)
	if ran, err := b.RunOnce(ctx); !ran || err != nil {
		t.Fatalf("retry after five minutes: ran %v, %v", ran, err)
	}
	if healthy, why := status(t, pool).Healthy(time.Hour); !healthy {
		t.Errorf("still unhealthy after a good run: %s", why)
	}
	// Nobody ran it for three hours (every instance stuck): unhealthy.
	age(t, pool, 3*time.Hour+time.Minute)
	if healthy, why := status(t, pool).Healthy(time.Hour); healthy || !strings.Contains(why, "has not succeeded since") {
		t.Errorf("three hours without a run: healthy %v (%q)", healthy, why)
	}
}

// An instance killed in the middle of a run leaves a claim that is taken
// over after two intervals, and is reported while it hangs.
func TestAbandonedRunIsTakenOver(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `UPDATE maintenance_runs SET instance = 'dead', started_at = now() - interval '61 minutes',
		finished_at = now() - interval '2 hours', last_ok_at = now() - interval '2 hours'`); err != nil {
		t.Fatal(err)
	}
	var runs atomic.Int64
	b := runner(pool, "b", &runs, func() error { return nil })
	if ran, _ := b.RunOnce(ctx); ran {
		t.Error("took over a run that started an hour ago and may still be going")
	}
	age(t, pool, time.Hour)
	if healthy, why := status(t, pool).Healthy(time.Hour); healthy || !strings.Contains(why, "by dead has not finished") {
		t.Errorf("hung run: healthy %v (%q)", healthy, why)
	}
	if ran, err := b.RunOnce(ctx); !ran || err != nil {
		t.Errorf("abandoned run not taken over: ran %v, %v", ran, err)
	}
}

// Through a transaction-pooling PgBouncer the claim works the same, and
// nothing is left held on the shared server connections.
func TestClaimThroughTransactionPooler(t *testing.T) {
	bouncer := testutil.StartPgBouncer(t, "transaction", 2)
	direct := testutil.DatabaseURL(t)
	ctx := context.Background()
	pool, err := db.Connect(ctx, bouncer.URL(t, direct), 8)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var runs, won atomic.Int64
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ran, _ := runner(pool, string(rune('a'+i)), &runs, func() error { return nil }).RunOnce(ctx); ran {
				won.Add(1)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 || runs.Load() != 1 {
		t.Errorf("%d instances ran through PgBouncer, want one", won.Load())
	}
	var locks int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
		WHERE l.locktype = 'advisory' AND d.datname = current_database()`).Scan(&locks); err != nil || locks != 0 {
		t.Errorf("%d advisory locks held (%v)", locks, err)
	}
}
