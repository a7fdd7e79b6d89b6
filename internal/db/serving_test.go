package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// openedServingPool is a serving pool of n connections on url, once all
// n are open (in the background, each warmed by warm); it closes with t.
func openedServingPool(t *testing.T, url string, n int32, warm func(context.Context, *pgx.Conn)) *pgxpool.Pool {
	t.Helper()
	pool, err := db.ConnectServing(context.Background(), url, n, warm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	deadline := time.Now().Add(10 * time.Second)
	for pool.Stat().IdleConns() < n {
		if time.Now().After(deadline) {
			t.Fatalf("idle connections %d after 10 s, want all %d opened in the background", pool.Stat().IdleConns(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return pool
}

// A serving pool opens all its connections by itself, and each has run
// the warm-up once before any request gets it.
func TestServingPoolKeepsWarmConnectionsReady(t *testing.T) {
	ctx := context.Background()
	url := testutil.DatabaseURL(t)
	setup, err := db.Connect(ctx, url, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	if _, err := setup.Exec(ctx, `CREATE TABLE warmed (pid int NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	pool := openedServingPool(t, url, 8, func(ctx context.Context, c *pgx.Conn) {
		_, _ = c.Exec(ctx, `INSERT INTO warmed VALUES (pg_backend_pid())`)
	})
	var pid, runs int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid(), (SELECT count(*) FROM warmed WHERE pid = pg_backend_pid())`).Scan(&pid, &runs); err != nil {
		t.Fatal(err)
	}
	if runs != 1 {
		t.Fatalf("connection %d ran the warm-up %d times, want once", pid, runs)
	}
	var warmed int
	if err := setup.QueryRow(ctx, `SELECT count(DISTINCT pid) FROM warmed`).Scan(&warmed); err != nil {
		t.Fatal(err)
	}
	if warmed != 8 {
		t.Fatalf("%d connections warmed, want every one of the 8", warmed)
	}
}

// A warm-up that fails (the tables not migrated yet) leaves a connection
// that works; on a migrated database the ratings' warm-up leaves the
// aggregate reads prepared with their generic plans, for all units and for
// some, so the first page that runs them on the connection plans nothing.
func TestServingPoolWarmUpFailureKeepsTheConnection(t *testing.T) {
	ctx := context.Background()
	failing := func(ctx context.Context, c *pgx.Conn) { _, _ = c.Exec(ctx, `SELECT * FROM no_such_table`) }
	for name, warm := range map[string]func(context.Context, *pgx.Conn){"failing": failing, "ratings": ratings.Warm} {
		pool, err := db.ConnectServing(ctx, testutil.DatabaseURL(t), 4, warm)
		if err != nil {
			t.Fatal(err)
		}
		var one int
		if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil || one != 1 {
			t.Fatalf("warm-up %s: SELECT 1 = %d, %v", name, one, err)
		}
		pool.Close()
	}
	pool, err := db.ConnectServing(ctx, testutil.DatabaseURL(t), 2, ratings.Warm)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_prepared_statements
		WHERE statement LIKE '%FROM rating_monthly_counts%' AND statement NOT LIKE '%pg_prepared_statements%'
		  AND generic_plans >= 1`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d aggregate reads prepared with a generic plan on the connection, want 2 (all units, some units)", n)
	}
}

// The warm-ups of a serving pool's connections run one at a time, so the
// first connection is ready after one of them, not after all.
func TestServingPoolWarmsOneConnectionAtATime(t *testing.T) {
	var mu sync.Mutex
	running, most, runs := 0, 0, 0
	openedServingPool(t, testutil.DatabaseURL(t), 6, func(ctx context.Context, c *pgx.Conn) {
		mu.Lock()
		running++
		runs++
		most = max(most, running)
		mu.Unlock()
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		running--
		mu.Unlock()
	})
	mu.Lock()
	defer mu.Unlock()
	if runs != 6 || most != 1 {
		t.Fatalf("%d warm-ups, at most %d at once; want 6, one at a time", runs, most)
	}
}
