package demo_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/todos"
	"minyi/internal/users"
)

// TestSeedGivesEveryRoleTodos: after the demo seed, the demo unit account
// has a case in every state and owes a progress report and its
// self-evaluation, and the office has a backlog, a case to verify, an
// appeal to rule on and target sheets to approve.
func TestSeedGivesEveryRoleTodos(t *testing.T) {
	ctx := context.Background()
	pool, cfg, res, now := seeded(t, 2026, 12, 3)
	if res.Cases < 10 || res.Sheets != 8 {
		t.Errorf("seeded %d cases, %d sheets", res.Cases, res.Sheets)
	}
	var unitID int64
	if err := pool.QueryRow(ctx, `SELECT unit_id FROM users WHERE username = 'unit-hrss'`).Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	var states int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT status) FROM rectification_cases WHERE unit_id = $1`, unitID).Scan(&states); err != nil {
		t.Fatal(err)
	}
	if states != 5 {
		t.Errorf("the demo unit's cases are in %d states, want all 5", states)
	}
	tenv := todos.Env{Now: now, Loc: cfg.Location, ReviewPeriod: 90 * 24 * time.Hour, SurveyAhead: 7}
	want := map[string][]string{
		users.RoleUnit: {todos.KindCaseAnswer, todos.KindCaseReturned, todos.KindCaseFix, todos.KindProgressReport,
			todos.KindSelfEvaluation},
		users.RoleOffice: {todos.KindReviewBacklog, todos.KindCaseVerify, todos.KindFeedbackAppeals, todos.KindTargetApproval},
	}
	for role, kinds := range want {
		u := users.User{Role: role}
		if role == users.RoleUnit {
			u.UnitID = &unitID
		}
		list, err := todos.For(ctx, pool, u, tenv)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, it := range list {
			have[it.Kind] = true
		}
		for _, k := range kinds {
			if !have[k] {
				t.Errorf("%s's to-dos lack %s: %+v", role, k, list)
			}
		}
	}
}
