package surveysapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// The demo survey's overview draws the response rate per group and the
// aspects' heat map; choosing another category redraws the heat map for
// its units.
func TestBrowserSurveyChartsDrawn(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	page := app.URL + "/console/surveys/" + apptest.Itoa(int64(app.Count(t, `SELECT min(id) FROM surveys`)))
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		console := browsertest.WatchConsole(t, ctx)
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.ChartsDrawn(t, ctx, console, page, 2)
		browsertest.PrintedCharts(t, ctx)
		if s := browsertest.Text(t, ctx, "#chart-aspects"); s == "" && !browsertest.Eval[bool](t, ctx, `!!document.querySelector('#chart-aspects svg')`) {
			t.Errorf("%d px: no heat map", width)
		}
		browsertest.Do(t, ctx, "another category", chromedp.SetValue(chromedp.ID("category"), "社会服务类"),
			chromedp.Submit(chromedp.ID("category")), chromedp.WaitVisible(chromedp.CSS(`#chart-aspects.chart-drawn svg`)))
		if s := browsertest.Eval[string](t, ctx, `document.querySelector('#survey-charts').innerText`); !strings.Contains(s, "分项评价平均分（社会服务类）") {
			t.Errorf("%d px: the heat map is not of 社会服务类: %q", width, s)
		}
		if errs := console.Errors(); len(errs) > 0 {
			t.Errorf("console: %v", errs)
		}
	}
}
