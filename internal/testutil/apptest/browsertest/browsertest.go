// Package browsertest drives Minyi's pages in the headless Chromium of
// package browser: steps that fail the test, the rating form's controls and
// signing in through the login page.
package browsertest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// Do runs the steps in the browser, failing the test on error.
func Do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// LeadsTo runs act, an action that makes the browser load another page (a
// form submitted, a link or a submit button clicked, or chromedp.SetValue
// on a control that submits its form when changed: SetValue fires the
// change), and waits until the CSS selector css is visible on that new
// page.
//
// A plain WaitVisible after such an action can be met by the page being
// left when that page has a matching element too (a flash .alert-ok, a
// section both pages show): the next step then reads the old page, or
// chromedp fails with "No node with given id found" as the old page goes
// away. So LeadsTo first marks the current page's body, and waits for the
// selector inside a body without the mark, which only a newly loaded page
// has.
//
// css is a CSS selector or a list of them (write chromedp.ID("x") as
// "#x"), matching an element inside the body. An act that only changes the
// current page by script loads no new page and never ends the wait: use
// WaitVisible there.
func LeadsTo(act chromedp.Action[chromedp.Void], css string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.body.setAttribute('data-browsertest-left', '')`),
		act,
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-browsertest-left]) :is(`+css+`)`)),
	)
}

// Eval evaluates a JavaScript expression in the page.
func Eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Text reads the text of the element the CSS selector finds.
func Text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// Submit clicks 提交评价 and returns the HTTP status of the page it leads to.
func Submit(t *testing.T, ctx context.Context) int64 {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("submit")))
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return res.Status
}

// LevelRadio is the rating form's radio button of a level ("1" to "5").
func LevelRadio(l string) chromedp.CSS { return chromedp.CSS(`input[name=level][value="` + l + `"]`) }

// OpenMessage opens the rating form's section for a message and a phone
// number (留言或留下电话, a <details> closed until needed), as a tap on its
// title does; an open section stays open.
func OpenMessage() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.getElementById('more').open = true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// ReasonBox is the rating form's checkbox of a reason.
func ReasonBox(r string) chromedp.CSS { return chromedp.CSS(`input[name=reasons][value="` + r + `"]`) }

// SignIn signs in through the login page (after signing out of any
// session).
func SignIn(t *testing.T, ctx context.Context, base, user, pass string) {
	t.Helper()
	Do(t, ctx, "sign in as "+user, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), pass),
		chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)))
}
