package ratingsapp_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserAbolishUnit: on a phone and a desktop the office abolishes a
// unit from its page: a form without a day or note comes back with the
// messages beside the fields; once abolished the page says since when and
// names the successor, the unit list tags it and filters it, and its QR
// page tells a citizen where to rate now; no page scrolls sideways.
func TestBrowserAbolishUnit(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	loc, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Now().In(loc).Format("2006-01-02")
	for _, width := range []int64{375, 1440} {
		u := w.CreateUnit(t, "市口岸办"+strconv.FormatInt(width, 10), "经济发展类")
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		page := w.App.URL + "/console/units/" + apptest.Itoa(u.ID)
		noScroll := func(what string) {
			t.Helper()
			if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
				t.Errorf("%d px, %s: the page scrolls %.0f px sideways", width, what, over)
			}
		}
		browsertest.Do(t, ctx, "refused form", chromedp.Navigate(page), chromedp.Submit(`#abolish-form`),
			chromedp.WaitVisible(`#abolish-form .err`))
		errs := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("#abolish-form .err")].map(e => e.textContent).join("|")`)
		if !strings.Contains(errs, "请填写撤销日期") || !strings.Contains(errs, "请填写撤销说明") || strings.Contains(errs, "后继") {
			t.Errorf("%d px: messages %q", width, errs)
		}
		browsertest.Do(t, ctx, "abolish", chromedp.SetValue(`#a-on`, today), chromedp.SetValue(`#a-note`, "机构改革，并入市税务局"),
			chromedp.SetValue(`#a-succ`, apptest.Itoa(w.B.ID)), chromedp.Submit(`#abolish-form`), chromedp.WaitVisible(`#abolished-state`))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#abolished-state").textContent`); !strings.Contains(got, "已于") ||
			!strings.Contains(got, "市税务局") {
			t.Errorf("%d px: state %q", width, got)
		}
		noScroll("unit page")
		browsertest.Do(t, ctx, "list", chromedp.Navigate(w.App.URL+"/console/units?state=abolished"), chromedp.WaitVisible(`table`))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("table tbody").textContent`); !strings.Contains(got, u.Name) ||
			!strings.Contains(got, "已撤销") || strings.Contains(got, "市政务服务中心") {
			t.Errorf("%d px: abolished units %q", width, got)
		}
		noScroll("unit list")
		browsertest.Do(t, ctx, "QR page", chromedp.Navigate(w.App.URL+"/q/"+u.QR.Code), chromedp.WaitVisible(`#abolished`))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#rate-successor").textContent`); got != "评价市税务局" {
			t.Errorf("%d px: successor link %q", width, got)
		}
		noScroll("QR page")
	}
}
