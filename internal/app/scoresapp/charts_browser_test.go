package scoresapp_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// The scores page draws one ranking per category (the demo's six) under
// the page's CSP, on a phone and a desktop, and in print.
func TestBrowserScoreChartsDrawn(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	cycle := app.Count(t, `SELECT id FROM assessment_cycles WHERE year = 2026`)
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		console := browsertest.WatchConsole(t, ctx)
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.ChartsDrawn(t, ctx, console, app.URL+"/console/cycles/"+apptest.Itoa(int64(cycle))+"/scores", 6)
		browsertest.PrintedCharts(t, ctx)
		if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%d px: the page scrolls %.0f px sideways", width, over)
		}
	}
}
