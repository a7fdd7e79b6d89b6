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
	"minyi/internal/testutil/browser"
)

// TestResultsWithdraw: the office withdraws the final results' request
// after the first of two leaders approved: the second leader no longer
// waits for it, publication is refused until a new request is approved,
// and a withdrawal once the last leader approved is refused in Chinese.
func TestResultsWithdraw(t *testing.T) {
	w, cycleID, req := approvalWorld(t)
	id := apptest.Itoa(cycleID)
	mayor, deputy := w.App.Client(), w.App.Client()
	mayor.SignIn(t, "mayor", "mayor-pass-1")
	deputy.SignIn(t, "deputy", "deputy-pass-1")
	decide := func(c *apptest.Client, r int64) {
		apptest.APIJSON(t, c, "POST", "/api/v1/approvals/"+apptest.Itoa(r)+"/decision", map[string]any{"decision": "approved"}).Decode(t, http.StatusOK, nil)
	}
	decide(mayor, req.ID)
	var out approvals.Request
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/approvals/"+apptest.Itoa(req.ID)+"/withdraw", map[string]any{"comment": "第二类单位位次待核"}).
		Decode(t, http.StatusOK, &out)
	if out.State != approvals.StateWithdrawn || len(out.Decisions) != 1 {
		t.Fatalf("withdrawn %+v", out)
	}
	var waiting struct{ Total int }
	apptest.APIJSON(t, deputy, "GET", "/api/v1/approvals", nil).Decode(t, http.StatusOK, &waiting)
	if waiting.Total != 0 {
		t.Error("the deputy still waits")
	}
	// Both leaders are told: the deputy, whose turn it was, and the mayor,
	// whose approval no longer stands.
	for name, c := range map[string]*apptest.Client{"mayor": mayor, "deputy": deputy} {
		inbox := apptest.APIJSON(t, c, "GET", "/api/v1/notifications", nil)
		if body := string(inbox.Body); !strings.Contains(body, "已撤回：") || !strings.Contains(body, "撤回说明：第二类单位位次待核") {
			t.Errorf("the %s's notifications lack the withdrawal: %s", name, body)
		}
	}
	pub := apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+id+"/results/final", map[string]any{"provisional_reason": "测试"})
	apptest.WantAPIError(t, pub, http.StatusConflict, "conflict")
	if !strings.Contains(string(pub.Body), "审批已撤回") {
		t.Errorf("publication refusal %s", pub.Body)
	}
	page := apptest.Get(t, w.Office, "/console/cycles/"+id+"/results")
	if !page.Has("第二类单位位次待核") || !page.Has(`id="submit-approval"`) {
		t.Error("the results page lacks the withdrawal or the form to submit again")
	}
	var again approvals.Request
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+id+"/results/approval", nil).Decode(t, http.StatusCreated, &again)
	decide(mayor, again.ID)
	decide(deputy, again.ID)
	late := apptest.APIJSON(t, w.Office, "POST", "/api/v1/approvals/"+apptest.Itoa(again.ID)+"/withdraw", nil)
	apptest.WantAPIError(t, late, http.StatusConflict, "conflict")
	if !strings.Contains(string(late.Body), "不能撤回") {
		t.Errorf("late withdrawal %s", late.Body)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+id+"/results/final", map[string]any{"provisional_reason": "测试"}).Decode(t, http.StatusCreated, nil)
}

// TestBrowserOfficeWithdraws: the office withdraws a request from its page
// with a reason, and the timeline shows it; a withdrawal the leaders
// overtook (the last approval came first) is refused on the page.
func TestBrowserOfficeWithdraws(t *testing.T) {
	w, cycleID, req := approvalWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 4 * time.Minute})
	browsertest.SignIn(t, ctx, w.App.URL, "office1", "office-pass-1")
	browsertest.Do(t, ctx, "the request", chromedp.Navigate(w.App.URL+"/console/approvals/"+apptest.Itoa(req.ID)),
		chromedp.WaitVisible(chromedp.ID("withdraw-form")), chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.SendKeys(chromedp.ID("withdraw-comment"), "数据待核实"), chromedp.Click(chromedp.ID("withdraw-submit")),
		chromedp.WaitVisible(chromedp.CSS(".approval-withdrawn")))
	if s := browsertest.Text(t, ctx, "#timeline"); !strings.Contains(s, "撤回") || !strings.Contains(s, "数据待核实") {
		t.Fatalf("timeline %q", s)
	}
	if browsertest.Eval[bool](t, ctx, `!!document.getElementById('withdraw-form')`) {
		t.Error("a withdrawn request offers to withdraw")
	}
	var again approvals.Request
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(cycleID)+"/results/approval", nil).Decode(t, http.StatusCreated, &again)
	browsertest.Do(t, ctx, "the new request", chromedp.Navigate(w.App.URL+"/console/approvals/"+apptest.Itoa(again.ID)),
		chromedp.WaitVisible(chromedp.ID("withdraw-form")), chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`))
	for _, who := range []string{"mayor", "deputy"} {
		c := w.App.Client()
		c.SignIn(t, who, who+"-pass-1")
		apptest.APIJSON(t, c, "POST", "/api/v1/approvals/"+apptest.Itoa(again.ID)+"/decision", map[string]any{"decision": "approved"}).Decode(t, http.StatusOK, nil)
	}
	browsertest.Do(t, ctx, "withdraw too late", chromedp.Click(chromedp.ID("withdraw-submit")), chromedp.WaitVisible(chromedp.ID("error")))
	if s := browsertest.Text(t, ctx, "#error"); !strings.Contains(s, "已全部审批通过，不能撤回") {
		t.Fatalf("refusal %q", s)
	}
}
