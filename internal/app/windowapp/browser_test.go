package windowapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// TestBrowserBusinessSystems: the office adds a business system through
// the page (a missing unit comes back beside the field), issues a token
// shown once, revokes it and disables the system; on a phone and a
// desktop, with no sideways scrolling. MINYI_SHOTS names a folder to keep
// screenshots in.
func TestBrowserBusinessSystems(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	addSystem(t, w.App, "不动产登记业务系统", w.B.ID)
	for _, width := range []int64{1440, 375} {
		ctx := browser.New(t, browser.Options{Width: width, Height: 900})
		browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
		page := w.App.URL + "/console/business-systems"
		name := "综合受理平台" + apptest.Itoa(width)
		// No unit ticked: the form comes back with the message.
		browsertest.Do(t, ctx, "add without units", chromedp.Navigate(page), chromedp.SetValue(`#bs-name`, name),
			chromedp.Submit(`#bs-name`), chromedp.WaitVisible(`#add .err`))
		if msg := browsertest.Text(t, ctx, `#add .err`); !strings.Contains(msg, "请至少选择一个单位") {
			t.Errorf("%d px: message %q", width, msg)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "business-systems-error-"+apptest.Itoa(width))
		// From here on no request may fail (the 422 above was wanted).
		console := browsertest.WatchConsole(t, ctx)
		browsertest.Do(t, ctx, "add", chromedp.Click(`#add input[name=unit_ids]`), chromedp.Submit(`#bs-name`),
			chromedp.WaitVisible(`.flash, .alert-ok, [role=status]`))
		if got := browsertest.Eval[bool](t, ctx, `[...document.querySelectorAll('.bs-card h2')].some(h => h.textContent.includes(`+"`"+name+"`"+`))`); !got {
			t.Fatalf("%d px: the new system is not listed", width)
		}
		// Issue a token: shown once, with the API's addresses.
		card := `[...document.querySelectorAll('.bs-card')].find(c => c.querySelector('h2').textContent.includes("` + name + `"))`
		browsertest.Eval[bool](t, ctx, card+`.querySelector('form[action$="/tokens"] button').click() || true`)
		browsertest.Do(t, ctx, "issue a token", chromedp.WaitVisible(`#token`))
		if h := browsertest.Text(t, ctx, `h1`); !strings.Contains(h, name) {
			t.Fatalf("%d px: token page %q", width, h)
		}
		token := browsertest.Eval[string](t, ctx, `document.querySelector('#token').value`)
		if !strings.HasPrefix(token, "mb_") {
			t.Fatalf("%d px: token %q", width, token)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "business-system-token-"+apptest.Itoa(width))
		browsertest.Do(t, ctx, "back", chromedp.Navigate(page), chromedp.WaitVisible(`.bs-card`))
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "business-systems-"+apptest.Itoa(width))
		console.Check(t, "business systems page")

		// Edit it: an empty name comes back with its message; then the
		// new name and unit B as well are saved and listed.
		// The list has a #bs-name too, in its form to add a system.
		browsertest.Do(t, ctx, "edit without a name",
			browsertest.LeadsTo(chromedp.Evaluate[chromedp.Void](card+`.querySelector('a[href$="/edit"]').click()`), "#edit #bs-name"),
			chromedp.SetValue(`#bs-name`, " "),
			chromedp.Submit(`#bs-name`), chromedp.WaitVisible(`#edit .err`))
		if msg := browsertest.Text(t, ctx, `#edit .err`); !strings.Contains(msg, "请填写业务系统名称") {
			t.Errorf("%d px: edit message %q", width, msg)
		}
		browsertest.NoSidewaysScroll(t, ctx)
		browsertest.Shot(t, ctx, "business-system-edit-error-"+apptest.Itoa(width))
		console.Clear() // the 422 above was wanted
		renamed := name + "（新版）"
		browsertest.Do(t, ctx, "save the edit", chromedp.SetValue(`#bs-name`, renamed),
			chromedp.Click(`#edit input[name=unit_ids][value="`+apptest.Itoa(w.B.ID)+`"]`), chromedp.Submit(`#bs-name`),
			chromedp.WaitVisible(`.flash, .alert-ok, [role=status]`))
		card = `[...document.querySelectorAll('.bs-card')].find(c => c.querySelector('h2').textContent.includes("` + renamed + `"))`
		if got := browsertest.Eval[string](t, ctx, card+`.querySelector('p.small').textContent`); !strings.Contains(got, w.A.Name) ||
			!strings.Contains(got, w.B.Name) {
			t.Errorf("%d px: units after the edit %q", width, got)
		}
		browsertest.Shot(t, ctx, "business-systems-edited-"+apptest.Itoa(width))
		console.Check(t, "business system edited")
	}
}

// TestBrowserInvitationPage: the SMS invitation's page on a phone names
// the item and stage, asks for a reason with a 差评, and thanks after the
// rating. MINYI_SHOTS names a folder to keep screenshots in.
func TestBrowserInvitationPage(t *testing.T) {
	w := newWindowWorld(t, apptest.Options{})
	body := requestBody("shot-1", "BJ-3001", w.termID)
	body["phone"] = "13812345678"
	var req requestReply
	createRequest(t, w.App, w.bizToken, body).Decode(t, http.StatusCreated, &req)
	// The link's token as the maintenance would have sent it.
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE window_requests SET state = 'expired',
		invite_token_hash = sha256('shot-token'::bytea), invited_at = now() WHERE id = $1`, req.Request.ID); err != nil {
		t.Fatal(err)
	}
	ctx, console := browsertest.Watched(t, 375)
	browsertest.Do(t, ctx, "open the link", chromedp.Navigate(w.App.URL+"/w/shot-token"), chromedp.WaitVisible(`#item-card`))
	if got := browsertest.Text(t, ctx, `#item-card`); !strings.Contains(got, "企业设立登记") || !strings.Contains(got, "受理") {
		t.Errorf("item card %q", got)
	}
	browsertest.Do(t, ctx, "a 差评", chromedp.Click(browsertest.LevelRadio("2")),
		chromedp.WaitVisible(chromedp.ID("reasons-card")))
	browsertest.NoSidewaysScroll(t, ctx)
	browsertest.Shot(t, ctx, "invitation-375")
	browsertest.Do(t, ctx, "rate", chromedp.Click(browsertest.ReasonBox("等候时间长")), chromedp.Click(chromedp.ID("submit")),
		chromedp.WaitVisible(chromedp.ID("done")))
	if got := browsertest.Text(t, ctx, `#result`); !strings.Contains(got, "评价已提交") {
		t.Errorf("after rating: %q", got)
	}
	ref := browsertest.Text(t, ctx, `#reference`)
	if _, err := ratings.ParseReference(ref, apptest.Shanghai); err != nil {
		t.Errorf("reference on the thanks %q: %v", ref, err)
	}
	browsertest.NoSidewaysScroll(t, ctx)
	browsertest.Shot(t, ctx, "invitation-done-375")
	console.Check(t, "invitation page")
	// The link opened again, on a computer: the same thanks and reference.
	wide, wideConsole := browsertest.Watched(t, 1440)
	browsertest.Do(t, wide, "open the link again", chromedp.Navigate(w.App.URL+"/w/shot-token"), chromedp.WaitVisible(`#reference`))
	if got := browsertest.Text(t, wide, `#reference`); got != ref {
		t.Errorf("reference on the link's second visit %q, want %q", got, ref)
	}
	browsertest.NoSidewaysScroll(t, wide)
	browsertest.Shot(t, wide, "invitation-done-1440")
	wideConsole.Check(t, "invitation thanks, again")
	if n := w.App.Count(t, `SELECT count(*) FROM window_requests WHERE state = 'rated'`); n != 1 {
		t.Fatalf("%d requests rated, want 1", n)
	}
}
