package resultsapp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/approvals"
	"minyi/internal/notify"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/todos"
)

// wantRefusal checks an API error's status, code and that its Chinese
// message says says.
func wantRefusal(t *testing.T, r apptest.APIReply, status int, code, says string, fields ...string) {
	t.Helper()
	apptest.WantAPIError(t, r, status, code, fields...)
	var e apptest.APIError
	_ = json.Unmarshal(r.Body, &e)
	text := e.Error.Message
	for _, v := range e.Error.Fields {
		text += v
	}
	if !strings.Contains(text, says) {
		t.Errorf("message %q does not say %q", text, says)
	}
}

func leaderClient(t *testing.T, w *fixtures.APIWorld, name string) (int64, *apptest.Client) {
	t.Helper()
	u := w.App.AddUser(t, name, name+"-pass-1", "leader", nil)
	c := w.App.Client()
	c.SignIn(t, name, name+"-pass-1")
	return u.ID, c
}

// TestAPIResultApprovals: the cycle names two leaders, in order, who
// approve its final results, and notifies them internally. Bad approvers
// are refused in Chinese with nothing changed; the final results cannot
// be published before both approve these very figures; a leader out of
// turn, a return without a comment, a unit account are refused; a return
// blocks until the office submits again; the leaders get a to-do and a
// notification; the public results page then says the results are
// internal.
func TestAPIResultApprovals(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 12, 28, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	ctx := context.Background()
	cy := scoredCycle(t, w, 80)
	id := apptest.Itoa(cy.ID)
	base := "/api/v1/cycles/" + id + "/results"
	l1, leader1 := leaderClient(t, w, "mayor")
	l2, leader2 := leaderClient(t, w, "deputy")
	gone := w.App.AddUser(t, "retired", "retired-pass-1", "leader", nil)
	if _, err := w.App.Pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	office := w.App.Count(t, `SELECT id FROM users WHERE username = 'office1'`)

	// Settings: refused for a non-leader, a disabled leader, the same one
	// twice; nothing changed.
	put := func(c *apptest.Client, body map[string]any) apptest.APIReply {
		return apptest.APIJSON(t, c, "PUT", "/api/v1/cycles/"+id+"/release", body)
	}
	wantRefusal(t, put(w.Office, map[string]any{"result_approvers": []int64{int64(office)}}), 422, "invalid", "领导账号", "result_approvers")
	wantRefusal(t, put(w.Office, map[string]any{"target_approvers": []int64{gone.ID}}), 422, "invalid", "领导账号", "target_approvers")
	wantRefusal(t, put(w.Office, map[string]any{"result_approvers": []int64{l1, l1}}), 422, "invalid", "重复", "result_approvers")
	apptest.WantAPIError(t, put(w.UnitUser, map[string]any{"result_approvers": []int64{l1}}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, put(leader1, map[string]any{"result_approvers": []int64{l1}}), http.StatusForbidden, "forbidden")
	if n := w.App.Count(t, `SELECT count(*) FROM cycle_release_settings`); n != 0 {
		t.Fatalf("refused settings stored: %d", n)
	}
	var rel struct {
		ResultApprovers []int64 `json:"result_approvers"`
		ResultsPublic   bool    `json:"results_public"`
	}
	put(w.Office, map[string]any{"result_approvers": []int64{l1, l2}, "results_public": false}).Decode(t, http.StatusOK, &rel)
	if len(rel.ResultApprovers) != 2 || rel.ResultsPublic {
		t.Fatalf("settings %+v", rel)
	}
	put(w.Office, map[string]any{"result_approvers": []int64{l1, l2}, "results_public": false}).Decode(t, http.StatusOK, &rel)
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'cycle.release'`); n != 1 {
		t.Errorf("audit rows %d, want 1 (the same settings again change nothing)", n)
	}

	// Preliminary results are not gated; the final ones are.
	apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{}).Decode(t, http.StatusCreated, nil)
	clock.Set(time.Date(2027, 3, 1, 10, 0, 0, 0, apptest.Shanghai))
	final := func() apptest.APIReply { return apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{}) }
	wantRefusal(t, final(), http.StatusConflict, "conflict", "请先提请审批")

	var req approvals.Request
	apptest.APIJSON(t, w.Office, "POST", base+"/approval", nil).Decode(t, http.StatusCreated, &req)
	var again approvals.Request
	apptest.APIJSON(t, w.Office, "POST", base+"/approval", nil).Decode(t, http.StatusOK, &again)
	if again.ID != req.ID || req.State != approvals.StatePending || *req.CurrentApprover != l1 {
		t.Fatalf("request %+v, again %+v", req, again)
	}
	wantRefusal(t, final(), http.StatusConflict, "conflict", "待mayor审批")

	// The first leader has a to-do and a notification; the second neither.
	if !hasTodo(t, leader1, todos.KindApproval) || hasTodo(t, leader2, todos.KindApproval) {
		t.Error("to-dos: the first leader should have the approval, the second not yet")
	}
	if !hasNotice(t, leader1, notify.KindApprovalRequested) {
		t.Error("the first leader was not notified")
	}
	if !apptest.Get(t, leader1, "/console/cycles/"+id+"/results").Has(`id="go-approve"`) ||
		apptest.Get(t, leader2, "/console/cycles/"+id+"/results").Has(`id="go-approve"`) {
		t.Error("the results page should offer 审批 to the first leader only")
	}

	decide := func(c *apptest.Client, body map[string]any) apptest.APIReply {
		return apptest.APIJSON(t, c, "POST", "/api/v1/approvals/"+apptest.Itoa(req.ID)+"/decision", body)
	}
	wantRefusal(t, decide(leader2, map[string]any{"decision": "approved"}), http.StatusForbidden, "forbidden", "尚未轮到您")
	wantRefusal(t, decide(leader1, map[string]any{"decision": "returned"}), 422, "invalid", "请填写审批意见", "comment")
	wantRefusal(t, decide(leader1, map[string]any{"decision": "同意"}), 422, "invalid", "同意或退回", "decision")
	apptest.WantAPIError(t, decide(w.Office, map[string]any{"decision": "approved"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, decide(w.UnitUser, map[string]any{"decision": "approved"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/approvals", nil), http.StatusForbidden, "forbidden")
	if n := w.App.Count(t, `SELECT count(*) FROM approval_decisions`); n != 0 {
		t.Fatalf("refused decisions stored: %d", n)
	}

	// A return blocks, with the comment; the office submits again.
	var got approvals.Request
	decide(leader1, map[string]any{"decision": "returned", "comment": "请核实第二类单位的位次"}).Decode(t, http.StatusOK, &got)
	decide(leader1, map[string]any{"decision": "returned", "comment": "请核实第二类单位的位次"}).Decode(t, http.StatusOK, &got) // a retry
	if got.State != approvals.StateReturned || len(got.Decisions) != 1 {
		t.Fatalf("returned: %+v", got)
	}
	wantRefusal(t, final(), http.StatusConflict, "conflict", "请核实第二类单位的位次")
	if !hasNotice(t, w.Office, notify.KindApprovalDecided) {
		t.Error("the office was not told of the return")
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/approval", nil).Decode(t, http.StatusCreated, &req)
	decide(leader1, map[string]any{"decision": "approved", "comment": "同意"}).Decode(t, http.StatusOK, &got)
	if got.State != approvals.StatePending || *got.CurrentApprover != l2 || !hasTodo(t, leader2, todos.KindApproval) ||
		hasTodo(t, leader1, todos.KindApproval) {
		t.Fatalf("after the first approval: %+v", got)
	}
	wantRefusal(t, final(), http.StatusConflict, "conflict", "待deputy审批")
	decide(leader2, map[string]any{"decision": "approved"}).Decode(t, http.StatusOK, &got)
	if got.State != approvals.StateApproved {
		t.Fatalf("after the second approval: %+v", got)
	}

	// Figures changed after the approval need a new one.
	if _, err := w.App.Pool.Exec(ctx, `UPDATE assessment_entries SET points = 81 WHERE cycle_id = $1 AND unit_id = $2`, cy.ID, w.A.ID); err != nil {
		t.Fatal(err)
	}
	wantRefusal(t, final(), http.StatusConflict, "conflict", "已有变化")
	if _, err := w.App.Pool.Exec(ctx, `UPDATE assessment_entries SET points = 80 WHERE cycle_id = $1 AND unit_id = $2`, cy.ID, w.A.ID); err != nil {
		t.Fatal(err)
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{"provisional_reason": "年度问卷另行通报"}).Decode(t, http.StatusCreated, nil)

	// The timeline: two requests, three decisions with names and comments.
	var hist struct {
		Requests []approvals.Request `json:"requests"`
	}
	apptest.APIJSON(t, leader1, "GET", base+"/approvals", nil).Decode(t, http.StatusOK, &hist)
	if len(hist.Requests) != 2 || hist.Requests[0].Decisions[0].Comment != "请核实第二类单位的位次" ||
		len(hist.Requests[1].Decisions) != 2 || hist.Requests[1].Decisions[1].Approver != "deputy" {
		t.Fatalf("timeline %+v", hist.Requests)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action IN ('approval.submit', 'approval.approve', 'approval.return')`); n != 5 {
		t.Errorf("audit rows %d, want 5", n)
	}

	// 内部通报: the public page shows nothing of the results.
	page := apptest.Get(t, w.Anon, "/results/"+id)
	if page.Status != http.StatusNotFound || !apptest.HasText(page, "内部通报") || apptest.HasText(page, w.A.Name) {
		t.Errorf("public page %d: %s", page.Status, page.Body)
	}
	if portal := apptest.Get(t, w.Anon, "/"); apptest.HasText(portal, "/results/"+id) {
		t.Error("the portal links internal results")
	}
	put(w.Office, map[string]any{"result_approvers": []int64{l1, l2}, "results_public": true}).Decode(t, http.StatusOK, nil)
	if page := apptest.Get(t, w.Anon, "/results/"+id); page.Status != http.StatusOK || !apptest.HasText(page, w.A.Name) {
		t.Errorf("public page after 向社会公开: %d", page.Status)
	}
}

func hasTodo(t *testing.T, c *apptest.Client, kind string) bool {
	t.Helper()
	var td struct{ Items []todos.Item }
	apptest.APIJSON(t, c, "GET", "/api/v1/todos", nil).Decode(t, http.StatusOK, &td)
	for _, it := range td.Items {
		if it.Kind == kind {
			return true
		}
	}
	return false
}

func hasNotice(t *testing.T, c *apptest.Client, kind string) bool {
	t.Helper()
	for _, n := range notices(t, c) {
		if n.Kind == kind {
			return true
		}
	}
	return false
}
