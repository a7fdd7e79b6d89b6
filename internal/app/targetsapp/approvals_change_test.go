package targetsapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/approvals"
	"minyi/internal/testutil/apptest"
)

type waitingList struct {
	Items []approvals.Request `json:"items"`
	Total int                 `json:"total"`
}

type apiChange struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	Comment       string `json:"comment"`
	ResultVersion *int   `json:"result_version"`
}

// leaderClient adds a leader and signs them in.
func leaderClient(t *testing.T, w *targetWorld, name string) (int64, *apptest.Client) {
	t.Helper()
	u := w.App.AddUser(t, name, name+"-pass-1", "leader", nil)
	c := w.App.Client()
	c.SignIn(t, name, name+"-pass-1")
	return u.ID, c
}

func waitingFor(t *testing.T, c *apptest.Client) waitingList {
	t.Helper()
	var l waitingList
	apptest.APIJSON(t, c, "GET", "/api/v1/approvals", nil).Decode(t, http.StatusOK, &l)
	return l
}

// TestChangeRequestLeaderApproval: with two leaders named as approvers of
// target sheets, the office's approval of a unit's change request sends it
// to them in order; the new version is published only after the second
// approves. The office withdraws it before any leader decides and between
// the two (back to the office's review, the leaders' to-dos gone, the
// timeline showing it); a withdrawal after the last approval, by a unit or
// by a leader is refused in Chinese; a leader's return ends the request
// with the comment.
func TestChangeRequestLeaderApproval(t *testing.T) {
	w := newTargetWorld(t)
	sh := w.approvedTarget(t) // no approvers yet: version 1 published
	l1, c1 := leaderClient(t, w, "mayor")
	l2, c2 := leaderClient(t, w, "deputy")
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/release",
		map[string]any{"target_approvers": []int64{l1, l2}}).Decode(t, http.StatusOK, nil)
	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)
	request := func(points int) apiChange {
		t.Helper()
		apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &sh)
		first := indicatorJSON("优化营商环境", points, "2025-05-31")
		first["id"] = sh.Indicators[0].ID
		second := indicatorJSON("政务服务一网通办", 20, "2025-12-31")
		second["id"] = sh.Indicators[1].ID
		var cr apiChange
		apptest.APIJSON(t, w.UnitUser, "POST", base+"/change-requests", map[string]any{"lock_version": sh.LockVersion,
			"reason": "上级下达任务调整", "indicators": []any{first, second}}).Decode(t, http.StatusCreated, &cr)
		return cr
	}
	officeApprove := func(cr apiChange) apiChange {
		t.Helper()
		var out apiChange
		apptest.APIJSON(t, w.Office, "POST", "/api/v1/target-change-requests/"+apptest.Itoa(cr.ID)+"/approve",
			map[string]any{"comment": "同意调整"}).Decode(t, http.StatusOK, &out)
		return out
	}
	changeOf := func(id int64) apiChange {
		t.Helper()
		var list struct {
			Items []apiChange `json:"items"`
		}
		apptest.APIJSON(t, w.Office, "GET", base+"/change-requests", nil).Decode(t, http.StatusOK, &list)
		for _, c := range list.Items {
			if c.ID == id {
				return c
			}
		}
		t.Fatalf("change request %d not listed", id)
		return apiChange{}
	}
	withdraw := func(c *apptest.Client, id int64, body map[string]any) apptest.APIReply {
		return apptest.APIJSON(t, c, "POST", "/api/v1/approvals/"+apptest.Itoa(id)+"/withdraw", body)
	}
	decide := func(c *apptest.Client, id int64, decision, comment string) apptest.APIReply {
		return apptest.APIJSON(t, c, "POST", "/api/v1/approvals/"+apptest.Itoa(id)+"/decision",
			map[string]any{"decision": decision, "comment": comment})
	}
	version := func() int {
		apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &sh)
		return sh.PublishedVersion
	}

	cr := request(12)
	if got := officeApprove(cr); got.Status != "leader_review" {
		t.Fatalf("after the office's approval: %+v", got)
	}
	if version() != 1 {
		t.Fatal("published before the leaders' approval")
	}
	wl := waitingFor(t, c1)
	if wl.Total != 1 || wl.Items[0].Subject != approvals.SubjectTargetChange || !strings.Contains(wl.Items[0].Title, "调整申请") {
		t.Fatalf("mayor waits for %+v", wl)
	}
	req := wl.Items[0].ID
	if todos := apptest.Get(t, c1, "/console/todos"); !todos.Has("调整申请") {
		t.Error("the change is not on the mayor's to-dos")
	}
	// Another change while the leaders review is refused.
	apptest.APIJSON(t, w.UnitUser, "GET", base, nil).Decode(t, http.StatusOK, &sh)
	again := apptest.APIJSON(t, w.UnitUser, "POST", base+"/change-requests", map[string]any{"lock_version": sh.LockVersion,
		"reason": "再次调整", "indicators": []any{indicatorJSON("新指标", 5, "2025-12-31")}})
	apptest.WantAPIError(t, again, http.StatusConflict, "conflict")
	if !strings.Contains(string(again.Body), "待领导审定") {
		t.Errorf("refusal %s", again.Body)
	}

	// Withdrawal: only the office; before any leader decided.
	apptest.WantAPIError(t, withdraw(w.UnitUser, req, nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, withdraw(c1, req, nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, withdraw(w.Office, req, map[string]any{"comment": strings.Repeat("长", 501)}), http.StatusUnprocessableEntity, "invalid", "comment")
	var wd approvals.Request
	withdraw(w.Office, req, map[string]any{"comment": "分值口径需再核实"}).Decode(t, http.StatusOK, &wd)
	if wd.State != approvals.StateWithdrawn || wd.WithdrawComment != "分值口径需再核实" || wd.CurrentApprover != nil {
		t.Fatalf("withdrawn %+v", wd)
	}
	if got := changeOf(cr.ID); got.Status != "pending" {
		t.Fatalf("after the withdrawal the change is %q, want back with the office", got.Status)
	}
	if waitingFor(t, c1).Total != 0 {
		t.Error("the mayor still waits for a withdrawn request")
	}
	if todos := apptest.Get(t, c1, "/console/todos"); todos.Has("调整申请") {
		t.Error("the withdrawn change is still on the mayor's to-dos")
	}
	apptest.WantAPIError(t, decide(c1, req, "approved", ""), http.StatusConflict, "conflict")
	withdraw(w.Office, req, map[string]any{"comment": "分值口径需再核实"}).Decode(t, http.StatusOK, nil) // a retry
	page := apptest.Get(t, w.Office, "/console/targets/"+apptest.Itoa(sh.ID))
	if !page.Has("已撤回") || !page.Has("分值口径需再核实") || !page.Has("待审核的调整申请") {
		t.Error("the sheet's page lacks the withdrawal")
	}

	// Again to the leaders; withdrawn between the two.
	officeApprove(cr)
	req = waitingFor(t, c1).Items[0].ID
	decide(c1, req, "approved", "同意").Decode(t, http.StatusOK, nil)
	if wl := waitingFor(t, c2); wl.Total != 1 || wl.Items[0].ID != req {
		t.Fatalf("deputy waits for %+v", wl)
	}
	withdraw(w.Office, req, nil).Decode(t, http.StatusOK, nil)
	if waitingFor(t, c2).Total != 0 || changeOf(cr.ID).Status != "pending" || version() != 1 {
		t.Fatal("withdrawal between the leaders")
	}

	// Again; the deputy returns it.
	officeApprove(cr)
	req = waitingFor(t, c1).Items[0].ID
	decide(c1, req, "approved", "").Decode(t, http.StatusOK, nil)
	decide(c2, req, "returned", "调整依据不充分").Decode(t, http.StatusOK, nil)
	if got := changeOf(cr.ID); got.Status != "returned" || !strings.Contains(got.Comment, "调整依据不充分") {
		t.Fatalf("after the return: %+v", got)
	}
	apptest.WantAPIError(t, withdraw(w.Office, req, nil), http.StatusConflict, "conflict")

	// A new request, approved by both: version 2.
	cr2 := request(15)
	officeApprove(cr2)
	req = waitingFor(t, c1).Items[0].ID
	decide(c1, req, "approved", "").Decode(t, http.StatusOK, nil)
	if version() != 1 {
		t.Fatal("published after the first of two approvals")
	}
	decide(c2, req, "approved", "同意调整").Decode(t, http.StatusOK, nil)
	if got := changeOf(cr2.ID); got.Status != "approved" || got.ResultVersion == nil || *got.ResultVersion != 2 || version() != 2 {
		t.Fatalf("after the last approval: %+v, version %d", got, sh.PublishedVersion)
	}
	if sh.Indicators[0].Points != 15 {
		t.Errorf("points %v", sh.Indicators[0].Points)
	}
	late := withdraw(w.Office, req, nil)
	apptest.WantAPIError(t, late, http.StatusConflict, "conflict")
	if !strings.Contains(string(late.Body), "已全部审批通过，不能撤回") {
		t.Errorf("late withdrawal: %s", late.Body)
	}
	for action, want := range map[string]int{"target_change.to_leaders": 4, "target_change.withdraw": 2, "approval.withdraw": 2,
		"target_change.leader_return": 1, "target_change.leader_approve": 1} {
		if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1`, action); n != want {
			t.Errorf("audit %s: %d, want %d", action, n, want)
		}
	}
}

// TestSheetLeaderWithdraw: a sheet waiting for the leader is withdrawn by
// the office: it waits for the office's review again, and the office's
// next approval sends it to the leader afresh.
func TestSheetLeaderWithdraw(t *testing.T) {
	w := newTargetWorld(t)
	l1, c1 := leaderClient(t, w, "mayor")
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/release",
		map[string]any{"target_approvers": []int64{l1}}).Decode(t, http.StatusOK, nil)
	sh := w.approvedTarget(t)
	req := waitingFor(t, c1).Items[0].ID
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/approvals/"+apptest.Itoa(req)+"/withdraw", nil).Decode(t, http.StatusOK, nil)
	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)
	apptest.APIJSON(t, w.Office, "GET", base, nil).Decode(t, http.StatusOK, &sh)
	if sh.Status != "submitted" || waitingFor(t, c1).Total != 0 {
		t.Fatalf("after the withdrawal: %+v", sh)
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/approve", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	if wl := waitingFor(t, c1); sh.Status != "leader_review" || wl.Total != 1 || wl.Items[0].ID == req {
		t.Fatalf("second submission: %+v %+v", sh, wl)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'target_sheet.withdraw'`); n != 1 {
		t.Errorf("audit rows %d", n)
	}
}
