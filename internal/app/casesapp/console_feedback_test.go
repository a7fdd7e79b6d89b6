package casesapp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

var (
	mergeRefRE   = regexp.MustCompile(`name="item" value="(rating:[0-9a-f-]+:\d+)"`)
	appealLinkRE = regexp.MustCompile(`href="(/console/ratings/[0-9a-f-]+/appeal)"`)
	appealFormRE = regexp.MustCompile(`action="(/console/feedback/appeals/\d+/decide)"`)
)

func TestConsoleFeedbackReview(t *testing.T) {
	w := newFeedbackWorld(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")

	if p := apptest.Get(t, unit, "/console/feedback"); p.Status != http.StatusForbidden {
		t.Fatalf("unit sees the queue: %d", p.Status)
	}
	q := apptest.Get(t, office, "/console/feedback?unit_id="+apptest.Itoa(w.A.ID))
	if q.Status != http.StatusOK || !q.Has("窗口人员态度生硬") || !q.Has("排队一个小时") || q.Has("不是本单位的事") || !q.Has(`id="total">3<`) {
		t.Fatalf("queue: %d\n%s", q.Status, q.Body)
	}
	if !strings.Contains(apptest.Get(t, office, "/console").Body, `href="/console/feedback"`) {
		t.Error("nav lacks 民意核查")
	}

	// Invalid verdict on the item page: a missing reason is shown, a stale
	// form conflicts.
	link := "/console/feedback/item/rating/" + w.ids["a1"]
	if p := apptest.Get(t, office, link); p.Status != http.StatusOK || !p.Has("认定无效") || !p.Has("态度差：窗口人员态度生硬") {
		t.Fatalf("item page: %d", p.Status)
	}
	if p := apptest.Post(t, office, link+"/invalid", url.Values{"version": {"0"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请选择无效原因") {
		t.Fatalf("invalid without reason: %d", p.Status)
	}
	if p := apptest.Post(t, office, link+"/invalid", url.Values{"version": {"0"}, "reason": {"malicious"}, "note": {"刷评"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=feedback_invalid") {
		t.Fatalf("invalid: %d %q", p.Status, p.Location)
	}
	if p := apptest.Post(t, office, link+"/valid", url.Values{"version": {"0"}}); p.Status != http.StatusConflict || !p.Has("其他工作人员") {
		t.Fatalf("stale verdict: %d", p.Status)
	}
	if p := apptest.Get(t, office, link); !p.Has("恶意评价") || !p.Has("重新核查") || !p.Has("已剔除") {
		t.Fatal("decided item page lacks the verdict")
	}
	if p := apptest.Get(t, office, "/console/feedback?status=all&unit_id="+apptest.Itoa(w.A.ID)); p.Status != http.StatusOK || !p.Has(`id="total">3<`) || !p.Has("恶意评价") {
		t.Fatalf("all items: %d", p.Status)
	}
	if p := apptest.Get(t, office, "/console/feedback?status=decided"); p.Status != http.StatusOK || !p.Has(`id="total">1<`) {
		t.Fatalf("decided items: %d", p.Status)
	}
	// A malformed page position is explained, with the filter form intact.
	if p := apptest.Get(t, office, "/console/feedback?older=not-a-cursor"); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("翻页位置无效") || !p.Has(`value="`+apptest.Itoa(w.A.ID)+`"`) {
		t.Fatalf("bad cursor: %d\n%s", p.Status, p.Body)
	}

	// Merge the two queue complaints of unit A into one case.
	q = apptest.Get(t, office, "/console/feedback?unit_id="+apptest.Itoa(w.A.ID))
	refs := mergeRefRE.FindAllStringSubmatch(q.Body, -1)
	if len(refs) != 2 {
		t.Fatalf("%d pending checkboxes, want 2", len(refs))
	}
	p := apptest.Post(t, office, "/console/feedback/merge", url.Values{"item": {refs[0][1], refs[1][1]}, "problem": {"大厅排队时间长"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/cases") {
		t.Fatalf("merge: %d %q", p.Status, p.Location)
	}
	if p := apptest.Post(t, office, "/console/feedback/merge", url.Values{"item": {refs[0][1]}}); p.Status != http.StatusConflict {
		t.Fatalf("merging a decided item: %d", p.Status)
	}
	if c := apptest.Get(t, unit, "/console/cases"); c.Status != http.StatusOK || !c.Has("大厅排队时间长") || !c.Has("合并 2 条") {
		t.Fatalf("unit cases: %d\n%s", c.Status, c.Body)
	}

	// The unit appeals a rating from its feed with a PDF; the office decides.
	feedPage := apptest.Get(t, unit, "/console/ratings")
	links := appealLinkRE.FindAllStringSubmatch(feedPage.Body, -1)
	if len(links) == 0 {
		t.Fatal("no appeal link in the unit's feed")
	}
	form := links[0][1]
	if p := apptest.Get(t, unit, form); p.Status != http.StatusOK || !p.Has("提交申诉") {
		t.Fatalf("appeal form: %d", p.Status)
	}
	if p := apptest.Get(t, office, form); p.Status != http.StatusForbidden {
		t.Fatalf("office opens the appeal form: %d", p.Status)
	}
	if p := apptest.PostMultipart(t, unit, form, map[string]string{"grounds": "理由"}, "a.exe", []byte("MZ\x90\x00")); p.Status != http.StatusUnprocessableEntity || !p.Has("仅支持") {
		t.Fatalf("appeal with a bad file: %d", p.Status)
	}
	p = apptest.PostMultipart(t, unit, form, map[string]string{"grounds": "评价人当天未来办事"}, "监控截图.pdf", []byte("%PDF-1.4 test"))
	if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=rating_appeal_filed") {
		t.Fatalf("appeal: %d %q %s", p.Status, p.Location, p.Body)
	}
	mine := apptest.Get(t, unit, "/console/feedback/appeals")
	if !mine.Has("评价人当天未来办事") || !mine.Has("监控截图.pdf") || !mine.Has("待处理") {
		t.Fatalf("unit's appeals:\n%s", mine.Body)
	}
	ap := apptest.Get(t, office, "/console/feedback/appeals?status=open")
	m := appealFormRE.FindStringSubmatch(ap.Body)
	if m == nil {
		t.Fatalf("no decision form:\n%s", ap.Body)
	}
	action := html.UnescapeString(m[1])
	if p := apptest.Post(t, office, action, url.Values{"decision": {"uphold"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写处理理由") {
		t.Fatalf("decision without reason: %d", p.Status)
	}
	if p := apptest.Post(t, office, action, url.Values{"decision": {"reject"}, "reason": {"证据不足"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("decision: %d", p.Status)
	}
	if mine := apptest.Get(t, unit, "/console/feedback/appeals"); !mine.Has("申诉不成立") || !mine.Has("证据不足") {
		t.Fatal("unit does not see the decision and its reason")
	}

	// Flags page and the scan button.
	if p := apptest.Get(t, office, "/console/feedback/flags"); p.Status != http.StatusOK || !p.Has("立即扫描") {
		t.Fatalf("flags page: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/feedback/flags/scan", nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=flag_scan_none") {
		t.Fatalf("scan: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, unit, "/console/feedback/flags"); p.Status != http.StatusForbidden {
		t.Fatalf("unit sees flags: %d", p.Status)
	}
}
