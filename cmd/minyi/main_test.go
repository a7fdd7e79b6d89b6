package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

const testSecret = "cmd-test-secret-0123456789abcdef01234"

// env returns a getenv for the database URL and a valid secret, with overrides.
func env(dbURL string, kv ...string) func(string) string {
	m := map[string]string{"DATABASE_URL": dbURL, "SECRET_KEY": testSecret, "REDIS_URL": testutil.RedisURL()}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// runCmd runs the command with stdin and returns its output and error.
func runCmd(getenv func(string) string, stdin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func TestRunRejectsUnknownCommands(t *testing.T) {
	getenv := env("postgres://postgres@127.0.0.1:1/none")
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"user"}, "unknown user command"},
		{[]string{"user", "delete"}, "unknown user command"},
		{[]string{"user", "add", "--colour", "red"}, "colour"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := runCmd(getenv, "", tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "usage:") {
				t.Errorf("error %v does not show the usage", err)
			}
		})
	}
	out, err := runCmd(getenv, "", "help")
	if err != nil || !strings.Contains(out, "minyi user add") {
		t.Errorf("help printed %q, %v", out, err)
	}
}

func TestCommandsStopOnBadConfiguration(t *testing.T) {
	for _, cmd := range [][]string{{"migrate"}, {"demo"}, {"serve"}, {"user", "add", "--username", "office1", "--role", "office"}} {
		_, err := runCmd(env("postgres://u:pw@127.0.0.1/x", "SECRET_KEY", "short"), "password-1\n", cmd...)
		if err == nil || !strings.Contains(err.Error(), "SECRET_KEY") {
			t.Errorf("%v with a short SECRET_KEY: %v, want an error naming SECRET_KEY", cmd, err)
		}
	}
	_, err := runCmd(env("postgres://minyi:db-secret@127.0.0.1:1/minyi?sslmode=disable"), "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "cannot reach Postgres") || strings.Contains(err.Error(), "db-secret") {
		t.Errorf("unreachable database: %v, want a clear error without the password", err)
	}
}

func TestUserAdd(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	getenv := env(dbURL)
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var unitID string
	if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('市税务局', '社会服务类') RETURNING id::text`).Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name     string
		args     []string
		password string
		want     string
	}{
		{"bad role", []string{"--username", "admin1", "--role", "admin"}, "password-1\n", "role"},
		{"no role", []string{"--username", "admin1"}, "password-1\n", "role"},
		{"short password", []string{"--username", "office1", "--role", "office"}, "short\n", "password"},
		{"empty stdin", []string{"--username", "office1", "--role", "office"}, "", "password"},
		{"unit role without unit", []string{"--username", "unit1", "--role", "unit"}, "password-1\n", "unit_id"},
		{"unknown unit", []string{"--username", "unit1", "--role", "unit", "--unit", "424242"}, "password-1\n", "unit_id"},
		{"office with unit", []string{"--username", "office1", "--role", "office", "--unit", unitID}, "password-1\n", "unit_id"},
		{"bad username", []string{"--username", "张三", "--role", "office"}, "password-1\n", "username"},
		{"unit not a number", []string{"--username", "unit1", "--role", "unit", "--unit", "tax"}, "password-1\n", "unit"},
		{"common password", []string{"--username", "office1", "--role", "office"}, "12345678\n", "密码过于常见"},
		{"common password, upper case", []string{"--username", "office1", "--role", "office"}, "QWERTY123\n", "密码过于常见"},
		{"chinese favourite", []string{"--username", "unit1", "--role", "unit", "--unit", unitID}, "woaini1314\n", "密码过于常见"},
		{"password is the username", []string{"--username", "office.zhang", "--role", "office"}, "office.zhang\n", "密码不能与用户名相同"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCmd(getenv, tt.password, append([]string{"user", "add"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one naming %q", err, tt.want)
			}
		})
	}
	if n, _ := users.CountUsers(ctx, pool); n != 0 {
		t.Fatalf("%d users created by refused commands", n)
	}

	out, err := runCmd(getenv, "office-pass-1\r\n", "user", "add", "--username", "office1", "--role", "office")
	if err != nil || !strings.Contains(out, "created user office1") {
		t.Fatalf("user add office: %q, %v", out, err)
	}
	if _, err := users.Authenticate(ctx, pool, "office1", "office-pass-1"); err != nil {
		t.Errorf("the new office user cannot sign in: %v", err)
	}
	if _, err := runCmd(getenv, "unit-pass-1\n", "user", "add", "--username", "unit1", "--role", "unit", "--unit", unitID); err != nil {
		t.Fatal(err)
	}
	u, err := users.Authenticate(ctx, pool, "unit1", "unit-pass-1")
	if err != nil || u.Role != "unit" || u.UnitID == nil {
		t.Errorf("unit user: %+v, %v", u, err)
	}
	_, err = runCmd(getenv, "office-pass-2\n", "user", "add", "--username", "office1", "--role", "office")
	if err == nil || !strings.Contains(err.Error(), "username") {
		t.Errorf("duplicate username: %v", err)
	}
	if _, err := users.Authenticate(ctx, pool, "office1", "office-pass-2"); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("the refused second office1 replaced the password: %v", err)
	}
}

func TestMigrateTwice(t *testing.T) {
	getenv := env(testutil.EmptyDatabaseURL(t))
	out, err := runCmd(getenv, "", "migrate")
	if err != nil || !strings.Contains(out, "applied 0001_foundation.sql") {
		t.Fatalf("first migrate: %q, %v", out, err)
	}
	out, err = runCmd(getenv, "", "migrate")
	if err != nil || strings.TrimSpace(out) != "database is up to date" {
		t.Fatalf("second migrate: %q, %v; want only %q", out, err, "database is up to date")
	}
	pool, err := db.Connect(context.Background(), getenv("DATABASE_URL"), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var part bool
	name := "ratings_" + time.Now().In(shanghai(t)).Format("200601")
	if err := pool.QueryRow(context.Background(), `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&part); err != nil || !part {
		t.Errorf("migrate did not create this month's partition %s (%v)", name, err)
	}
}

func shanghai(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestDemoSeedsOnceAndItsLoginsWork(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	getenv := env(dbURL)
	out, err := runCmd(getenv, "", "demo")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "demo data: 13 units") || !strings.Contains(out, "office-demo-2026") {
		t.Errorf("demo printed %q, want the counts and the logins", out)
	}
	pool, err := db.Connect(context.Background(), dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var unitsN, ratingsN, categories int
	err = pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM ratings),
		(SELECT count(DISTINCT category) FROM units)`).Scan(&unitsN, &ratingsN, &categories)
	if err != nil || unitsN != 13 || ratingsN < 500 || categories < 4 {
		t.Errorf("demo stored %d units in %d categories, %d ratings (%v)", unitsN, categories, ratingsN, err)
	}
	for _, login := range [][2]string{{"office", "office-demo-2026"}, {"unit-hrss", "unit-demo-2026"}, {"leader", "leader-demo-2026"}} {
		if !strings.Contains(out, login[0]) {
			t.Errorf("demo output does not list the login %s", login[0])
		}
		if _, err := users.Authenticate(context.Background(), pool, login[0], login[1]); err != nil {
			t.Errorf("demo login %s: %v", login[0], err)
		}
	}
	_, err = runCmd(getenv, "", "demo")
	if err == nil || !strings.Contains(err.Error(), "already has 13 units") {
		t.Errorf("second demo: %v, want a refusal", err)
	}
	var after int
	pool.QueryRow(context.Background(), `SELECT count(*) FROM ratings`).Scan(&after) //nolint:errcheck
	if after != ratingsN {
		t.Errorf("the refused demo changed the ratings: %d → %d", ratingsN, after)
	}
}

// A wrong channel setting stops serve before it connects anywhere, naming
// the variable.
func TestServeRefusesAWrongChannelSetting(t *testing.T) {
	for name, value := range map[string]string{"SMTP_TLS": "sometimes", "NOTIFY_WEBHOOK_URL": "not-a-url", "SMS_QUIET_HOURS": "night"} {
		overrides := []string{name, value}
		if name == "SMTP_TLS" {
			overrides = append(overrides, "SMTP_HOST", "smtp.example.gov.cn", "SMTP_FROM", "jxb@example.gov.cn")
		}
		_, err := runCmd(env("postgres://u:pw@127.0.0.1:1/x", overrides...), "", "serve")
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: %v, want an error naming %s", name, value, err, name)
		}
	}
}
