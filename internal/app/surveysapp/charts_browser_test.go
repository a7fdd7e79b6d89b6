package surveysapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The demo survey's overview draws the response rate per group and the
// aspects' heat map; choosing another category redraws the heat map for
// its units.
func TestBrowserSurveyChartsDrawn(t *testing.T) {
	app := fixtures.Demo(t, time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai))
	page := app.URL + "/console/surveys/" + apptest.Itoa(int64(app.Count(t, `SELECT min(id) FROM surveys`)))
	for _, width := range []int64{375, 1440} {
		ctx, console := browsertest.Watched(t, width)
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.ChartsDrawn(t, ctx, console, page, 2)
		browsertest.PrintedCharts(t, ctx)
		// The category submits itself when changed (data-autosubmit), and
		// SetValue fires the change; the page before has a drawn heat map
		// too.
		browsertest.Do(t, ctx, "another category", browsertest.LeadsTo(
			chromedp.SetValue(chromedp.ID("category"), "社会服务类"), "#chart-aspects.chart-drawn svg"))
		if s := browsertest.Eval[string](t, ctx, `document.querySelector('#survey-charts').innerText`); !strings.Contains(s, "分项评价平均分（社会服务类）") {
			t.Errorf("%d px: the heat map is not of 社会服务类: %q", width, s)
		}
		if errs := console.Errors(); len(errs) > 0 {
			t.Errorf("console: %v", errs)
		}
		browsertest.NoSidewaysScroll(t, ctx)
	}
}
