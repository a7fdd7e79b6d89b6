package resultsapp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/approvals"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

// approvalWorld is a cycle whose final results could be published, with two
// leaders (mayor, deputy) named as its approvers of results, and the final
// results submitted to them: the request is returned.
func approvalWorld(t *testing.T) (*fixtures.APIWorld, int64, approvals.Request) {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 12, 28, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	cy := scoredCycle(t, w, 80)
	l1 := w.App.AddUser(t, "mayor", "mayor-pass-1", "leader", nil)
	l2 := w.App.AddUser(t, "deputy", "deputy-pass-1", "leader", nil)
	id := apptest.Itoa(cy.ID)
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+id+"/release",
		map[string]any{"result_approvers": []int64{l1.ID, l2.ID}, "results_public": false}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+id+"/results/preliminary", map[string]any{}).Decode(t, http.StatusCreated, nil)
	clock.Set(time.Date(2027, 3, 1, 10, 0, 0, 0, apptest.Shanghai))
	var req approvals.Request
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+id+"/results/approval", nil).Decode(t, http.StatusCreated, &req)
	return w, cy.ID, req
}

// TestBrowserLeaderApproves: the first leader finds the results on 待我审批,
// is refused a return without a comment (beside the field, the choice
// kept), approves with a comment, and the results page shows the decision
// on the timeline.
func TestBrowserLeaderApproves(t *testing.T) {
	w, cycleID, req := approvalWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})

	browsertest.SignIn(t, ctx, w.App.URL, "mayor", "mayor-pass-1")
	browsertest.Do(t, ctx, "the leader's approvals", chromedp.Navigate(w.App.URL+"/console/approvals"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-request="`+apptest.Itoa(req.ID)+`"] a`)))
	browsertest.Do(t, ctx, "open the request", chromedp.Click(chromedp.CSS(`tr[data-request="`+apptest.Itoa(req.ID)+`"] a`)),
		chromedp.WaitVisible(chromedp.ID("decide-form")))
	browsertest.Do(t, ctx, "return without a comment", chromedp.Click(chromedp.CSS(`input[name=decision][value=returned]`)),
		chromedp.Click(chromedp.ID("decide-submit")), chromedp.WaitVisible(chromedp.ID("comment-error")))
	if s := browsertest.Text(t, ctx, "#comment-error"); !strings.Contains(s, "退回时请填写审批意见") {
		t.Fatalf("refusal: %q", s)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector('input[name=decision][value=returned]').checked`) {
		t.Error("the choice was not kept")
	}
	browsertest.Do(t, ctx, "approve with a comment", chromedp.Click(chromedp.CSS(`input[name=decision][value=approved]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "同意，请按程序通报"), chromedp.Click(chromedp.ID("decide-submit")),
		chromedp.WaitVisible(chromedp.CSS(".approval-decision")))
	if s := browsertest.Text(t, ctx, "#timeline"); !strings.Contains(s, "mayor") || !strings.Contains(s, "同意，请按程序通报") ||
		!strings.Contains(s, "待deputy审批") {
		t.Fatalf("timeline: %q", s)
	}
	browsertest.Do(t, ctx, "the results page", chromedp.Navigate(w.App.URL+"/console/cycles/"+apptest.Itoa(cycleID)+"/results"),
		chromedp.WaitVisible(chromedp.ID("result-approvals")))
	if s := browsertest.Text(t, ctx, "#result-approvals"); !strings.Contains(s, "同意，请按程序通报") {
		t.Fatalf("results page timeline: %q", s)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM approval_decisions WHERE comment = '同意，请按程序通报'`); n != 1 {
		t.Errorf("decisions stored: %d", n)
	}
}
