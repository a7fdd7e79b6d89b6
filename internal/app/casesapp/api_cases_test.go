package casesapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/feedback"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type apiCaseFull struct {
	ID            int64  `json:"id"`
	Status        string `json:"status"`
	Version       int    `json:"version"`
	AnswerDue     string `json:"answer_due"`
	AnswerOverdue bool   `json:"answer_overdue"`
	Updates       []struct {
		Kind string `json:"kind"`
	} `json:"updates"`
}

// TestCasesWorkflowConsoleAPIAndPublic takes a valid 差评 through the
// unit's answer (API), the done report with evidence (console form), the
// office's close and release, to the public page.
func TestCasesWorkflowConsoleAPIAndPublic(t *testing.T) {
	w := newFeedbackWorld(t)
	var cs fixtures.Case
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": w.ids["a1"], "version": 0}}, "problem": "窗口态度差，市民留电话13812345678"}).
		Decode(t, http.StatusCreated, &cs)
	id := apptest.Itoa(cs.ID)
	w.App.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.B.ID)
	unitB := w.App.Client()
	unitB.SignIn(t, "unit-b", "unit-pass-b")

	// Units see only their own cases.
	var list caseListReply
	apptest.APIDo(t, unitB, "GET", "/api/v1/cases", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 0 {
		t.Errorf("unit B sees %d cases", list.Total)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, unitB, "GET", "/api/v1/cases/"+id, "", ""), http.StatusNotFound, "not_found")
	plan := map[string]any{"version": 1, "explanation": "窗口人员培训不足", "responsible": "王主任", "measures": "开展服务礼仪培训",
		"outcome": "窗口服务规范", "fix_due": "2026-12-31"}
	apptest.WantAPIError(t, apptest.APIJSON(t, unitB, "POST", "/api/v1/cases/"+id+"/answer", plan), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+id+"/close", map[string]any{"version": 1}), http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+id+"/done", map[string]any{"version": 1, "body": "x"}), http.StatusConflict, "conflict")

	var full apiCaseFull
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+id+"/answer", plan).Decode(t, http.StatusOK, &full)
	if full.Status != "answered" || full.Version != 2 {
		t.Fatalf("answered: %+v", full)
	}
	// A stale version conflicts with the fixed message.
	r := apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+id+"/progress", map[string]any{"version": 1, "body": "进展"})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "该案件已被他人处理，请刷新后重试") {
		t.Errorf("conflict message: %s", r.Body)
	}
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+id+"/progress", map[string]any{"version": 2, "body": "已完成第一轮培训"}).Decode(t, http.StatusOK, nil)

	// The done report on the console: forbidden types and sizes are refused.
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	if p := apptest.Get(t, unit, "/console/cases/"+id); p.Status != http.StatusOK || !p.Has(`id="done-form"`) || !p.Has("王主任") {
		t.Fatalf("unit case page: %d", p.Status)
	}
	p := apptest.PostMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "a.txt", []byte("plain text"))
	if p.Status != http.StatusUnprocessableEntity || !p.Has("仅支持 PDF、PNG、JPEG 格式") {
		t.Fatalf("txt evidence: %d", p.Status)
	}
	big := append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...)
	if p := apptest.PostMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "big.pdf", big); p.Status == http.StatusSeeOther {
		t.Fatalf("oversized evidence accepted")
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cases/"+id, "", "").Decode(t, http.StatusOK, &full)
	if full.Status != "answered" || full.Version != 3 {
		t.Fatalf("refused uploads changed the case: %+v", full)
	}
	p = apptest.PostMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "done.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=case_done") {
		t.Fatalf("done: %d %s", p.Status, p.Body)
	}
	if p := apptest.Get(t, office, "/console/cases/"+id); !p.Has("done.pdf") || !p.Has(`id="close-form"`) {
		t.Fatal("office case page lacks the evidence or the close form")
	}
	// Not yet released: the public page does not exist.
	if p := apptest.Get(t, w.Anon, "/cases/"+apptest.Itoa(w.A.ID)); p.Status != http.StatusNotFound {
		t.Fatalf("unreleased public page: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/cases/"+id+"/close", url.Values{"version": {"4"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/cases/"+id+"/close", url.Values{"version": {"5"}}); p.Status != http.StatusConflict {
		t.Fatalf("second close: %d", p.Status)
	}
	if p := apptest.Post(t, unit, "/console/cases/"+id+"/release", url.Values{"version": {"5"}, "released": {"1"}}); p.Status != http.StatusForbidden {
		t.Fatalf("unit releases: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/cases/"+id+"/release", url.Values{"version": {"5"}, "released": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("release: %d", p.Status)
	}
	pub := apptest.Get(t, w.Anon, "/cases/"+apptest.Itoa(w.A.ID))
	if pub.Status != http.StatusOK || !pub.Has("已办结") || !pub.Has("开展服务礼仪培训") || !pub.Has("已完成第一轮培训") ||
		!pub.Has("窗口态度差") || pub.Has("13812345678") || pub.Has("138****") || pub.Has(w.ids["a1"]) || pub.Has("unit-a") {
		t.Fatalf("public page: %d\n%s", pub.Status, pub.Body)
	}
	if idx := apptest.Get(t, w.Anon, "/cases"); !idx.Has("市政务服务中心") || idx.Has("市税务局") {
		t.Fatalf("public index:\n%s", idx.Body)
	}
	if p := apptest.Get(t, w.Anon, "/cases/"+apptest.Itoa(w.B.ID)); p.Status != http.StatusNotFound {
		t.Fatalf("unit without released cases: %d", p.Status)
	}
	// Filters and the settings page.
	if p := apptest.Get(t, office, "/console/cases?status=closed"); !p.Has(`id="total">1<`) {
		t.Error("status filter")
	}
	if p := apptest.Get(t, office, "/console/cases?overdue=any"); !p.Has(`id="total">0<`) {
		t.Error("overdue filter")
	}
	if p := apptest.Post(t, office, "/console/cases/settings", url.Values{"feedback": {"99"}, "survey": {"15"}, "monitoring": {"15"}, "assessment": {"15"}, "callback": {"1"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad setting: %d", p.Status)
	}
	if p := apptest.Post(t, unit, "/console/cases/settings", url.Values{"feedback": {"10"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit settings: %d", p.Status)
	}
	// Reminder settings: the form, refused typing kept, saved, read back by the API.
	if p := apptest.Get(t, office, "/console/cases/settings"); !p.Has(`name="days_before" inputmode="numeric" maxlength="2" value="2"`) {
		t.Error("the reminder form does not show the default")
	}
	if p := apptest.Post(t, office, "/console/cases/settings/reminders", url.Values{"days_before": {"2"}, "escalate_after": {"两天"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("请填写0至30的整数") || !p.Has(`value="两天"`) {
		t.Errorf("reminder settings not a number: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/cases/settings/reminders", url.Values{"days_before": {"12"}, "escalate_after": {"1"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("提前提醒天数须为0至10个工作日") || !p.Has(`value="12"`) {
		t.Errorf("reminder settings out of range: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/cases/settings/reminders", url.Values{"days_before": {"3"}, "escalate_after": {"5"}}); p.Status != http.StatusSeeOther {
		t.Errorf("save reminder settings: %d", p.Status)
	}
	var rs feedback.ReminderSettings
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/cases/reminder-settings", nil).Decode(t, http.StatusOK, &rs)
	if rs != (feedback.ReminderSettings{DaysBefore: 3, EscalateAfter: 5}) {
		t.Errorf("reminder settings read back: %+v", rs)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", "/api/v1/cases/reminder-settings", rs), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cases/reminder-settings",
		map[string]int{"days_before": -1, "escalate_after": 3}), http.StatusUnprocessableEntity, "invalid", "days_before")
	if p := apptest.Get(t, office, "/console"); !p.Has(`id="case-overdue"`) || !p.Has(`href="/console/cases"`) {
		t.Error("overview lacks the case warnings or the nav link")
	}
}

type caseListReply struct {
	Total int `json:"total"`
}
