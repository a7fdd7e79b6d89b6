package overviewapp_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// On a phone, a unit's home page starts with its to-do: the case to
// answer with its deadline, within the screen's width, one tap from the
// case itself.
func TestBrowserUnitFollowsItsTodoToTheCase(t *testing.T) {
	const phone = 375
	ctx := browser.New(t, browser.Options{Width: phone, Height: 800})
	clock := apptest.NewClock(time.Date(2026, 6, 10, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	cs := fixtures.QRCase(t, w, "13800001111")
	browsertest.SignIn(t, ctx, w.App.URL, "unit-a", "unit-pass-1")
	browsertest.Do(t, ctx, "open the home page", chromedp.Navigate(w.App.URL+"/console"), chromedp.WaitVisible(chromedp.ID("todos")))
	first := browsertest.Text(t, ctx, "#todos .todo")
	if !strings.Contains(first, "答复整改案件") || !strings.Contains(first, "还剩") || !strings.Contains(first, cs.AnswerDue) {
		t.Errorf("the first to-do reads %q", first)
	}
	if top := browsertest.Eval[float64](t, ctx, `document.getElementById("todos").getBoundingClientRect().top`); top > 400 {
		t.Errorf("the to-do list starts %v px down the phone's screen", top)
	}
	if sw := browsertest.Eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > phone {
		t.Errorf("the home page is %d px wide on a %d px phone", sw, phone)
	}
	// The home page has an h1 too.
	browsertest.Do(t, ctx, "follow the to-do", browsertest.LeadsTo(chromedp.Click("#todos .todo-title", chromedp.NodeVisible), "h1"))
	if path := browsertest.Eval[string](t, ctx, `location.pathname`); path != "/console/cases/"+apptest.Itoa(cs.ID) {
		t.Errorf("the to-do led to %s", path)
	}
}
