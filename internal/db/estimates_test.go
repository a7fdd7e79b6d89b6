package db_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/testutil"
)

// itemsDB is a fresh database with the table items of the numbers 1 to
// 80,000, indexed and analyzed.
func itemsDB(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testutil.DB(t)
	if _, err := pool.Exec(context.Background(), `CREATE TABLE items AS SELECT g AS n FROM generate_series(1, 80000) AS g;
		CREATE INDEX ON items (n); ANALYZE items`); err != nil {
		t.Fatal(err)
	}
	return pool
}

// memEstimates is an EstimateCache in a map, counting its use.
type memEstimates struct {
	mu         sync.Mutex
	m          map[string]int
	gets, sets int
}

func (c *memEstimates) GetEstimate(_ context.Context, key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gets++
	n, ok := c.m[key]
	return n, ok
}

func (c *memEstimates) SetEstimate(_ context.Context, key string, n int, _ time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sets++
	c.m[key] = n
}

// A total asks the planner once per statement and arguments while a cache
// is in the context: the second total of the same list reuses the
// estimate (and still counts), another argument asks again. The stored
// estimate is the one the planner gave: a poisoned entry decides the next
// total, which shows the cache is read.
func TestCountCappedReusesEstimates(t *testing.T) {
	pool := itemsDB(t)
	cache := &memEstimates{m: map[string]int{}}
	ctx := db.WithEstimateCache(context.Background(), cache)
	for range 2 {
		if got, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, 37); err != nil || got != (db.Total{N: 37, Exact: true}) {
			t.Fatalf("37 rows: %+v %v", got, err)
		}
	}
	// Each total looks up the estimate and a total stored over budget.
	if cache.sets != 1 || cache.gets != 4 {
		t.Errorf("gets %d, sets %d; want 4 and 1", cache.gets, cache.sets)
	}
	if _, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, 38); err != nil || cache.sets != 2 {
		t.Errorf("another argument: sets %d, %v", cache.sets, err)
	}
	for k := range cache.m {
		cache.m[k] = 1_000_000 // far over the cap: the total is not counted
	}
	if got, _ := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, 37); !got.Estimated || got.N != 1_000_000 {
		t.Errorf("the cached estimate was not used: %+v", got)
	}
}

// over returns the cache's entries of totals that ran out of budget.
func (c *memEstimates) over() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.m {
		if strings.HasPrefix(k, "over:") {
			out[k] = v
		}
	}
	return out
}

// A total whose count ran out of its budget is shown as it was then for a
// while, without spending the budget again; an exact or capped total is
// never stored.
func TestCountCappedRemembersTotalsOverBudget(t *testing.T) {
	pool := itemsDB(t)
	cache := &memEstimates{m: map[string]int{}}
	ctx := db.WithEstimateCache(context.Background(), cache)
	if got, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, 20000); err != nil || got != (db.Total{N: db.CountCap}) {
		t.Fatalf("counted to the cap: %+v %v", got, err)
	}
	if over := cache.over(); len(over) != 0 {
		t.Fatalf("a count within its budget was stored: %v", over)
	}
	// 10,001 rows of 0.1 ms each run past the 40 ms budget.
	slow := `SELECT FROM items WHERE n <= $1 AND pg_sleep(0.0001) IS NOT NULL`
	if got, err := db.CountCapped(ctx, pool, slow, 20000); err != nil || !got.Estimated {
		t.Fatalf("over budget: %+v %v, want the estimate", got, err)
	}
	over := cache.over()
	if len(over) != 1 {
		t.Fatalf("stored over-budget totals %v, want one", over)
	}
	// The stored total is shown: poisoned, it shows it was read and the
	// count not run again.
	for k := range over {
		cache.m[k] = 2*12345 + 1
	}
	if got, err := db.CountCapped(ctx, pool, slow, 20000); err != nil || got != (db.Total{N: 12345, Estimated: true}) {
		t.Errorf("after running out of budget: %+v %v, want the stored total", got, err)
	}
	// Another argument is counted (and runs out of budget in turn).
	if got, err := db.CountCapped(ctx, pool, slow, 20001); err != nil || got == (db.Total{N: 12345, Estimated: true}) || len(cache.over()) != 2 {
		t.Errorf("another argument: %+v %v, stored %v", got, err, cache.over())
	}
	// A total the planner expects small is counted, not stored, when its
	// count does not run past the budget.
	if got, err := db.CountCapped(ctx, pool, slow, 37); err != nil || got != (db.Total{N: 37, Exact: true}) || len(cache.over()) != 2 {
		t.Errorf("small total: %+v %v, stored %v; want counted exactly, not stored", got, err, cache.over())
	}
}
