package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/migrations"
)

// migrateAtOnce starts n `minyi migrate` at the same moment against the
// database and returns their errors.
func migrateAtOnce(dbURL string, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = runCmd(env(dbURL), "", "migrate")
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// checkMigrated asserts every migration is recorded once and this month's
// rating partition exists.
func checkMigrated(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	var part bool
	name := "ratings_" + time.Now().In(shanghai(t)).Format("200601")
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM schema_migrations), to_regclass($1) IS NOT NULL`, name).Scan(&n, &part); err != nil {
		t.Fatal(err)
	}
	files, _ := migrations.Files.ReadDir(".")
	want := 0
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".sql") {
			want++
		}
	}
	if n != want || !part {
		t.Errorf("schema_migrations has %d rows (want %d), partition %s exists: %v", n, want, name, part)
	}
}

// Several init containers run `minyi migrate` at once on a new database:
// every one must succeed (before, the partitions were made after the lock
// was released and 2 of 3 failed with "relation already exists").
func TestConcurrentMigrateAllSucceed(t *testing.T) {
	for round := range 4 {
		dbURL := testutil.EmptyDatabaseURL(t)
		for i, err := range migrateAtOnce(dbURL, 3) {
			if err != nil {
				t.Errorf("round %d: migrate %d: %v", round, i, err)
			}
		}
		checkMigrated(t, dbURL)
	}
}

// Through a transaction-pooling PgBouncer with two server connections, no
// lock may stay behind on a pooled connection: concurrent migrations all
// succeed, later ones do not hang, and Postgres holds no advisory lock
// afterwards.
func TestMigrateThroughTransactionPooler(t *testing.T) {
	bouncer := testutil.StartPgBouncer(t, "transaction", 2)
	for round := range 3 {
		direct := testutil.EmptyDatabaseURL(t)
		pooled := bouncer.URL(t, direct)
		for i, err := range migrateAtOnce(pooled, 3) {
			if err != nil {
				t.Errorf("round %d: migrate %d through PgBouncer: %v", round, i, err)
			}
		}
		done := make(chan error, 1)
		go func() { _, err := runCmd(env(pooled), "", "migrate"); done <- err }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("round %d: a later migrate: %v", round, err)
			}
		case <-time.After(60 * time.Second):
			t.Fatalf("round %d: a later migrate through PgBouncer hangs (a lock was left on a pooled connection)", round)
		}
		checkMigrated(t, direct)
		ctx := context.Background()
		pool, err := db.Connect(ctx, direct, 2)
		if err != nil {
			t.Fatal(err)
		}
		var locks int
		err = pool.QueryRow(ctx, `SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database
			WHERE l.locktype = 'advisory' AND d.datname = current_database()`).Scan(&locks)
		pool.Close()
		if err != nil || locks != 0 {
			t.Errorf("round %d: %d advisory locks still held after migrating (%v)", round, locks, err)
		}
	}
}
