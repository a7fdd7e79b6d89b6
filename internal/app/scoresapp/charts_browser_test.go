package scoresapp_test

import (
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The scores page draws one ranking per category (the demo's six) under
// the page's CSP, on a phone and a desktop, and in print.
func TestBrowserScoreChartsDrawn(t *testing.T) {
	app := fixtures.Demo(t, time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai))
	page := app.URL + "/console/cycles/" + apptest.Itoa(int64(app.Count(t, `SELECT id FROM assessment_cycles WHERE year = 2026`))) + "/scores"
	for _, width := range []int64{375, 1440} {
		ctx, console := browsertest.Watched(t, width)
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.ChartsDrawn(t, ctx, console, page, 6)
		browsertest.PrintedCharts(t, ctx)
		browsertest.NoSidewaysScroll(t, ctx)
	}
}
