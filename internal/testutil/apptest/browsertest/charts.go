package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// PageChartsDrawn waits until web/static/charts.js has drawn every chart of
// the page already open (class chart-drawn on each .chart) and returns how many
// there are; it fails the test when one holds no <svg>.
func PageChartsDrawn(t *testing.T, ctx context.Context, where string) int {
	t.Helper()
	Do(t, ctx, where+": open", chromedp.WaitVisible(chromedp.CSS("h1")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelectorAll('.chart').length === document.querySelectorAll('.chart.chart-drawn').length`)); err != nil {
		t.Fatalf("%s: waiting for the charts: %v", where, err)
	}
	if bad := Eval[string](t, ctx, `Array.from(document.querySelectorAll('.chart'))
		.filter(e => !e.classList.contains('chart-drawn') || !e.querySelector('svg')).map(e => e.id).join(' ')`); bad != "" {
		t.Errorf("%s: charts not drawn as SVG: %s", where, bad)
	}
	return Eval[int](t, ctx, `document.querySelectorAll('.chart').length`)
}
