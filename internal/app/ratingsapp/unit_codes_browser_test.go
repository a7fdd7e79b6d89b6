package ratingsapp_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserUnitCodes: on a phone and a desktop a wrong check character
// comes back beside the credit code field and the unit form does not
// scroll sideways. MINYI_SHOTS names a folder to keep screenshots in.
func TestBrowserUnitCodes(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	for _, width := range []int64{375, 1440} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		page := w.App.URL + "/console/units/" + apptest.Itoa(w.A.ID)
		browsertest.Do(t, ctx, "wrong check character", chromedp.Navigate(page), chromedp.SetValue(`#e-credit`, "91350100M000100Y44"),
			chromedp.SetValue(`#e-area`, "350100"), chromedp.Submit(`#e-credit`), chromedp.WaitVisible(`#edit .err`))
		errs := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll("#edit .err")].map(e => e.textContent).join("|")`)
		if !strings.Contains(errs, "统一社会信用代码校验位不正确") {
			t.Errorf("%d px: messages %q", width, errs)
		}
		if over := browsertest.Eval[float64](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); over > 0 {
			t.Errorf("%d px: the unit page scrolls %.0f px sideways", width, over)
		}
		if dir := os.Getenv("MINYI_SHOTS"); dir != "" {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if err := os.WriteFile(filepath.Join(dir, "unit-form-"+apptest.Itoa(width)+".png"), png, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}
