package db

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrationLock is the advisory lock key each migration's transaction holds,
// so several `minyi migrate` started at once (one init container per pod)
// apply each file once and all succeed. The lock is transaction-scoped: it
// cannot stay behind on a server connection that a transaction-pooling
// PgBouncer hands to someone else.
const migrationLock = 7_305_001

// Migrate applies, in order and each in its own transaction, every
// NNNN_name.sql file of files that is not yet recorded in schema_migrations.
// It returns the names it applied; files another migrator applied meanwhile
// are skipped.
func Migrate(ctx context.Context, pool *pgxpool.Pool, files fs.FS) ([]string, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Slice(names, func(i, j int) bool { return version(names[i]) < version(names[j]) })
	for _, name := range names {
		if version(name) <= 0 {
			return nil, fmt.Errorf("migrate: %s: file name must start with a number", name)
		}
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var applied []string
	for _, name := range names {
		ok, err := apply(ctx, pool, files, name)
		if err != nil {
			return applied, fmt.Errorf("migrate: %s: %w", name, err)
		}
		if ok {
			applied = append(applied, name)
		}
	}
	return applied, nil
}

// apply runs one file under the lock unless it is already recorded, and
// reports whether it ran it.
func apply(ctx context.Context, pool *pgxpool.Pool, files fs.FS, name string) (bool, error) {
	v := version(name)
	var done bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, v).Scan(&done); err != nil || done {
		return false, err
	}
	body, err := fs.ReadFile(files, name)
	if err != nil {
		return false, err
	}
	ran := false
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := lockMigrations(ctx, tx); err != nil {
			return err
		}
		// Another migrator may have applied it while this one waited.
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, v).Scan(&done); err != nil || done {
			return err
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, v, name)
		ran = err == nil
		return err
	})
	return ran, err
}

// lockMigrations starts each migration transaction: without a
// statement_timeout (a migration may rewrite a large table, and this one
// waits here while another migrator applies one), then under the lock.
func lockMigrations(ctx context.Context, tx pgx.Tx) error {
	if err := NoStatementTimeout(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

func version(name string) int {
	head, _, _ := strings.Cut(name, "_")
	v, err := strconv.Atoi(head)
	if err != nil {
		return -1
	}
	return v
}
