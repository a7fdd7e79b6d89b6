package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
	var cs apiCase
	apiJSON(t, w.office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": w.ids["a1"], "version": 0}}, "problem": "窗口态度差，市民留电话13812345678"}).
		decode(t, http.StatusCreated, &cs)
	id := itoa(cs.ID)
	w.app.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.b.ID)
	unitB := w.app.Client()
	unitB.SignIn(t, "unit-b", "unit-pass-b")

	// Units see only their own cases.
	var list caseListReply
	apiDo(t, unitB, "GET", "/api/v1/cases", "", "").decode(t, http.StatusOK, &list)
	if list.Total != 0 {
		t.Errorf("unit B sees %d cases", list.Total)
	}
	wantAPIError(t, apiDo(t, unitB, "GET", "/api/v1/cases/"+id, "", ""), http.StatusNotFound, "not_found")
	plan := map[string]any{"version": 1, "explanation": "窗口人员培训不足", "responsible": "王主任", "measures": "开展服务礼仪培训",
		"outcome": "窗口服务规范", "fix_due": "2026-12-31"}
	wantAPIError(t, apiJSON(t, unitB, "POST", "/api/v1/cases/"+id+"/answer", plan), http.StatusNotFound, "not_found")
	wantAPIError(t, apiJSON(t, w.office, "POST", "/api/v1/cases/"+id+"/close", map[string]any{"version": 1}), http.StatusConflict, "conflict")
	wantAPIError(t, apiJSON(t, w.unitUser, "POST", "/api/v1/cases/"+id+"/done", map[string]any{"version": 1, "body": "x"}), http.StatusConflict, "conflict")

	var full apiCaseFull
	apiJSON(t, w.unitUser, "POST", "/api/v1/cases/"+id+"/answer", plan).decode(t, http.StatusOK, &full)
	if full.Status != "answered" || full.Version != 2 {
		t.Fatalf("answered: %+v", full)
	}
	// A stale version conflicts with the fixed message.
	r := apiJSON(t, w.unitUser, "POST", "/api/v1/cases/"+id+"/progress", map[string]any{"version": 1, "body": "进展"})
	wantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "该案件已被他人处理，请刷新后重试") {
		t.Errorf("conflict message: %s", r.Body)
	}
	apiJSON(t, w.unitUser, "POST", "/api/v1/cases/"+id+"/progress", map[string]any{"version": 2, "body": "已完成第一轮培训"}).decode(t, http.StatusOK, nil)

	// The done report on the console: forbidden types and sizes are refused.
	unit := signedIn(t, w.app, "unit-a", "unit-pass-1")
	office := signedIn(t, w.app, "office1", "office-pass-1")
	if p := get(t, unit, "/console/cases/"+id); p.Status != http.StatusOK || !p.has(`id="done-form"`) || !p.has("王主任") {
		t.Fatalf("unit case page: %d", p.Status)
	}
	p := postMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "a.txt", []byte("plain text"))
	if p.Status != http.StatusUnprocessableEntity || !p.has("仅支持 PDF、PNG、JPEG 格式") {
		t.Fatalf("txt evidence: %d", p.Status)
	}
	big := append([]byte("%PDF-1.4\n"), make([]byte, 10<<20)...)
	if p := postMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "big.pdf", big); p.Status == http.StatusSeeOther {
		t.Fatalf("oversized evidence accepted")
	}
	apiDo(t, w.office, "GET", "/api/v1/cases/"+id, "", "").decode(t, http.StatusOK, &full)
	if full.Status != "answered" || full.Version != 3 {
		t.Fatalf("refused uploads changed the case: %+v", full)
	}
	p = postMultipart(t, unit, "/console/cases/"+id+"/done", map[string]string{"version": "3", "body": "培训完成"}, "done.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=case_done") {
		t.Fatalf("done: %d %s", p.Status, p.Body)
	}
	if p := get(t, office, "/console/cases/"+id); !p.has("done.pdf") || !p.has(`id="close-form"`) {
		t.Fatal("office case page lacks the evidence or the close form")
	}
	// Not yet released: the public page does not exist.
	if p := get(t, w.anon, "/cases/"+itoa(w.a.ID)); p.Status != http.StatusNotFound {
		t.Fatalf("unreleased public page: %d", p.Status)
	}
	if p := post(t, office, "/console/cases/"+id+"/close", url.Values{"version": {"4"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", p.Status)
	}
	if p := post(t, office, "/console/cases/"+id+"/close", url.Values{"version": {"5"}}); p.Status != http.StatusConflict {
		t.Fatalf("second close: %d", p.Status)
	}
	if p := post(t, unit, "/console/cases/"+id+"/release", url.Values{"version": {"5"}, "released": {"1"}}); p.Status != http.StatusForbidden {
		t.Fatalf("unit releases: %d", p.Status)
	}
	if p := post(t, office, "/console/cases/"+id+"/release", url.Values{"version": {"5"}, "released": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("release: %d", p.Status)
	}
	pub := get(t, w.anon, "/cases/"+itoa(w.a.ID))
	if pub.Status != http.StatusOK || !pub.has("已办结") || !pub.has("开展服务礼仪培训") || !pub.has("已完成第一轮培训") ||
		!pub.has("窗口态度差") || pub.has("13812345678") || pub.has("138****") || pub.has(w.ids["a1"]) || pub.has("unit-a") {
		t.Fatalf("public page: %d\n%s", pub.Status, pub.Body)
	}
	if idx := get(t, w.anon, "/cases"); !idx.has("市政务服务中心") || idx.has("市税务局") {
		t.Fatalf("public index:\n%s", idx.Body)
	}
	if p := get(t, w.anon, "/cases/"+itoa(w.b.ID)); p.Status != http.StatusNotFound {
		t.Fatalf("unit without released cases: %d", p.Status)
	}
	// Filters and the settings page.
	if p := get(t, office, "/console/cases?status=closed"); !p.has(`id="total">1<`) {
		t.Error("status filter")
	}
	if p := get(t, office, "/console/cases?overdue=any"); !p.has(`id="total">0<`) {
		t.Error("overdue filter")
	}
	if p := post(t, office, "/console/cases/settings", url.Values{"feedback": {"99"}, "survey": {"15"}, "monitoring": {"15"}, "assessment": {"15"}, "callback": {"1"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad setting: %d", p.Status)
	}
	if p := post(t, unit, "/console/cases/settings", url.Values{"feedback": {"10"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit settings: %d", p.Status)
	}
	if p := get(t, office, "/console"); !p.has(`id="case-overdue"`) || !p.has(`href="/console/cases"`) {
		t.Error("overview lacks the case warnings or the nav link")
	}
}

type caseListReply struct {
	Total int `json:"total"`
}
