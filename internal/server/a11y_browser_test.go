package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/a11y"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// a11yPages are the main pages of each role, as route patterns filled
// with the golden world's fixtures (see goldenParams).
var a11yPages = []struct {
	role, user, password string
	routes               []string
}{
	{role: "anonymous", routes: []string{
		"/", "/login", "/q/:code", "/q/:code/thanks", "/t/:reference", "/f/:token", "/s/:token",
		"/results/:cycle_id", "/cases", "/cases/:unit", "/targets/:cycle", "/targets/:cycle/:unit", "/e/:token",
	}},
	{role: "office", user: "office", password: "office-demo-2026", routes: []string{
		"/console", "/console/todos", "/console/ratings", "/console/feedback", "/console/feedback/appeals",
		"/console/feedback/flags", "/console/feedback/item/:kind/:id", "/console/cases", "/console/cases/:id",
		"/console/cases/settings", "/console/callbacks", "/console/callbacks/:id", "/console/units", "/console/units/:id",
		"/console/cycles", "/console/cycles/:id", "/console/cycles/:id/scheme", "/console/cycles/:id/scheme/edit",
		"/console/cycles/:id/assessment",
		"/console/cycles/:id/assessment/score", "/console/cycles/:id/assessment/units/:unit_id",
		"/console/cycles/:id/assessment/settings", "/console/cycles/:id/case-carry", "/console/cycles/:id/case-deductions",
		"/console/cycles/:id/scores", "/console/cycles/:id/scores/:unit_id",
		"/console/cycles/:id/results", "/console/cycles/:id/results/:unit_id", "/console/targets", "/console/targets/:id",
		"/console/targets/warnings", "/console/surveys", "/console/surveys/new", "/console/surveys/:id",
		"/console/surveys/:id/edit", "/console/surveys/:id/agencies", "/console/agencies/:id",
		"/console/agencies/:id/uploads/:upload_id", "/console/responses", "/console/accounts",
		"/console/accounts/:id", "/console/workdays", "/console/workdays/:year", "/console/audit", "/console/audit/integrity", "/console/password",
		"/console/notifications", "/console/notifications/templates", "/console/notifications/templates/:kind", "/console/deliveries", "/console/upward",
		"/console/citizen-sms", "/console/cycles/:id/instruments", "/console/instruments/:id",
		"/console/instruments/:id/units/:unit_id",
	}},
	{role: "unit", user: "unit-hrss", password: "unit-demo-2026", routes: []string{
		"/console", "/console/todos", "/console/ratings", "/console/ratings/:id/appeal", "/console/feedback/appeals",
		"/console/cases", "/console/cases/:id", "/console/callbacks", "/console/units/:id", "/console/targets",
		"/console/targets/:id", "/console/cycles/:id", "/console/cycles/:id/assessment/units/:unit_id",
		"/console/cycles/:id/scores/:unit_id", "/console/cycles/:id/results/:unit_id", "/console/responses", "/console/notifications",
		"/console/evaluations", "/console/evaluations/:id",
	}},
	{role: "leader", user: "leader", password: "leader-demo-2026", routes: []string{
		"/console", "/console/todos", "/console/ratings", "/console/cases", "/console/units", "/console/cycles/:id",
		"/console/cycles/:id/scores", "/console/cycles/:id/results", "/console/cycles/:id/results/:unit_id",
		"/console/cycles/:id/assessment/score", "/console/targets", "/console/targets/:id", "/console/responses",
	}},
}

// Every main page of every role meets WCAG 2.1 A and AA as axe-core checks
// it, on a desktop and on a phone: no violation of serious or critical
// impact. The failure lists each one with the elements to fix.
func TestBrowserPagesMeetWCAG(t *testing.T) {
	w := newGoldenWorld(t)
	for _, width := range []int64{1440, 375} {
		for _, role := range a11yPages {
			// A browser each, so that no session carries over.
			ctx := browser.New(t, browser.Options{Width: width, Height: 900, Timeout: 10 * time.Minute})
			if role.user != "" {
				browsertest.SignIn(t, ctx, w.app.URL, role.user, role.password)
			}
			for _, route := range role.routes {
				path := w.fill(t, goldenEntry{route: "GET " + route})
				if bad := a11yCheck(t, ctx, w.app.URL+path); bad != "" {
					t.Errorf("%d px, %s, %s (%s): serious accessibility violations:\n%s", width, role.role, route, path, bad)
				}
			}
		}
	}
}

// a11yCheck opens the page and returns its serious and critical
// violations, one block each, or "" when it has none.
func a11yCheck(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(url))
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	if res.Status != 200 {
		t.Errorf("open %s: status %d", url, res.Status)
	}
	vs, err := a11y.Check(ctx)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	var b strings.Builder
	for _, v := range a11y.Serious(vs) {
		fmt.Fprintf(&b, "  %s\n", v)
	}
	return b.String()
}
