package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/browser"
)

// Console collects what the open page writes to its console as an error or
// a warning, its uncaught exceptions, and logged errors (a script or style
// the content security policy refused among them).
type Console struct {
	mu    sync.Mutex
	lines []string
}

// WatchConsole starts collecting the console errors of ctx's tab.
func WatchConsole(t *testing.T, ctx context.Context) *Console {
	t.Helper()
	c := &Console{}
	err := chromedp.Listen(ctx, func(ev any) {
		var line string
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning {
				return
			}
			parts := []string{string(e.Type) + ":"}
			for _, a := range e.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`)+a.Description)
			}
			line = strings.Join(parts, " ")
		case *log.EventEntryAdded:
			// The site has no favicon (browsers ask anyway); a CSP refusal
			// counts at any level.
			if strings.HasSuffix(e.Entry.URL, "/favicon.ico") ||
				e.Entry.Level != log.EntryLevelError && !strings.Contains(e.Entry.Text, "Content Security Policy") {
				return
			}
			line = string(e.Entry.Source) + ": " + e.Entry.Text
		case *runtime.EventExceptionThrown:
			line = "exception: " + e.ExceptionDetails.Text
			if x := e.ExceptionDetails.Exception; x != nil {
				line += " " + x.Description
			}
		default:
			return
		}
		c.mu.Lock()
		c.lines = append(c.lines, line)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatalf("watch the console: %v", err)
	}
	return c
}

// Errors returns what was collected so far.
func (c *Console) Errors() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.lines...)
}

// Clear forgets what was collected so far: the report of a refusal the
// test asked for (a form sent back with its errors, status 422).
func (c *Console) Clear() {
	c.mu.Lock()
	c.lines = nil
	c.mu.Unlock()
}

// Check fails the test for each report collected so far, naming where,
// and forgets them.
func (c *Console) Check(t *testing.T, where string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.lines {
		t.Errorf("%s: %s", where, m)
	}
	c.lines = nil
}

// ChartsDrawn opens path and waits until every chart of the page
// (partials/chart.html: a .chart element) is drawn — charts.js marks it
// chart-drawn and ECharts put an <svg> in it — and fails the test when the
// page has fewer than want charts, a chart is not drawn, or the console
// reported an error. It returns the number of charts.
func ChartsDrawn(t *testing.T, ctx context.Context, console *Console, url string, want int) int {
	t.Helper()
	Do(t, ctx, "open "+url, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
	n := Eval[int](t, ctx, `document.querySelectorAll('.chart').length`)
	if n < want {
		t.Fatalf("%s: %d charts, want at least %d", url, n, want)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`window.echarts !== undefined && document.querySelectorAll('.chart').length ===
		document.querySelectorAll('.chart.chart-drawn svg').length`)); err != nil {
		t.Fatalf("%s: charts not drawn (%d of %d have an svg): %v", url,
			Eval[int](t, ctx, `document.querySelectorAll('.chart.chart-drawn svg').length`), n, err)
	}
	if errs := console.Errors(); len(errs) > 0 {
		t.Fatalf("%s: console errors: %s", url, strings.Join(errs, "\n"))
	}
	return n
}

// PrintedCharts switches the page to print media (as the browser's print
// preview does) and fails the test when a chart's drawing has no width or
// height there, or the "查看数据" toggles still show.
func PrintedCharts(t *testing.T, ctx context.Context) {
	t.Helper()
	Do(t, ctx, "print media", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return chromedp.Void{}, err
	})
	defer Do(t, ctx, "screen media", func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
		return chromedp.Void{}, err
	})
	if n := Eval[int](t, ctx, `[...document.querySelectorAll('.chart svg')].filter(s => { const r = s.getBoundingClientRect(); return r.width < 100 || r.height < 100 }).length`); n > 0 {
		t.Errorf("printed: %d charts without a drawing", n)
	}
	if n := Eval[int](t, ctx, `[...document.querySelectorAll('.chart-table summary')].filter(s => getComputedStyle(s).display !== 'none').length`); n > 0 {
		t.Errorf("printed: %d 查看数据 toggles show", n)
	}
}

// Watched starts a headless browser width CSS pixels wide and collects its
// console errors from the start.
func Watched(t *testing.T, width int64) (context.Context, *Console) {
	t.Helper()
	ctx := browser.New(t, browser.Options{Width: width, Height: 900})
	return ctx, WatchConsole(t, ctx)
}

// NoSidewaysScroll fails the test when the open page is wider than the
// window (a phone would scroll it sideways).
func NoSidewaysScroll(t *testing.T, ctx context.Context) {
	t.Helper()
	NoSideways(t, ctx, Eval[string](t, ctx, `location.pathname`))
}
