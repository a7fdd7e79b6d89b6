package notify_test

import (
	"context"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"minyi/internal/notify"
	"minyi/internal/testutil"
)

var updateRiver = flag.Bool("update-river", false, "rewrite river's part of migrations 0032 and 0033 from the river module in go.mod")

const (
	riverMigration  = "../../migrations/0032_river_queue.sql"
	notifyMigration = "../../migrations/0033_notifications.sql"
	riverMarker     = "\n-- River's versions 5 and after"
)

// The job queue's tables come from a migration file written from river's
// own migrations, so that `minyi migrate`, its lock and the test template
// make them like every other table. Upgrading river changes its SQL: this
// test then fails until the file is rewritten (-update-river) and, when
// river added versions, a new migration applies them.
func TestRiverMigrationMatchesTheLibrary(t *testing.T) {
	first, second, err := notify.QueueSchemaSQL()
	if err != nil {
		t.Fatal(err)
	}
	own, err := os.ReadFile(notifyMigration)
	if err != nil {
		t.Fatal(err)
	}
	ours, _, _ := strings.Cut(string(own), riverMarker)
	if *updateRiver {
		if err := os.WriteFile(riverMigration, []byte(first), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(notifyMigration, []byte(ours+second), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(riverMigration)
	if err != nil {
		t.Fatal(err)
	}
	got2, err := os.ReadFile(notifyMigration)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != first || !strings.HasSuffix(string(got2), second) {
		t.Fatal("river's part of migrations 0032 and 0033 differs from the river module's migrations: " +
			"run go test ./internal/notify -run TestRiverMigration -update-river")
	}
}

// River itself agrees that a migrated database has every migration it
// needs.
func TestRiverValidatesTheMigratedSchema(t *testing.T) {
	pool := testutil.DB(t)
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Validate(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("river reports missing migrations: %v", res.Messages)
	}
}
