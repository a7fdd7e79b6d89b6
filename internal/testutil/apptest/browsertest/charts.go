package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Console collects what a tab reports as wrong: exceptions, console.error
// and console.warn calls, and logged errors (a script or style the content
// security policy refused among them).
type Console struct {
	mu   sync.Mutex
	list []string
}

// WatchConsole starts collecting the tab's reports.
func WatchConsole(t *testing.T, ctx context.Context) *Console {
	t.Helper()
	e := &Console{}
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

// Check fails the test for each report collected so far, naming where,
// and forgets them.
func (e *Console) Check(t *testing.T, where string) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.list {
		t.Errorf("%s: %s", where, m)
	}
	e.list = nil
}

// ChartsDrawn waits until web/static/charts.js has drawn every chart of
// the open page (class chart-drawn on each .chart) and returns how many
// there are; it fails the test when one holds no <svg>.
func ChartsDrawn(t *testing.T, ctx context.Context, where string) int {
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
