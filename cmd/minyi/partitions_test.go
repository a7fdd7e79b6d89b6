package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/internal/db"
	"minyi/internal/partitions"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

func TestPartitionsUsageErrors(t *testing.T) {
	// An unreachable database: every error below comes before connecting.
	getenv := env("postgres://postgres@127.0.0.1:1/none")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"partitions"}, "no partitions command"},
		{[]string{"partitions", "prune"}, `unknown partitions command "prune"`},
		{[]string{"partitions", "archive"}, "--month"},
		{[]string{"partitions", "archive", "--month", "2019-13", "--dir", "x"}, "--month"},
		{[]string{"partitions", "archive", "--month", "2019-03"}, "give either --out FILE or --dir DIR"},
		{[]string{"partitions", "archive", "--month", "2019-03", "--out", "a", "--dir", "b"}, "give either --out FILE or --dir DIR"},
		{[]string{"partitions", "archive", "--colour", "red"}, "colour"},
		{[]string{"partitions", "restore"}, "--file is required"},
		{[]string{"partitions", "restore", "--file", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"partitions", "list", "--month", "2019-03"}, "--month does not apply"},
		{[]string{"partitions", "restore", "--file", "x", "--dir", "y"}, "--dir does not apply"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := runCmd(getenv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "usage:") {
				t.Fatalf("error %v, want one containing %q and the usage", err, tt.want)
			}
		})
	}
	out, _ := runCmd(getenv, "", "help")
	for _, want := range []string{"minyi partitions list", "minyi partitions archive --month YYYY-MM", "minyi partitions restore --file FILE"} {
		if !strings.Contains(out, want) {
			t.Errorf("help does not show %q", want)
		}
	}
	_, err := runCmd(env("postgres://postgres@127.0.0.1:1/none", "RATINGS_RETENTION_MONTHS", "2"), "", "partitions", "list")
	if err == nil || !strings.Contains(err.Error(), "RATINGS_RETENTION_MONTHS") {
		t.Errorf("RATINGS_RETENTION_MONTHS=2: %v, want an error naming it", err)
	}
}

func TestPartitionsListArchiveRestore(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	loc := shanghai(t)
	now := time.Now()
	current := partitions.MonthOf(now, loc)
	old := current.Add(-4)
	lo, _ := old.Bounds(loc)
	var unit int64
	err = pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('市税务局', '社会服务类') RETURNING id`).Scan(&unit)
	if err == nil {
		_, err = pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, 1, 'Asia/Shanghai')`, old.First())
	}
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points)
			SELECT gen_random_uuid(), $1::timestamptz + g * interval '1 day', 'qr', $2, 5, 100 FROM generate_series(0, 2) AS g`, lo, unit)
	}
	if err == nil {
		_, err = ratings.RollUp(ctx, pool, now, loc)
	}
	if err != nil {
		t.Fatal(err)
	}
	getenv := env(dbURL, "RATINGS_RETENTION_MONTHS", "3")

	out, err := runCmd(getenv, "", "partitions", "list")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^` + old.String() + `\s+` + old.Partition() + `\s+3\s+\d+ kB\s+allowed$`)
	if !row.MatchString(out) || !strings.Contains(out, "RATINGS_RETENTION_MONTHS=3 ") ||
		!regexp.MustCompile(`(?m)^`+current.String()+`\s+`+current.Partition()+`\s+0\s+.*no: the current month$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^-\s+ratings_default\s+0\s+.*no: the default partition is never archived$`).MatchString(out) {
		t.Errorf("list printed:\n%s", out)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, old.Partition()+".tar")
	out, err = runCmd(getenv, "", "partitions", "archive", "--month", old.String(), "--dir", dir)
	if err != nil || !strings.Contains(out, "archived "+old.String()+": 3 ratings") || !strings.Contains(out, file) {
		t.Fatalf("archive: %q, %v", out, err)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	out, err = runCmd(getenv, "", "partitions", "archive", "--month", old.String(), "--out", filepath.Join(dir, "again.tar"))
	if err != nil || !strings.Contains(out, "month "+old.String()+" is already archived") {
		t.Errorf("second archive: %q, %v", out, err)
	}
	out, err = runCmd(getenv, "", "partitions", "list")
	if err != nil || regexp.MustCompile(`(?m)^\S+\s+`+old.Partition()).MatchString(out) || !strings.Contains(out, "archived months") ||
		!regexp.MustCompile(`(?m)^`+old.String()+`\s+3\s+.*`+regexp.QuoteMeta(file)).MatchString(out) {
		t.Errorf("list after archiving: %q, %v", out, err)
	}

	out, err = runCmd(getenv, "", "partitions", "restore", "--file", file)
	if err != nil || !strings.Contains(out, "restored "+old.String()+" from "+file+": 3 ratings") {
		t.Fatalf("restore: %q, %v", out, err)
	}
	out, err = runCmd(getenv, "", "partitions", "restore", "--file", file)
	if err != nil || !strings.Contains(out, "was already restored") {
		t.Errorf("second restore: %q, %v", out, err)
	}

	_, err = runCmd(env(dbURL), "", "partitions", "archive", "--month", old.String(), "--dir", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "month "+old.String()+" may not be archived:\n  - RATINGS_RETENTION_MONTHS is 0") {
		t.Errorf("archive with the default retention: %v", err)
	}
}
