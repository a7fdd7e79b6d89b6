package auditapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/audit"
	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// On a phone the audit log stacks each entry, so the change column is as
// wide as the screen (it was squeezed to a few characters), and nothing
// makes the page scroll sideways; on a desktop it is a table.
func TestBrowserAuditLogReadableOnPhoneAndDesktop(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 800})
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.Do(t, ctx, "open the audit log", chromedp.Navigate(app.URL+"/console/audit?entity=target_sheet"),
			chromedp.WaitVisible(`table.audit dl.changes`))
		dl := browsertest.Eval[float64](t, ctx, `document.querySelector("table.audit dl.changes").getBoundingClientRect().width`)
		if min := map[int64]float64{375: 200, 1440: 400}[width]; dl < min {
			t.Errorf("%d px: the change column is %.0f px wide, want at least %.0f", width, dl, min)
		}
		if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%d px: the page scrolls %.0f px sideways", width, over)
		}
		stacked := browsertest.Eval[string](t, ctx, `getComputedStyle(document.querySelector("table.audit td")).display`)
		if want := map[int64]string{375: "block", 1440: "table-cell"}[width]; stacked != want {
			t.Errorf("%d px: cells display %s, want %s", width, stacked, want)
		}
	}
}

// The 防篡改校验 page's long checkpoints wrap on a phone instead of
// making the page scroll sideways.
func TestBrowserIntegrityPageFitsAPhone(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	if err := audit.DailyUpkeep(context.Background(), app.Pool, at, app.Config.Location); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 800})
		browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
		browsertest.Do(t, ctx, "open the integrity page", chromedp.Navigate(app.URL+"/console/audit/integrity"),
			chromedp.WaitVisible(`#chain-head`))
		if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%d px: the page scrolls %.0f px sideways", width, over)
		}
		if over := browsertest.Eval[float64](t, ctx, `(w => w.scrollWidth - w.clientWidth)(document.querySelector("#checkpoints .table-wrap"))`); over > 0 {
			t.Errorf("%d px: the checkpoints scroll %.0f px sideways", width, over)
		}
		if ok := browsertest.Eval[bool](t, ctx, `document.querySelector("#last-verification").innerText.includes("校验通过")`); !ok {
			t.Errorf("%d px: the last verification is not shown as passed", width)
		}
	}
}
