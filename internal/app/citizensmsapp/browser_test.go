package citizensmsapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// smsWorld is a server with a gateway and its worker, and a closed case
// whose citizen got the call-back notice and the 追评 link; stop is the
// path of the last message's opt-out link.
type smsWorld struct {
	*fixtures.APIWorld
	g    *gateway
	stop string
}

func newSMSWorld(t *testing.T) *smsWorld {
	t.Helper()
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := &smsWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env}), g: g}
	startWorker(t, w.App, clock.Now)
	cs := fixtures.QRCase(t, w.APIWorld, phone)
	closeCase(t, w.APIWorld, cs.ID)
	fixtures.QRCase(t, w.APIWorld, "13912340000")
	waitFor(t, "three SMS", func() bool { return len(list(t, w.APIWorld, "?state=sent").Items) == 3 })
	for _, m := range g.messages(t) {
		if m.To == phone {
			links := linkRE.FindAllString(m.Text, -1)
			w.stop = strings.TrimPrefix(links[len(links)-1], w.App.URL)
		}
	}
	return w
}

// TestBrowserOptOut: the citizen opens the opt-out link in WeChat, sees
// the masked number and confirms with the button.
func TestBrowserOptOut(t *testing.T) {
	w := newSMSWorld(t)
	ctx := browser.New(t, browser.Options{})
	browsertest.Do(t, ctx, "open the opt-out link", chromedp.Navigate(w.App.URL+w.stop), chromedp.WaitVisible(chromedp.ID("stop-button")))
	if got := browsertest.Text(t, ctx, "#stop"); !strings.Contains(got, "138****5678") {
		t.Fatalf("page says %q", got)
	}
	browsertest.Do(t, ctx, "confirm", chromedp.Click(chromedp.ID("stop-button")), chromedp.WaitVisible(chromedp.ID("result")))
	if got := browsertest.Text(t, ctx, "#result"); got != "已退订" {
		t.Fatalf("result %q", got)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM citizen_sms_optouts`); n != 1 {
		t.Fatalf("%d opt-outs", n)
	}
}

// TestBrowserOfficeListAndSwitches: the office reaches the list from the
// failed deliveries, filters it by kind and switches the 追评 SMS off.
func TestBrowserOfficeListAndSwitches(t *testing.T) {
	w := newSMSWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the list from the deliveries page", chromedp.Navigate(w.App.URL+"/console/deliveries"),
		chromedp.Click(chromedp.ID("citizen-sms-link")), chromedp.WaitVisible(chromedp.ID("messages")))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("table.citizen-sms tbody tr").length`); n != 3 {
		t.Fatalf("%d messages listed, want 3", n)
	}
	// The unfiltered list has #messages too.
	browsertest.Do(t, ctx, "filter by kind", chromedp.SetValue(chromedp.ID("f-kind"), "case_followup"),
		browsertest.LeadsTo(chromedp.Submit(chromedp.ID("f-kind")), "#messages"))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("table.citizen-sms tbody tr").length`); n != 1 {
		t.Fatalf("%d 追评 messages listed, want 1", n)
	}
	browsertest.Do(t, ctx, "switch the 追评 SMS off", chromedp.Click(chromedp.CSS(`input[name=case_followup]`)),
		chromedp.Click(chromedp.ID("save-settings")), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	var on bool
	if err := w.App.Pool.QueryRow(t.Context(), `SELECT case_followup FROM citizen_sms_settings`).Scan(&on); err != nil || on {
		t.Fatalf("case_followup = %v, %v", on, err)
	}
}
