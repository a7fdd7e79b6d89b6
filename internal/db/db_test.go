package db_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/migrations"
)

func TestErrMapsDriverErrors(t *testing.T) {
	already := apperr.New(apperr.Forbidden, "不行")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no rows", pgx.ErrNoRows, apperr.NotFound},
		{"wrapped no rows", fmt.Errorf("find: %w", pgx.ErrNoRows), apperr.NotFound},
		{"unique violation", &pgconn.PgError{Code: "23505"}, apperr.Conflict},
		{"foreign key violation", &pgconn.PgError{Code: "23503"}, apperr.Invalid},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, apperr.Unavailable},
		{"too many connections", &pgconn.PgError{Code: "53300"}, apperr.Unavailable},
		{"undefined table", &pgconn.PgError{Code: "42P01", Message: "relation \"secret_table\" does not exist"}, apperr.Internal},
		{"deadline", context.DeadlineExceeded, apperr.Timeout},
		{"deadline while reading", fmt.Errorf("timeout: %w", context.DeadlineExceeded), apperr.Timeout},
		{"statement cancelled", &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, apperr.Timeout},
		{"connection failure", &pgconn.PgError{Code: "08006"}, apperr.Unavailable},
		{"connection lost mid-statement", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), apperr.Unavailable},
		{"connection closed", fmt.Errorf("query: %w", pgconn.ErrConnClosed), apperr.Unavailable},
		{"NUL byte in text", &pgconn.PgError{Code: "22021"}, apperr.Invalid},
		{"untranslatable character", &pgconn.PgError{Code: "22P05"}, apperr.Invalid},
		{"integer out of range", &pgconn.PgError{Code: "22003"}, apperr.Invalid},
		{"anything else", errors.New("boom"), apperr.Internal},
		{"already an apperr", already, apperr.Forbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := db.Err(tt.err)
			if apperr.CodeOf(got) != tt.want {
				t.Errorf("Err(%v) has code %s, want %s", tt.err, apperr.CodeOf(got), tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Err(%v) lost its cause", tt.err)
			}
			if e := apperr.From(got); strings.Contains(e.Message, "secret_table") {
				t.Errorf("user message %q leaks the driver error", e.Message)
			}
		})
	}
	if db.Err(nil) != nil {
		t.Error("Err(nil) is not nil")
	}
}

func TestErrOnRealDatabase(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	insert := `INSERT INTO units (name, category) VALUES ('市政务服务中心', '社会服务类')`
	if _, err := pool.Exec(ctx, insert); err != nil {
		t.Fatal(err)
	}
	_, err := pool.Exec(ctx, insert)
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Conflict {
		t.Errorf("duplicate unit name: code %s, want conflict", got)
	}
	_, err = pool.Exec(ctx, `INSERT INTO service_points (unit_id, name, kind) VALUES (999999, '大厅', 'hall')`)
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Invalid {
		t.Errorf("unknown unit: code %s, want invalid", got)
	}
	var n int
	err = pool.QueryRow(ctx, `SELECT id FROM units WHERE name = 'nobody'`).Scan(&n)
	if got := apperr.CodeOf(db.Err(err)); got != apperr.NotFound {
		t.Errorf("missing row: code %s, want not_found", got)
	}
	// Text Postgres refuses and numbers out of their column's range are
	// the input's fault: invalid, never internal.
	_, err = pool.Exec(ctx, `INSERT INTO units (name, category) VALUES ($1, '社会服务类')`, "a\x00b")
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Invalid {
		t.Errorf("NUL in text: %v gives code %s, want invalid", err, got)
	}
	_, err = pool.Exec(ctx, `INSERT INTO units (name, category) VALUES ($1, '社会服务类')`, "a\xffb")
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Invalid {
		t.Errorf("invalid UTF-8: %v gives code %s, want invalid", err, got)
	}
	err = pool.QueryRow(ctx, `SELECT count(*) FROM assessment_cycles WHERE $1 = 0`, int64(1)<<31).Scan(&n)
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Invalid {
		t.Errorf("int4 parameter out of range: %v gives code %s, want invalid", err, got)
	}
	// A connection killed mid-statement is unavailable: the client retries.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := conn.Exec(ctx, `SELECT pg_sleep(10)`)
		done <- err
	}()
	for {
		var waiting bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND query LIKE 'SELECT pg_sleep%')`, pid).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
	}
	if _, err := pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	err = <-done
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Unavailable {
		t.Errorf("connection killed mid-statement: %v gives code %s, want unavailable", err, got)
	}
	_, err = conn.Exec(ctx, `SELECT 1`)
	if got := apperr.CodeOf(db.Err(err)); err == nil || got != apperr.Unavailable {
		t.Errorf("statement on the dead connection: %v gives code %s, want unavailable", err, got)
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	pool, err := db.Connect(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	_, err = pool.Exec(context.Background(), `SELECT 1`)
	if err == nil {
		t.Fatal("query on a closed port succeeded")
	}
	if !db.IsUnavailable(err) {
		t.Errorf("IsUnavailable(%v) = false", err)
	}
	if got := apperr.CodeOf(db.Err(err)); got != apperr.Unavailable {
		t.Errorf("code %s, want unavailable", got)
	}
	if _, err := db.Connect(context.Background(), "not a url at all ::", 2); err == nil ||
		!strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("bad URL error %v does not name DATABASE_URL", err)
	}
}

func TestTxCommitsOrRollsBack(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	add := func(name string, fail bool) error {
		return db.Tx(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO units (name, category) VALUES ($1, '社会服务类')`, name); err != nil {
				return err
			}
			if fail {
				return apperr.New(apperr.Invalid, "stop")
			}
			return nil
		})
	}
	if err := add("kept", false); err != nil {
		t.Fatal(err)
	}
	if err := add("dropped", true); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("Tx returned %v, want the function's invalid error", err)
	}
	if err := add("kept", false); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("duplicate inside Tx: %v, want conflict", err)
	}
	rows, _ := pool.Query(ctx, `SELECT name FROM units ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != "kept" {
		t.Errorf("units = %v, want only [kept]", names)
	}
}

func connect(t *testing.T, dbURL string) *pgxpool.Pool {
	t.Helper()
	pool, err := db.Connect(context.Background(), dbURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func TestMigrateAppliesOnceEvenConcurrently(t *testing.T) {
	dbURL := testutil.EmptyDatabaseURL(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	errs := make([]error, 4)
	for i := range 4 {
		pool := connect(t, dbURL)
		wg.Go(func() { applied[i], errs[i] = db.Migrate(ctx, pool, migrations.Files) })
	}
	wg.Wait()
	total := 0
	for i := range 4 {
		if errs[i] != nil {
			t.Fatalf("migration %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	files, _ := migrations.Files.ReadDir(".")
	sqlFiles := 0
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".sql") {
			sqlFiles++
		}
	}
	if total != sqlFiles {
		t.Errorf("four concurrent runs applied %d migrations in all, want %d (each once)", total, sqlFiles)
	}
	again, err := db.Migrate(ctx, connect(t, dbURL), migrations.Files)
	if err != nil || len(again) != 0 {
		t.Errorf("second migrate applied %v (%v), want nothing", again, err)
	}
}

func TestMigrateStopsAtAFailingFile(t *testing.T) {
	pool := connect(t, testutil.EmptyDatabaseURL(t))
	ctx := context.Background()
	files := fstest.MapFS{
		"0001_a.sql": {Data: []byte(`CREATE TABLE a (x int);`)},
		"0002_b.sql": {Data: []byte(`CREATE TABLE b (x int); CREATE TABLE broken (;`)},
		"0010_c.sql": {Data: []byte(`CREATE TABLE c (x int);`)},
	}
	applied, err := db.Migrate(ctx, pool, files)
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("error %v does not name the failing file", err)
	}
	if strings.Join(applied, ",") != "0001_a.sql" {
		t.Errorf("applied %v, want [0001_a.sql]", applied)
	}
	var b, c *string
	if err := pool.QueryRow(ctx, `SELECT to_regclass('b')::text, to_regclass('c')::text`).Scan(&b, &c); err != nil {
		t.Fatal(err)
	}
	if b != nil || c != nil {
		t.Errorf("tables of the failed and later migrations exist: b=%v c=%v", b, c)
	}
	files["0002_b.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE b (x int);`)}
	applied, err = db.Migrate(ctx, pool, files)
	if err != nil || strings.Join(applied, ",") != "0002_b.sql,0010_c.sql" {
		t.Errorf("after the fix applied %v (%v), want [0002_b.sql 0010_c.sql] in numeric order", applied, err)
	}
}

func TestMigrateRejectsUnnumberedFiles(t *testing.T) {
	pool := connect(t, testutil.EmptyDatabaseURL(t))
	_, err := db.Migrate(context.Background(), pool, fstest.MapFS{"init.sql": {Data: []byte(`SELECT 1;`)}})
	if err == nil || !strings.Contains(err.Error(), "init.sql") {
		t.Errorf("unnumbered file: error %v, want one naming init.sql", err)
	}
}
