package db_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/db"
	"minyi/internal/search"
	"minyi/internal/testutil"
)

// A list total is exact when small, "more than CountCap" when counted
// past it, the planner's estimate (marked) when the count would run over
// its budget or when the planner expects far more than the cap.
func TestCountCappedExactCappedOrEstimated(t *testing.T) {
	ctx := context.Background()
	pool := itemsDB(t)
	count := func(max int) db.Total {
		t.Helper()
		tot, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, max)
		if err != nil {
			t.Fatal(err)
		}
		return tot
	}
	if got := count(37); got != (db.Total{N: 37, Exact: true}) {
		t.Errorf("37 rows: %+v", got)
	}
	if got := count(20000); got != (db.Total{N: db.CountCap}) {
		t.Errorf("20,000 rows: %+v, want counted up to the cap", got)
	}
	if got := count(80000); !got.Estimated || got.Exact || got.N < 60000 || got.N > 100000 {
		t.Errorf("80,000 rows: %+v, want the planner's estimate", got)
	}
	// Past its budget (a millisecond, for rows that take 0.1 ms each), a
	// count gives way to the estimate.
	defer db.SetCountBudget(0, time.Microsecond)()
	tot, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1 AND pg_sleep(0.0001) IS NOT NULL`, 20000)
	if err != nil {
		t.Fatal(err)
	}
	if got := tot; !got.Estimated || got.N < 15000 || got.N > 25000 {
		t.Errorf("20,000 rows over budget: %+v, want the planner's estimate", got)
	}
}

// A total the planner badly underestimates stops once it has run past its
// budget and counted more rows than expected: "more than" the rows seen,
// not a wait for all of them, nor the wrong estimate.
func TestCountCappedStopsAnUnderestimatedCount(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	// a and b are the same, so "a = 1 AND b = 1" matches a tenth of the
	// rows where the planner, taking them as independent, expects a
	// hundredth; each match then costs tens of microseconds (a subquery
	// of its own: Postgres tests it after the cheap conditions).
	if _, err := pool.Exec(ctx, `CREATE TABLE items AS SELECT g AS n, g % 10 AS a, g % 10 AS b FROM generate_series(1, 60000) AS g;
		ANALYZE items`); err != nil {
		t.Fatal(err)
	}
	rows := `SELECT FROM items WHERE a = $1 AND b = $1 AND (SELECT count(*) FROM generate_series(1, 100 + n % 2)) > 0`
	est, err := db.Estimate(ctx, pool, rows, 1)
	if err != nil || est > 1000 || est < 100 {
		t.Fatalf("estimate %d (%v), want a few hundred for 6,000 rows", est, err)
	}
	defer db.SetCountBudget(1000, 20*time.Millisecond)()
	cache := &memEstimates{m: map[string]int{}}
	cctx := db.WithEstimateCache(ctx, cache)
	tot, err := db.CountCapped(cctx, pool, rows, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tot.Exact || tot.Estimated || tot.N <= est || tot.N >= 6000 {
		t.Errorf("total %+v, want more than the estimate (%d) and fewer than the 6,000 rows, not exact", tot, est)
	}
	// The estimate proven wrong, the next page shows the same total
	// without counting again (the stored total, poisoned, shows it).
	over := cache.over()
	if len(over) != 1 {
		t.Fatalf("stored %v, want the cut total", over)
	}
	for k := range over {
		cache.m[k] = 2 * 4321
	}
	if got, err := db.CountCapped(cctx, pool, rows, 1); err != nil || got != (db.Total{N: 4321}) {
		t.Errorf("again: %+v %v, want the stored total", got, err)
	}
	// The connection the count used is fine afterwards.
	var one int
	if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
		t.Fatalf("after the cancelled count: %d, %v", one, err)
	}
	// The same filter with an estimate that holds is counted exactly.
	if got, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE a = $1 AND n <= 3000`, 1); err != nil || got != (db.Total{N: 300, Exact: true}) {
		t.Errorf("300 rows: %+v, %v", got, err)
	}
}

// CountCappedGeneric counts as CountCapped does, with a generic plan for
// the count only, with the JIT compiler off: the settings are the
// transaction's, and the same connection plans for its arguments (and
// compiles) again afterwards.
func TestCountCappedGenericPlansOnceForAnyArguments(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	rows := `SELECT FROM generate_series(1, $1::int) WHERE current_setting('plan_cache_mode') = 'force_generic_plan'
		AND current_setting('jit') = 'off'`
	for _, n := range []int{3, 7} {
		got, err := db.CountCappedGeneric(ctx, pool, rows, n)
		if err != nil {
			t.Fatal(err)
		}
		if got != (db.Total{N: n, Exact: true}) {
			t.Errorf("generic count of %d: %+v", n, got)
		}
	}
	// The same rows counted by CountCapped see the default setting: the
	// generic one did not outlive its transaction.
	got, err := db.CountCapped(ctx, pool, rows, 7)
	if err != nil {
		t.Fatal(err)
	}
	if got != (db.Total{N: 0, Exact: true}) {
		t.Errorf("custom count: %+v, want none (plan_cache_mode left generic, or jit off)", got)
	}
}

// A keyword's reads (search.NoWorkers) run without parallel workers and
// without the JIT compiler, and only inside their transaction.
func TestKeywordReadsRunWithoutWorkersOrJIT(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	show := `SELECT current_setting('max_parallel_workers_per_gather') || ' ' || current_setting('jit')`
	var inside, after string
	if err := db.WithLocal(ctx, pool, search.NoWorkers, func(q db.DBTX) error {
		return q.QueryRow(ctx, show).Scan(&inside)
	}); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, show).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if inside != "0 off" || after == inside {
		t.Errorf("workers and jit: %q inside the keyword's read, %q after it", inside, after)
	}
}
