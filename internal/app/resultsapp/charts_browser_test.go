package resultsapp_test

import (
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The office's results page of the demo's current year draws the grades
// per category and, for each of the six categories, the distribution with
// its grade lines and the comparison with last year's final results; the
// public page of last year's final results draws the grades and each
// category's bars — on a phone and a desktop, in print, with no console
// error under the CSP.
func TestBrowserResultChartsDrawn(t *testing.T) {
	app := fixtures.Demo(t, time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai))
	this := apptest.Itoa(int64(app.Count(t, `SELECT id FROM assessment_cycles WHERE year = 2026`)))
	last := apptest.Itoa(int64(app.Count(t, `SELECT id FROM assessment_cycles WHERE year = 2025`)))
	for _, width := range []int64{375, 1440} {
		ctx, console := browsertest.Watched(t, width)
		browsertest.ChartsDrawn(t, ctx, console, app.URL+"/results/"+last, 7)
		browsertest.PrintedCharts(t, ctx)
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.ChartsDrawn(t, ctx, console, app.URL+"/console/cycles/"+this+"/results", 13)
		if s := browsertest.Text(t, ctx, "#grade-charts"); !strings.Contains(s, "各类别等次分布") {
			t.Errorf("grades chart: %q", s)
		}
		if n := browsertest.Eval[int](t, ctx, `[...document.querySelectorAll('.chart-title')].filter(e => e.textContent.includes('本年度与上年度（2025年度）对比')).length`); n != 6 {
			t.Errorf("%d px: %d comparisons with 2025, want one per category (6)", width, n)
		}
		browsertest.PrintedCharts(t, ctx)
		browsertest.NoSidewaysScroll(t, ctx)
	}
}
