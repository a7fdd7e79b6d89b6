package agenciesapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// The mapping step in a browser, on a desktop and a phone: the page fits
// (the column table scrolls inside its card) and saving imports the file.
// MINYI_SHOTS names a folder to keep the screenshots in.
func TestBrowserAgencyMappingStep(t *testing.T) {
	for _, width := range []int64{1440, 375} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		w := fixtures.NewAgencyWorld(t)
		c := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
		p := apptest.PostFile(t, c, "/console/agencies/"+apptest.Itoa(w.Agency)+"/uploads", "问卷星导出.csv", wjxFile(wjxRow1, wjxRow2, wjxRow3))
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/mappings/") {
			t.Fatalf("upload: %d %q", p.Status, p.Location)
		}
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		browsertest.Do(t, ctx, "open the step", chromedp.Navigate(w.App.URL+p.Location), chromedp.WaitVisible(chromedp.CSS("#mapping select")))
		if sw := browsertest.Eval[int64](t, ctx, `document.documentElement.scrollWidth`); sw > width {
			t.Errorf("the mapping page is %d px wide on a %d px screen", sw, width)
		}
		browsertest.Shot(t, ctx, "mapping-"+apptest.Itoa(width))
		browsertest.Do(t, ctx, "save", chromedp.SetValue(chromedp.CSS("#m-numbers"), "first_best"),
			chromedp.Click(chromedp.CSS("#mapping button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#rows-stored")))
		if got := browsertest.Text(t, ctx, "#rows-stored"); got != "3" {
			t.Errorf("%d px: %s rows stored", width, got)
		}
		browsertest.Shot(t, ctx, "report-"+apptest.Itoa(width))
	}
}
