package cyclesapp_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/demo"
	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser, the office adds an item to the demo's scheme with the
// editor, is taken to the new item's name, sees the problem beside it when
// saving too early, and saves a new version; pressing Enter in a field
// checks rather than adding or deleting anything.
func TestBrowserSchemeEditorAddsAnItem(t *testing.T) {
	at := time.Date(2026, 12, 3, 10, 0, 0, 0, apptest.Shanghai)
	app := apptest.New(t, apptest.Options{Now: func() time.Time { return at }})
	if _, err := demo.Seed(context.Background(), app.Pool, app.Config, app.Keys, at); err != nil {
		t.Fatal(err)
	}
	before, err := schemes.Find(context.Background(), app.Pool, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser.New(t, browser.Options{Width: 1440, Height: 900})
	browsertest.SignIn(t, ctx, app.URL, "office", "office-demo-2026")
	browsertest.Do(t, ctx, "open the editor", chromedp.Navigate(app.URL+"/console/cycles/1/scheme"),
		chromedp.Click(`#edit-scheme`), chromedp.WaitVisible(`#scheme-editor`))
	rows := browsertest.Eval[float64](t, ctx, `document.querySelectorAll("#scheme-editor tbody tr").length`)
	browsertest.Do(t, ctx, "Enter in a name", chromedp.SendKeys(`input[name="name.1"]`, "\r"),
		chromedp.WaitVisible(`#edit-ok`))
	if n := browsertest.Eval[float64](t, ctx, `document.querySelectorAll("#scheme-editor tbody tr").length`); n != rows {
		t.Fatalf("Enter changed the rows: %v → %v", rows, n)
	}
	// Add an item below the first group that sums its items (the root
	// weighs its items, which would ask for a weight too).
	sum := browsertest.Eval[string](t, ctx, `[...document.querySelectorAll('select[name^="kind."]')].find(s => s.value === "sum" && s.name !== "kind.0").name.slice(5)`)
	browsertest.Do(t, ctx, "add an item", chromedp.Click(`button[value="child:`+sum+`"]`),
		chromedp.WaitVisible(`input[autofocus]`))
	// The cursor is in the new item's name.
	focused := browsertest.Eval[string](t, ctx, `document.activeElement.name`)
	if focused != browsertest.Eval[string](t, ctx, `document.querySelector("input[autofocus]").name`) || focused == "name."+sum {
		t.Fatalf("focus after adding: %q", focused)
	}
	i := focused[len("name."):]
	browsertest.Do(t, ctx, "save too early", chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#row-err-`+i))
	if msg := browsertest.Text(t, ctx, `#row-err-`+i); msg == "" {
		t.Fatal("no problem beside the new item")
	}
	browsertest.Do(t, ctx, "fill it in and save",
		chromedp.SendKeys(`input[name="name.`+i+`"]`, "创新工作"),
		chromedp.SetValue(`input[name="max.`+i+`"]`, "5"),
		chromedp.SetValue(`input[name="assessor.`+i+`"]`, "市绩效办"),
		chromedp.Click(`button[value="save"]`), chromedp.WaitVisible(`#versions`))
	after, err := schemes.Find(context.Background(), app.Pool, 1, 0)
	if err != nil || after.Version != before.Version+1 {
		t.Fatalf("no new version: %v %+v", err, after.Info)
	}
	found := false
	for _, l := range schemes.Leaves(after.Tree) {
		found = found || l.Name == "创新工作" && l.Max == 5 && l.Assessor.Name == "市绩效办"
	}
	if !found {
		t.Fatalf("the new item was not saved: %+v", after.Tree)
	}
}
