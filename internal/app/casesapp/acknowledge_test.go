package casesapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

// withPraise is the feedback world with four more messages of unit A:
// 非常满意 ×2, 满意 and 基本满意.
func withPraise(t *testing.T) *feedbackWorld {
	t.Helper()
	w := newFeedbackWorld(t)
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "A2评价器"})
	apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{
		{"id": "p1", "level": 5, "comment": "窗口服务很好，谢谢"}, {"id": "p2", "level": 4, "comment": "办事很快"},
		{"id": "p3", "level": 3, "comment": "还可以"}, {"id": "p4", "level": 5, "comment": "点赞"}}},
		"Authorization", "Bearer "+token).Decode(t, http.StatusOK, nil)
	return w
}

// TestQueueShowsWhatNeedsADecisionFirst: the console's queue opens on the
// complaints and messages below 满意; praise is one choice away; the API
// keeps every item unless asked, and refuses an unknown tone.
func TestQueueShowsWhatNeedsADecisionFirst(t *testing.T) {
	w := withPraise(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	p := apptest.Get(t, office, "/console/feedback")
	if !apptest.HasText(p, "排队一个小时") || !apptest.HasText(p, "还可以") || apptest.HasText(p, "窗口服务很好") ||
		!p.Has(`<option value="complaint" selected>`) {
		t.Errorf("the default queue does not show the complaints alone")
	}
	p = apptest.Get(t, office, "/console/feedback?tone=praise")
	if !apptest.HasText(p, "窗口服务很好") || !apptest.HasText(p, "办事很快") || apptest.HasText(p, "排队一个小时") {
		t.Errorf("praise is not one choice away")
	}
	if p = apptest.Get(t, office, "/console/feedback?tone=all"); !apptest.HasText(p, "窗口服务很好") || !apptest.HasText(p, "排队一个小时") {
		t.Errorf("all does not show both")
	}
	if n := len(pendingOf(t, w, "")); n != 8 {
		t.Errorf("the API's default: %d items, want all 8", n)
	}
	if n := len(pendingOf(t, w, "&tone=complaint")); n != 5 {
		t.Errorf("tone=complaint: %d, want 5", n)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?tone=happy", "", ""), http.StatusUnprocessableEntity,
		"invalid", "tone")
}

// pendingOf returns the pending queue of the office, by the rating's id.
func pendingOf(t *testing.T, w *feedbackWorld, query string) map[string]int {
	t.Helper()
	var q apiQueue
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?status=pending"+query, "", "").Decode(t, http.StatusOK, &q)
	out := map[string]int{}
	for _, it := range q.Items {
		out[it.ID] = it.Version
	}
	return out
}

// TestAcknowledgeSelectionFilterAndRule: praise is marked 已阅 (no case, no
// exclusion) as a selection, as everything a filter matches once its count
// is confirmed, and by the office's rule; stale or wrong counts change
// nothing; only the office may do it.
func TestAcknowledgeSelectionFilterAndRule(t *testing.T) {
	w := withPraise(t)
	pending := pendingOf(t, w, "")
	if len(pending) != 8 {
		t.Fatalf("pending %d, want 8: %v", len(pending), pending)
	}

	// A selection: one item at a stale version refuses all.
	a1 := w.ids["a1"]
	body := map[string]any{"items": []map[string]any{{"kind": "rating", "id": a1, "version": 0},
		{"kind": "rating", "id": a1 + "x", "version": 0}}}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/acknowledge", body), http.StatusNotFound, "not_found")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/feedback/acknowledge", body), http.StatusForbidden, "forbidden")
	if n := len(pendingOf(t, w, "")); n != 8 {
		t.Fatalf("a refused selection changed the queue: %d pending", n)
	}
	var out struct {
		Acknowledged int `json:"acknowledged"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/acknowledge", map[string]any{"note": "已电话致谢",
		"items": []map[string]any{{"kind": "rating", "id": a1, "version": 0}}}).Decode(t, http.StatusOK, &out)
	if out.Acknowledged != 1 {
		t.Errorf("acknowledged %d", out.Acknowledged)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/acknowledge", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": a1, "version": 0}}}), http.StatusConflict, "conflict")
	if n := w.App.Count(t, `SELECT count(*) FROM ratings WHERE excluded`); n != 0 {
		t.Errorf("%d ratings excluded by 已阅", n)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM rectification_cases`); n != 0 {
		t.Errorf("%d cases opened by 已阅", n)
	}

	// Everything level 5 matches: two items; a wrong count changes nothing.
	r := apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/acknowledge-matching?level=5", map[string]any{"expected": 3})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	if !strings.Contains(string(r.Body), "2 条") {
		t.Errorf("the refusal does not give the count: %s", r.Body)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/acknowledge-matching?level=5", map[string]any{"expected": 2}).
		Decode(t, http.StatusOK, &out)
	if out.Acknowledged != 2 || len(pendingOf(t, w, "&level=5")) != 0 || len(pendingOf(t, w, "")) != 5 {
		t.Errorf("after the filter: %d acknowledged, %d pending", out.Acknowledged, len(pendingOf(t, w, "")))
	}

	// The rule for praise (满意 and above, no reasons): p2 only; 基本满意
	// and the complaints stay with people.
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/feedback/auto-rule", map[string]any{"enabled": true, "min_level": 2}).
		Decode(t, http.StatusUnprocessableEntity, nil)
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/feedback/auto-rule", map[string]any{"enabled": true, "min_level": 4}).
		Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/auto-rule/run", map[string]any{}).Decode(t, http.StatusOK, &out)
	if out.Acknowledged != 1 {
		t.Errorf("the rule acknowledged %d, want 1 (p2)", out.Acknowledged)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM feedback_reviews WHERE auto AND verdict = 'acknowledged' AND decided_by IS NULL`); n != 1 {
		t.Errorf("%d verdicts recorded as the rule's", n)
	}
	left := pendingOf(t, w, "")
	if len(left) != 4 {
		t.Errorf("pending after the rule: %d, want 4 (a3, a4, b1, p3)", len(left))
	}
	var q apiQueue
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?status=decided", "", "").Decode(t, http.StatusOK, &q)
	if q.Total != 4 {
		t.Errorf("decided %d, want 4", q.Total)
	}
}

// TestConsoleAcknowledge: from its page an item is marked 已阅 and says
// so; the queue shows the bulk forms, and a confirmed filter marks them.
func TestConsoleAcknowledge(t *testing.T) {
	w := newFeedbackWorld(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	item := "/console/feedback/item/rating/" + w.ids["a3"]
	p := apptest.Get(t, office, item)
	if !p.Has(`id="ack-form"`) || !apptest.HasText(p, "已阅：无需处理") {
		t.Fatalf("no 已阅 form on the item's page")
	}
	p = apptest.Post(t, office, item+"/acknowledge", url.Values{"version": {"0"}, "note": {"重复反映"}})
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=feedback_acknowledged") {
		t.Fatalf("acknowledge: %d %s", p.Status, p.Location)
	}
	if p = apptest.Get(t, office, item); !apptest.HasText(p, "已阅") || p.Has(`id="ack-form"`) {
		t.Errorf("the item's page after 已阅")
	}
	p = apptest.Get(t, office, "/console/feedback?level=2")
	if !p.Has(`id="ack-selected"`) || !p.Has(`id="ack-matching"`) || !p.Has(`name="expected" value="1"`) {
		t.Fatalf("the queue lacks the bulk actions")
	}
	p = apptest.Post(t, office, "/console/feedback/acknowledge-matching?level=2&status=pending", url.Values{"expected": {"5"}})
	if p.Status != http.StatusConflict || !apptest.HasText(p, "请刷新页面核对后再确认") {
		t.Errorf("a stale count: %d", p.Status)
	}
	p = apptest.Post(t, office, "/console/feedback/acknowledge-matching?level=2&status=pending", url.Values{"expected": {"1"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/feedback?level=2&status=pending") {
		t.Errorf("confirmed: %d %s", p.Status, p.Location)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM feedback_reviews WHERE verdict = 'acknowledged'`); n != 2 {
		t.Errorf("%d acknowledged, want 2", n)
	}
	p = apptest.Post(t, office, "/console/feedback/auto-rule", url.Values{"enabled": {"1"}, "min_level": {"5"}})
	if p.Status != http.StatusSeeOther {
		t.Errorf("rule: %d", p.Status)
	}
	if p = apptest.Get(t, office, "/console/feedback"); !apptest.HasText(p, "当前规则：非常满意、未选不满意原因的留言") {
		t.Errorf("the rule is not shown")
	}
}
