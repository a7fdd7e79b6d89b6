package overviewapp_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// consoleErrors collects what the page reports as wrong: exceptions,
// console.error and console.warn calls, and logged errors (a script or
// style the content security policy refused among them).
type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func watchConsole(t *testing.T, ctx context.Context) *consoleErrors {
	t.Helper()
	e := &consoleErrors{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				msg = "log: " + ev.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				msg = "console." + string(ev.Type)
				for _, a := range ev.Args {
					msg += " " + string(a.Value) + a.Description
				}
			}
		}
		if msg != "" {
			e.mu.Lock()
			e.list = append(e.list, msg)
			e.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *consoleErrors) check(t *testing.T, where string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.list {
		t.Errorf("%s: %s", where, m)
	}
	e.list = nil
}

// chartsDrawn waits until every chart of the page is drawn and returns
// how many there are; it fails the test when one has no <svg>.
func chartsDrawn(t *testing.T, ctx context.Context, where string) int {
	t.Helper()
	browsertest.Do(t, ctx, where+": open", chromedp.WaitVisible(chromedp.CSS("h1")))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelectorAll('.chart').length === document.querySelectorAll('.chart.chart-drawn').length`)); err != nil {
		t.Fatalf("%s: waiting for the charts: %v", where, err)
	}
	n := browsertest.Eval[int](t, ctx, `document.querySelectorAll('.chart').length`)
	if bad := browsertest.Eval[string](t, ctx, `Array.from(document.querySelectorAll('.chart'))
		.filter(e => !e.classList.contains('chart-drawn') || !e.querySelector('svg')).map(e => e.id).join(' ')`); bad != "" {
		t.Errorf("%s: charts not drawn as SVG: %s", where, bad)
	}
	return n
}

// TestBrowserChartsDraw opens the office's charts on a desktop and a
// unit's charts on a phone in Chromium, under the content security policy:
// every chart is drawn (an <svg> in each .chart), nothing is reported on
// the console, and the phone's page is no wider than its screen.
func TestBrowserChartsDraw(t *testing.T) {
	w := newChartWorld(t)
	w.rollUp(t)
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	errs := watchConsole(t, ctx)
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	for _, path := range []string{"/console/charts", "/console/charts?days=365", "/console/units/" + apptest.Itoa(w.A.ID) + "/charts"} {
		browsertest.Do(t, ctx, "open "+path, chromedp.Navigate(w.App.URL+path))
		if n := chartsDrawn(t, ctx, path); n < 5 {
			t.Errorf("%s: %d charts drawn", path, n)
		}
		errs.check(t, path)
	}

	const phone = 375
	pctx := browser.New(t, browser.Options{Width: phone, Height: 800})
	perrs := watchConsole(t, pctx)
	browsertest.SignIn(t, pctx, w.App.URL, "unit-a", "unit-pass-1")
	browsertest.Do(t, pctx, "open the home page", chromedp.Navigate(w.App.URL+"/console"), chromedp.WaitVisible(chromedp.ID("charts-link")))
	browsertest.Do(t, pctx, "follow 统计图表", chromedp.Click(chromedp.ID("charts-link"), chromedp.NodeVisible))
	if n := chartsDrawn(t, pctx, "the unit's charts on a phone"); n != 5 {
		t.Errorf("the unit's charts: %d drawn", n)
	}
	if sw := browsertest.Eval[int](t, pctx, `document.documentElement.scrollWidth`); sw > phone {
		t.Errorf("the unit's charts are %d px wide on a %d px phone", sw, phone)
	}
	if cw := browsertest.Eval[int](t, pctx, `Math.round(document.querySelector('.chart svg').getBoundingClientRect().width)`); cw > phone || cw < 250 {
		t.Errorf("a chart is %d px wide on a %d px phone", cw, phone)
	}
	perrs.check(t, "the unit's charts on a phone")
}
