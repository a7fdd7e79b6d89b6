package casesapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/figures"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The public case pages and the portal read on a phone (WeChat's browser)
// and a desktop: the 好差评 figures the maintenance computed, the released
// cases per unit as bars, and a unit's rates beside all units'.
func TestBrowserPublicFiguresAndCharts(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := fixtures.Demo(t, at)
	ctx0 := context.Background()
	// Before the maintenance's first run the pages say the figures come.
	body := apptest.Get(t, app.Client(), "/cases").Body
	if !strings.Contains(body, "本年度数据尚在生成") {
		t.Errorf("/cases before the figures: %s", body)
	}
	if err := figures.Refresh(ctx0, app.Pool, at, app.Config.Location); err != nil {
		t.Fatal(err)
	}
	unit := app.Count(t, `UPDATE rectification_cases SET released = true
		WHERE id = (SELECT min(id) FROM rectification_cases WHERE source_kind = 'rating') RETURNING unit_id`)
	y, _, err := figures.Load(ctx0, app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{375, 1440} {
		ctx, console := browsertest.Watched(t, width)
		browsertest.Do(t, ctx, "the portal", chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.ID("figures")))
		if s := browsertest.Text(t, ctx, "#figures .fig-satisfaction"); s != y.Province.Satisfaction().Text() {
			t.Errorf("portal 满意率 %q, want %q", s, y.Province.Satisfaction().Text())
		}
		browsertest.ChartsDrawn(t, ctx, console, app.URL+"/cases", 1)
		if s := browsertest.Text(t, ctx, "#figures .fig-rectified"); s != y.Province.Rectified().Text() {
			t.Errorf("/cases 差评整改率 %q, want %q", s, y.Province.Rectified().Text())
		}
		browsertest.ChartsDrawn(t, ctx, console, app.URL+"/cases/"+apptest.Itoa(int64(unit)), 1)
		own, _ := y.Unit(int64(unit))
		if s := browsertest.Text(t, ctx, "#figures .fig-ontime"); s != own.OnTimeAnswers().Text() {
			t.Errorf("unit 按期答复率 %q, want %q", s, own.OnTimeAnswers().Text())
		}
		browsertest.PrintedCharts(t, ctx)
		browsertest.NoSidewaysScroll(t, ctx)
	}
}
