// Package testutil gives tests real services: a fresh Postgres database per
// test, cloned from a migrated template, and a Redis key prefix per test.
package testutil

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"minyi/internal/db"
	"minyi/internal/secure"
	"minyi/migrations"
)

// AdminURL is the maintenance database tests create their databases from;
// TEST_DATABASE_URL overrides it.
func AdminURL() string {
	if v := os.Getenv("TEST_DATABASE_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis tests use; TEST_REDIS_URL overrides it.
func RedisURL() string {
	if v := os.Getenv("TEST_REDIS_URL"); v != "" {
		return v
	}
	return "redis://127.0.0.1:6379/0"
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// migrationsHash names the template after the migrations, so a changed
// migration gets a new template.
func migrationsHash() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations.Files, "*.sql")
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.Files, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDB(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

func ensureTemplate(ctx context.Context) (string, error) {
	templateOnce.Do(func() {
		templateName = "minyi_tmpl_" + migrationsHash()
		templateErr = func() error {
			admin, err := pgx.Connect(ctx, AdminURL())
			if err != nil {
				return fmt.Errorf("testutil: cannot reach Postgres at %s (set TEST_DATABASE_URL): %w", AdminURL(), err)
			}
			defer admin.Close(ctx)
			// Several test binaries may start at once: one makes the template.
			if _, err := admin.Exec(ctx, `SELECT pg_advisory_lock(7305999)`); err != nil {
				return err
			}
			defer admin.Exec(context.Background(), `SELECT pg_advisory_unlock(7305999)`) //nolint:errcheck
			var exists bool
			if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, templateName).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return nil
			}
			building := templateName + "_build"
			admin.Exec(ctx, `DROP DATABASE IF EXISTS `+building) //nolint:errcheck
			if _, err := admin.Exec(ctx, `CREATE DATABASE `+building); err != nil {
				return err
			}
			pool, err := db.Connect(ctx, withDB(AdminURL(), building), 2)
			if err != nil {
				return err
			}
			_, err = db.Migrate(ctx, pool, migrations.Files)
			if err == nil {
				_, err = pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions((now() - interval '3 months')::date, 6, 'Asia/Shanghai')`)
			}
			pool.Close()
			if err != nil {
				return fmt.Errorf("testutil: migrating template: %w", err)
			}
			_, err = admin.Exec(ctx, `ALTER DATABASE `+building+` RENAME TO `+templateName)
			return err
		}()
	})
	return templateName, templateErr
}

// DatabaseURL creates a fresh, migrated database for the test, drops it when
// the test ends, and returns its URL.
func DatabaseURL(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tmpl, err := ensureTemplate(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	return createDatabase(tb, tmpl)
}

// EmptyDatabaseURL creates a database with no schema at all, for testing
// migrations and commands against a new database; it is dropped when the
// test ends.
func EmptyDatabaseURL(tb testing.TB) string {
	tb.Helper()
	return createDatabase(tb, "")
}

// createDatabase creates a database, from the template when one is named,
// and drops it when the test ends.
func createDatabase(tb testing.TB, template string) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	name := "minyi_t_" + hex.EncodeToString(secure.SHA256(secure.Token(16)))[:16]
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close(ctx)
	sql := `CREATE DATABASE ` + name
	if template != "" {
		sql += ` TEMPLATE ` + template
	}
	for attempt := 0; ; attempt++ {
		_, err = admin.Exec(ctx, sql)
		// Another clone of the template at the same moment makes Postgres
		// refuse with "source database is being accessed"; try again.
		if err == nil || attempt > 50 || !strings.Contains(err.Error(), "being accessed") {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			tb.Error(err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Error(err)
		}
	})
	return withDB(AdminURL(), name)
}

// DB returns a pool to a fresh, migrated database, closed and dropped when
// the test ends.
func DB(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	pool, err := db.Connect(context.Background(), DatabaseURL(tb), 8)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// Redis returns a client and a key prefix of the test's own; the prefix's
// keys are deleted when the test ends.
func Redis(tb testing.TB) (redis.UniversalClient, string) {
	tb.Helper()
	opts, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("testutil: cannot reach Redis at %s (set TEST_REDIS_URL): %v", RedisURL(), err)
	}
	prefix := "minyi_test:" + secure.Token(6) + ":"
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	return rdb, prefix
}
