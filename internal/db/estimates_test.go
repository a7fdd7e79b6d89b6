package db_test

import (
	"context"
	"sync"
	"testing"

	"minyi/internal/db"
	"minyi/internal/testutil"
)

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

func (c *memEstimates) SetEstimate(_ context.Context, key string, n int) {
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
	pool := testutil.DB(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `CREATE TABLE items AS SELECT g AS n FROM generate_series(1, 80000) AS g;
		CREATE INDEX ON items (n); ANALYZE items`); err != nil {
		t.Fatal(err)
	}
	cache := &memEstimates{m: map[string]int{}}
	ctx = db.WithEstimateCache(ctx, cache)
	for range 2 {
		if got, err := db.CountCapped(ctx, pool, `SELECT FROM items WHERE n <= $1`, 37); err != nil || got != (db.Total{N: 37, Exact: true}) {
			t.Fatalf("37 rows: %+v %v", got, err)
		}
	}
	if cache.sets != 1 || cache.gets != 2 {
		t.Errorf("gets %d, sets %d; want 2 and 1", cache.gets, cache.sets)
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
