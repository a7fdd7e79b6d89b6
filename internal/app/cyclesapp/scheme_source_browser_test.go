package cyclesapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// In a real browser, the office turns an item into an automatic one,
// picks the cycle's leaders' evaluation by name as its source and saves.
func TestBrowserSchemeEditorChoosesInstrument(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/instruments",
		map[string]any{"key": "leaders", "name": "市领导评价", "purpose": "leaders"}).Decode(t, http.StatusCreated, nil)
	edit := w.App.URL + "/console/cycles/" + apptest.Itoa(cy.ID) + "/scheme/edit"
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "make the item automatic", chromedp.Navigate(edit), chromedp.WaitVisible(`#scheme-editor`),
		chromedp.SendKeys(`input[name="name.1"]`, "领导评价"),
		chromedp.SetValue(`input[name="max.1"]`, "20"),
		chromedp.SetValue(`select[name="kind.1"]`, schemes.KindAuto),
		chromedp.Click(`button[value="check"]`), chromedp.WaitVisible(`#src-1`))
	labels := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll('#src-1 option')].map(o => o.textContent).join("|")`)
	if labels != "公众评价得分|评价项目：市领导评价" {
		t.Fatalf("source choices %q", labels)
	}
	browsertest.Do(t, ctx, "choose the instrument and save",
		chromedp.SetValue(`#src-1`, "instrument:leaders"),
		chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#versions`))
	v, err := schemes.Find(t.Context(), w.App.Pool, cy.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if l := schemes.Leaves(v.Tree); len(l) != 1 || l[0].Source != "instrument:leaders" {
		t.Fatalf("saved %+v", v.Tree)
	}
	browsertest.Do(t, ctx, "reopen the editor", chromedp.Navigate(edit), chromedp.WaitVisible(`#src-1`))
	if got := browsertest.Text(t, ctx, "#row-1"); !strings.Contains(got, "“市领导评价”结果（0–100）÷ 100 × 20") {
		t.Errorf("the item's rule does not name the instrument: %q", got)
	}
}
