package auditapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minyi/internal/audit"
	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
)

// The demo world records the common actions (units, accounts, schemes,
// scoring, targets, verdicts, cases, surveys): every field they log has a
// Chinese name, and the page shows none as 其他字段 or 其他操作.
func TestCommonActionsFieldsHaveChineseNames(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	list, _, err := audit.List(context.Background(), app.Pool, audit.Filter{Limit: audit.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]bool{}
	for _, e := range list {
		actions[e.Action] = true
		if _, ok := audit.ActionLabel(e.Action); !ok {
			t.Errorf("action %s has no label", e.Action)
		}
		if miss := audit.UnlabelledFields(e.Entity, e.Before, e.After); len(miss) > 0 {
			t.Errorf("%s on %s: fields without a Chinese name %v", e.Action, e.Entity, miss)
		}
	}
	if len(actions) < 20 {
		t.Fatalf("the demo recorded only %d kinds of action", len(actions))
	}
	c := apptest.SignedIn(t, app, "office", "office-demo-2026")
	for _, q := range []string{"", "?entity=cycle", "?entity=rectification_case", "?entity=target_sheet"} {
		p := apptest.Get(t, c, "/console/audit"+q)
		text := apptest.PageText(p.Body)
		if p.Status != 200 || strings.Contains(text, "其他字段") || strings.Contains(text, "其他操作") {
			t.Errorf("/console/audit%s: %d, shows an unnamed field or action", q, p.Status)
		}
	}
}
