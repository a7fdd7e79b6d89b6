package db_test

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// A statement whose context ends returns at once with timeout and is
// cancelled on the server, not left waiting there; the pool keeps serving.
// Directly and through a transaction-pooling PgBouncer, which must forward
// the cancel request and survive it (a cancel connection dropped early
// crashes PgBouncer 1.18, see Connect): twice, so a crash would show.
func TestEndedContextCancelsTheStatement(t *testing.T) {
	direct := testutil.DatabaseURL(t)
	t.Run("direct", func(t *testing.T) { checkCancel(t, direct, direct) })
	t.Run("pgbouncer", func(t *testing.T) {
		bouncer := testutil.StartPgBouncer(t, "transaction", 2)
		checkCancel(t, direct, bouncer.URL(t, direct))
	})
}

func checkCancel(t *testing.T, direct, url string) {
	ctx := context.Background()
	pool, err := db.Connect(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	locker, err := pgx.Connect(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `LOCK TABLE units IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	waiting := func() int {
		var n int
		if err := locker.QueryRow(ctx, `SELECT count(*) FROM pg_locks
			WHERE NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for round := 1; round <= 2; round++ {
		qctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		start := time.Now()
		_, err = pool.Exec(qctx, `SELECT count(*) FROM units`)
		took := time.Since(start)
		cancel()
		if !db.IsTimeout(err) || apperr.CodeOf(db.Err(err)) != apperr.Timeout {
			t.Fatalf("round %d: blocked statement after its deadline: %v (code %s), want timeout", round, err, apperr.CodeOf(db.Err(err)))
		}
		if took > 2*time.Second {
			t.Errorf("round %d: the statement returned %s after its context began, with a deadline of 300ms", round, took)
		}
		for start := time.Now(); waiting() != 0; time.Sleep(50 * time.Millisecond) {
			if time.Since(start) > 5*time.Second {
				t.Fatalf("round %d: the statement still waits for the lock on the server 5s after its deadline", round)
			}
		}
		var one int
		if err := pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
			t.Fatalf("round %d: the pool after the cancellation: %v", round, err)
		}
	}
}

// With a statement_timeout on the database (as docs/operations.md advises
// on the role), an ordinary statement past it is cancelled and maps to
// timeout, while long work that lifts it (db.Unbounded, each migration's
// transaction) runs to the end.
func TestLongWorkLiftsTheStatementTimeout(t *testing.T) {
	dbURL := testutil.EmptyDatabaseURL(t)
	ctx := context.Background()
	var name string
	admin := connect(t, dbURL)
	if err := admin.QueryRow(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{name}.Sanitize()+` SET statement_timeout = '200ms'`); err != nil {
		t.Fatal(err)
	}
	pool := connect(t, dbURL) // new connections, which get the setting
	var st string
	if err := pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&st); err != nil || st != "200ms" {
		t.Fatalf("statement_timeout %q (%v), want 200ms", st, err)
	}
	const slow = `SELECT pg_sleep(0.5)`
	_, err := pool.Exec(ctx, slow)
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Timeout {
		t.Errorf("a statement past statement_timeout: %v (code %s), want timeout", err, got)
	}
	err = db.Unbounded(ctx, pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, slow)
		return err
	})
	if err != nil {
		t.Errorf("the same statement in db.Unbounded: %v", err)
	}
	applied, err := db.Migrate(ctx, pool, fstest.MapFS{
		"0001_slow.sql": {Data: []byte(slow + `; CREATE TABLE slow (x int);`)},
	})
	if err != nil || len(applied) != 1 {
		t.Errorf("a migration longer than statement_timeout: applied %v, %v", applied, err)
	}
	if err := pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&st); err != nil || st != "200ms" {
		t.Errorf("statement_timeout after the long work: %q (%v), want 200ms again (SET LOCAL)", st, err)
	}
}
