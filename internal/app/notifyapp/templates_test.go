package notifyapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

type templateReply struct {
	Kind   string `json:"kind"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Edited bool   `json:"edited"`
}

// returnAgain has unit A answer the returned case again and the office
// send it back once more.
func (w *world) returnAgain(t *testing.T) {
	t.Helper()
	var c struct {
		Version int `json:"version"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cases/"+w.caseID, "", "").Decode(t, http.StatusOK, &c)
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+w.caseID+"/answer", map[string]any{"version": c.Version,
		"explanation": "培训不足", "responsible": "王主任", "measures": "每周开展服务礼仪培训", "outcome": "服务规范",
		"fix_due": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}).
		Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+w.caseID+"/return", map[string]any{"version": c.Version + 1,
		"reason": "仍未写明完成时间"}).Decode(t, http.StatusOK, nil)
}

// The office's text for 整改案件退回 reaches the unit's inbox through a
// real return; saving it again is no change; 恢复默认 brings the default
// wording back for the next return.
func TestEditedTemplateReachesTheInboxUntilReset(t *testing.T) {
	w := newWorld(t)
	mine := map[string]any{"title": "【退回】{案件}", "body": "退回理由：{退回理由}{整改期限说明}。请于三个工作日内重新提交。"}
	var r templateReply
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/notification-templates/case.returned", mine).Decode(t, http.StatusOK, &r)
	if !r.Edited || r.Title != "【退回】{案件}" {
		t.Fatalf("saved %+v", r)
	}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/notification-templates/case.returned", mine).Decode(t, http.StatusOK, &r)
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'notification_template.save'`); n != 1 {
		t.Errorf("%d saves audited, want 1", n)
	}

	w.answerAndReturn(t)
	it := inbox(t, w.unitA2, "").Items[0]
	if it.Kind != "case.returned" || it.Title != "【退回】窗口人员态度生硬，市民留电话***" ||
		!strings.HasPrefix(it.Body, "退回理由：整改措施不具体，整改完成期限为") || !strings.HasSuffix(it.Body, "。请于三个工作日内重新提交。") {
		t.Fatalf("returned with %q / %q", it.Title, it.Body)
	}

	apptest.APIDo(t, w.Office, "DELETE", "/api/v1/notification-templates/case.returned", "", "").Decode(t, http.StatusOK, &r)
	if r.Edited || r.Title != "整改案件被退回：{案件}" {
		t.Fatalf("after reset %+v", r)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'notification_template.reset'`); n != 1 {
		t.Errorf("%d resets audited, want 1", n)
	}
	w.returnAgain(t)
	it = inbox(t, w.unitA2, "").Items[0]
	if it.Title != "整改案件被退回：窗口人员态度生硬，市民留电话***" ||
		!strings.HasPrefix(it.Body, "绩效办退回了整改案件“窗口人员态度生硬，市民留电话***”，退回理由：仍未写明完成时间。请修改后重新提交") {
		t.Fatalf("after reset returned with %q / %q", it.Title, it.Body)
	}
}

// The templates are the office's: units and leaders get 403, a stranger
// 401; the office gets 404 for a kind that does not exist and 422 naming
// an unknown placeholder.
func TestTemplatesAPIIsTheOffices(t *testing.T) {
	w := newWorld(t)
	body := `{"title":"新案件","body":"请答复"}`
	for _, c := range []*apptest.Client{w.UnitUser, w.leader} {
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			apptest.WantAPIError(t, apptest.APIDo(t, c, m, "/api/v1/notification-templates/case.sent", "application/json", body),
				http.StatusForbidden, "forbidden")
		}
		apptest.WantAPIError(t, apptest.APIDo(t, c, "GET", "/api/v1/notification-templates", "", ""), http.StatusForbidden, "forbidden")
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "GET", "/api/v1/notification-templates", "", ""), http.StatusUnauthorized, "unauthorized")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/notification-templates/case.nope", "", ""), http.StatusNotFound, "not_found")

	reply := apptest.APIJSON(t, w.Office, "PUT", "/api/v1/notification-templates/case.sent",
		map[string]any{"title": "新案件：{案件}", "body": "请于{截止日期}前答复"})
	apptest.WantAPIError(t, reply, http.StatusUnprocessableEntity, "invalid", "body")
	if !strings.Contains(string(reply.Body), "{截止日期}") {
		t.Errorf("refusal does not name the placeholder: %s", reply.Body)
	}
	var list struct {
		Items []templateReply `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/notification-templates", "", "").Decode(t, http.StatusOK, &list)
	if len(list.Items) < 18 || list.Items[0].Kind != "case.sent" {
		t.Fatalf("list %+v", list.Items)
	}
	for _, it := range list.Items {
		if it.Edited {
			t.Errorf("%s edited though every change was refused", it.Kind)
		}
	}
}

// The console pages: the list grouped by readers, the edit page with its
// preview, a refused save shown again with the message, a save marking
// the kind 已修改, and 恢复默认.
func TestConsoleTemplatePages(t *testing.T) {
	w := newWorld(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	if p := apptest.Get(t, office, "/console/notifications"); !p.Has(`href="/console/notifications/templates"`) {
		t.Error("no link to the templates from the notifications page")
	}
	if p := apptest.Get(t, apptest.SignedIn(t, w.App, "unit-a2", "unit-pass-2"), "/console/notifications"); p.Has(`/console/notifications/templates`) {
		t.Error("a unit is shown the templates link")
	}
	if p := apptest.Get(t, apptest.SignedIn(t, w.App, "unit-a2", "unit-pass-2"), "/console/notifications/templates"); p.Status != http.StatusForbidden {
		t.Errorf("unit opens the templates: %d", p.Status)
	}
	list := apptest.Get(t, office, "/console/notifications/templates")
	if list.Status != http.StatusOK || !apptest.HasText(list, "发给责任单位") || !apptest.HasText(list, "发给绩效办") ||
		!apptest.HasText(list, "整改案件交办") || list.Has("tpl-edited") {
		t.Fatalf("list page %d:\n%s", list.Status, list.Body)
	}

	path := "/console/notifications/templates/case.sent"
	edit := apptest.Get(t, office, path)
	if edit.Status != http.StatusOK || !apptest.HasText(edit, "{答复期限}") ||
		!apptest.HasText(edit, "新的整改案件：窗口人员态度生硬，办事群众等候时间过长") {
		t.Fatalf("edit page %d:\n%s", edit.Status, edit.Body)
	}
	token := apptest.CSRF(t, office, path)
	form := func(action, title, body string) url.Values {
		return url.Values{"_csrf": {token}, "action": {action}, "title": {title}, "body": {body}}
	}
	pv := apptest.Post(t, office, path, form("preview", "【交办】{案件}", "请于{答复期限}前答复。"))
	if pv.Status != http.StatusOK || !apptest.HasText(pv, "【交办】窗口人员态度生硬，办事群众等候时间过长") ||
		!apptest.HasText(pv, "请于2026年12月24日前答复。") {
		t.Fatalf("preview %d:\n%s", pv.Status, pv.Body)
	}
	bad := apptest.Post(t, office, path, form("save", "【交办】{案件}", "请于{期限}前答复。"))
	if bad.Status != http.StatusUnprocessableEntity || !apptest.HasText(bad, "{期限}") || !apptest.HasText(bad, "请于{期限}前答复。") {
		t.Fatalf("refused save %d:\n%s", bad.Status, bad.Body)
	}
	if ok := apptest.Post(t, office, path, form("save", "【交办】{案件}", "请于{答复期限}前答复。")); ok.Status != http.StatusSeeOther {
		t.Fatalf("save %d", ok.Status)
	}
	if list := apptest.Get(t, office, "/console/notifications/templates"); !list.Has("tpl-edited") || !apptest.HasText(list, "【交办】{案件}") {
		t.Fatalf("list after save:\n%s", list.Body)
	}
	if p := apptest.Post(t, office, path+"/reset", url.Values{"_csrf": {token}}); p.Status != http.StatusSeeOther {
		t.Fatalf("reset %d", p.Status)
	}
	if list := apptest.Get(t, office, "/console/notifications/templates"); list.Has("tpl-edited") {
		t.Fatal("still edited after 恢复默认")
	}
}
