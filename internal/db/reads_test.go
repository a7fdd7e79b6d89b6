package db_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/db"
	"minyi/internal/testutil"
)

// A list total is exact when small, "more than CountCap" when counted
// past it, the planner's estimate (marked) when the count would run over
// its budget or when the planner expects far more than the cap.
func TestCountCappedExactCappedOrEstimated(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	if _, err := pool.Exec(ctx, `CREATE TABLE items AS SELECT g AS n FROM generate_series(1, 80000) AS g;
		CREATE INDEX ON items (n); ANALYZE items`); err != nil {
		t.Fatal(err)
	}
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
