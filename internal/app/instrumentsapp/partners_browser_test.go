package instrumentsapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser, the office goes from the 部门互评 to its partners,
// finds a unit by name, ticks the unit it works with and saves.
func TestBrowserPartners(t *testing.T) {
	w, inst := partnersWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the partners", chromedp.Navigate(w.App.URL+"/console/instruments/"+apptest.Itoa(inst.ID)),
		chromedp.Click(`#partners-link`), chromedp.WaitVisible(`#rater-table`))
	browsertest.Do(t, ctx, "find the unit", chromedp.SendKeys(`#f-q`, "政务"), chromedp.Submit(`#f-q`),
		chromedp.WaitVisible(`#rater-table tbody tr:only-child`))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("#rater-table tbody tr").length`); n != 1 {
		t.Fatalf("%d units found, want 1", n)
	}
	browsertest.Do(t, ctx, "edit its partners", chromedp.Click(`#rater-table a`), chromedp.WaitVisible(`#candidate-table`),
		chromedp.Click(`#on-`+apptest.Itoa(w.B.ID)), chromedp.Click(`#save-partners`), chromedp.WaitVisible(`.alert-ok`))
	if got := browsertest.Text(t, ctx, "#chosen-count"); got != "1" {
		t.Fatalf("chosen count %q", got)
	}
	if got := browsertest.Text(t, ctx, ".alert-ok"); !strings.Contains(got, "协作单位已保存") {
		t.Errorf("flash %q", got)
	}
	if got := partnerIDs(t, w, inst.ID, w.A.ID); len(got) != 1 || got[0] != w.B.ID {
		t.Fatalf("partners %v", got)
	}
}
