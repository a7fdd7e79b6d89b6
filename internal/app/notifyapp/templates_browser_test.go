package notifyapp_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// TestBrowserEditTemplateWithPreview: the office goes from its
// notifications to the templates, opens 整改案件交办, rewrites the title
// with a placeholder inserted by click, previews it with the example
// values, saves, and finds the kind marked 已修改.
func TestBrowserEditTemplateWithPreview(t *testing.T) {
	w := newWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "open the templates from the notifications",
		chromedp.Navigate(w.App.URL+"/console/notifications"), chromedp.WaitVisible(chromedp.ID("templates-link")),
		chromedp.Click(chromedp.ID("templates-link")), chromedp.WaitVisible(chromedp.CSS(".tpl-list")),
		chromedp.Click(chromedp.CSS(`#tpl-case\.sent a.tpl-name`)), chromedp.WaitVisible(chromedp.ID("template-form")))
	browsertest.Do(t, ctx, "rewrite the title with a clicked placeholder and preview",
		chromedp.SetValue(chromedp.ID("tpl-title"), "【交办】"), chromedp.Focus(chromedp.ID("tpl-title")),
		chromedp.Click(chromedp.CSS(`[data-insert="{案件}"]`)))
	// The preview shows the texts in force until the form comes back:
	// wait for the answer to the click, not for the section.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("tpl-preview-btn"))); err != nil {
		t.Fatalf("preview: %v", err)
	}
	if got := browsertest.Text(t, ctx, "#preview-title"); got != "【交办】窗口人员态度生硬，办事群众等候时间过长" {
		t.Fatalf("preview title %q", got)
	}
	browsertest.Do(t, ctx, "save", chromedp.Click(chromedp.ID("tpl-save")), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	browsertest.Do(t, ctx, "back to the list", chromedp.Navigate(w.App.URL+"/console/notifications/templates"),
		chromedp.WaitVisible(chromedp.CSS(".tpl-list")))
	if got := browsertest.Text(t, ctx, `#tpl-case\.sent .tpl-title`); got != "【交办】{案件}" {
		t.Fatalf("list title %q", got)
	}
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll(".tpl-edited").length`); n != 1 {
		t.Fatalf("%d kinds marked 已修改, want 1", n)
	}
}
