package agenciesapp_test

import (
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// The agency's page on a phone: its token table (wider than a phone) used to
// widen the page's grid column to 722 px; it scrolls inside its card now.
func TestBrowserAgencyPageFitsAPhone(t *testing.T) {
	const phone = 375
	ctx := browser.New(t, browser.Options{Width: phone, Height: 800}) // first, so a skip costs nothing
	w := fixtures.NewAgencyWorld(t)
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	for _, path := range []string{"/console/agencies/" + apptest.Itoa(w.Agency), "/console/surveys/" + apptest.Itoa(w.Survey) + "/agencies"} {
		browsertest.Do(t, ctx, "open "+path, chromedp.Navigate(w.App.URL+path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		// Not window.innerWidth: a phone's layout viewport grows with the page.
		if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > phone {
			t.Errorf("%s is %d px wide on a %d px phone", path, sw, phone)
		}
	}
}
