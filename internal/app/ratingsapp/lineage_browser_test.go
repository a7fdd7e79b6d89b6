package ratingsapp_test

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserUnitLineage: on a phone and a desktop the office names a
// predecessor with the unit page's form; a form without one comes back
// with the message next to the field; the page never scrolls sideways.
func TestBrowserUnitLineage(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	for _, width := range []int64{375, 1440} {
		m := w.CreateUnit(t, "合并后的局"+strconv.FormatInt(width, 10), "经济发展类")
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		page := w.App.URL + "/console/units/" + apptest.Itoa(m.ID)
		browsertest.Do(t, ctx, "refused form", chromedp.Navigate(page), chromedp.Submit(`#predecessor-form`),
			chromedp.WaitVisible(`#predecessor-form .err`))
		if msg := browsertest.Eval[string](t, ctx, `document.querySelector("#predecessor-form .err").textContent`); msg != "请选择前身单位" {
			t.Errorf("%d px: message %q", width, msg)
		}
		browsertest.Do(t, ctx, "add", chromedp.SetValue(`#l-pred`, apptest.Itoa(w.A.ID)), chromedp.SetValue(`#l-note`, "两局合并"),
			chromedp.Submit(`#predecessor-form`), chromedp.WaitVisible(`#predecessors`))
		if got := browsertest.Eval[string](t, ctx, `document.querySelector("#predecessors tbody td").textContent.trim()`); got != "市政务服务中心" {
			t.Errorf("%d px: predecessor %q", width, got)
		}
		if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%d px: the page scrolls %.0f px sideways", width, over)
		}
	}
}
