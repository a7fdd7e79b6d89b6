package instrumentsapp_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/browser"
)

// In a real browser, the office invites two leaders, one with a mobile
// number (shown masked) and one without, and prints the letter of the one
// who gets no SMS.
func TestBrowserInviteesAndLetters(t *testing.T) {
	w := newPeerWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	page := w.App.URL + "/console/instruments/" + apptest.Itoa(w.Leaders.ID)
	browsertest.Do(t, ctx, "invite one with a mobile", chromedp.Navigate(page), chromedp.WaitVisible(`#v-name`),
		chromedp.SendKeys(`#v-name`, "市领导甲"), chromedp.SendKeys(`#v-phone`, "13812345678"),
		chromedp.Submit(`#v-name`), chromedp.WaitVisible(`#invitee-table`))
	browsertest.Do(t, ctx, "and one without", chromedp.SendKeys(`#v-name`, "市领导乙"),
		chromedp.Submit(`#v-name`), chromedp.WaitVisible(`#invitee-table tbody tr:nth-child(2)`))
	if got := browsertest.Text(t, ctx, "#invitee-table"); !strings.Contains(got, "138****5678") || strings.Contains(got, "13812345678") {
		t.Fatalf("invitees %q", got)
	}
	browsertest.Do(t, ctx, "print the letters", chromedp.Click(`#letters-nomobile`), chromedp.WaitVisible(`#letters-count`))
	if n := browsertest.Eval[int](t, ctx, `document.querySelectorAll("article.letter").length`); n != 1 {
		t.Fatalf("%d letters, want 1", n)
	}
	if got := browsertest.Text(t, ctx, "article.letter"); !strings.Contains(got, "市领导乙") || !strings.Contains(got, "/e/") {
		t.Errorf("letter %q", got)
	}
}
