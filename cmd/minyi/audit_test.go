package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// `minyi audit verify` passes on an untouched log and with a checkpoint
// printed by `minyi audit checkpoint`, and exits with an error naming the
// entry once one is changed behind the product's back.
func TestAuditVerifyCommand(t *testing.T) {
	dbURL := testutil.DatabaseURL(t)
	getenv := env(dbURL)
	ctx := context.Background()
	pool, err := db.Connect(ctx, dbURL, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for i := range 3 {
		if err := audit.Record(ctx, pool, audit.System, "unit.update", "unit", "1", nil, map[string]int{"i": i}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := runCmd(getenv, "", "audit", "checkpoint")
	if err != nil || !strings.Contains(out, "chain head") {
		t.Fatalf("checkpoint: %v\n%s", err, out)
	}
	head, err := audit.Head(ctx, pool, time.Now())
	if err != nil || !strings.Contains(out, head.String()) {
		t.Fatalf("checkpoint output lacks the head %s: %v\n%s", head, err, out)
	}
	out, err = runCmd(getenv, "", "audit", "verify", "--checkpoint", head.String())
	if err != nil || !strings.HasPrefix(out, "ok") || !strings.Contains(out, "3 links") {
		t.Fatalf("verify: %v\n%s", err, out)
	}
	for _, s := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
		`UPDATE audit_log SET actor = 'someone' WHERE id = (SELECT max(id) FROM audit_log)`} {
		if _, err := pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	out, err = runCmd(getenv, "", "audit", "verify")
	if !errors.Is(err, errChainBroken) || !strings.HasPrefix(out, "FAILED") || !strings.Contains(out, "审计记录第") {
		t.Fatalf("verify after an edit: %v\n%s", err, out)
	}
	var recorded int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_verifications WHERE NOT ok`).Scan(&recorded); err != nil || recorded != 1 {
		t.Fatalf("failed verifications recorded: %d %v", recorded, err)
	}
	for _, args := range [][]string{{"audit"}, {"audit", "nope"}, {"audit", "verify", "--checkpoint", "x"},
		{"audit", "checkpoint", "extra"}} {
		if _, err := runCmd(getenv, "", args...); err == nil || errors.Is(err, errChainBroken) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
}

// `minyi results verify` wants a cycle and says when it has no published
// results; the recomputation itself is tested in internal/app/resultsapp.
func TestResultsVerifyCommandArguments(t *testing.T) {
	getenv := env(testutil.DatabaseURL(t))
	for _, args := range [][]string{{"results"}, {"results", "check"}, {"results", "verify"},
		{"results", "verify", "--cycle", "x"}, {"results", "verify", "--cycle", "1", "extra"}} {
		if _, err := runCmd(getenv, "", args...); err == nil || !strings.Contains(err.Error(), "usage") {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	if _, err := runCmd(getenv, "", "results", "verify", "--cycle", "4242"); err == nil ||
		errors.Is(err, errResultsDiffer) || !strings.Contains(err.Error(), "没有") {
		t.Errorf("an unknown cycle: %v", err)
	}
}
