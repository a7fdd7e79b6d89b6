package targetsapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// editorForm is the editor's post with the rows given as name → value
// maps (keys without the ind[i]. prefix).
func editorForm(lock int, rows ...map[string]string) url.Values {
	v := url.Values{"lock_version": {apptest.Itoa(int64(lock))}, "rows": {apptest.Itoa(int64(len(rows) + 1))}}
	for i, r := range rows {
		for k, val := range r {
			v.Set("ind["+apptest.Itoa(int64(i))+"]."+k, val)
		}
	}
	return v
}

func row(name, points, deadline string) map[string]string {
	return map[string]string{"name": name, "tasks": name + "的任务", "points": points, "standard": "完成得满分",
		"deadline": deadline, "assessor_name": "市委督查室"}
}

func TestConsoleTargets(t *testing.T) {
	w := newTargetWorld(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unitA := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	unitB := apptest.SignedIn(t, w.App, "unit-b", "unit-pass-2")

	// The nav has the link; a unit sees only its own line.
	p := apptest.Get(t, unitA, "/console/targets")
	if p.Status != http.StatusOK || !p.Has(`href="/console/targets" class="on"`) || !p.Has("市政务服务中心") || p.Has("市税务局") ||
		!p.Has("开始编制") {
		t.Fatalf("unit list page %d", p.Status)
	}
	created := apptest.Post(t, unitA, "/console/targets", url.Values{"cycle_id": {apptest.Itoa(w.cycle)}})
	if created.Status != http.StatusSeeOther || !strings.Contains(created.Location, "msg=target_created") {
		t.Fatalf("create %d %q", created.Status, created.Location)
	}
	sheet := strings.SplitN(created.Location, "?", 2)[0]
	if p := apptest.Get(t, unitA, created.Location); !p.Has("目标责任书已创建") || !p.Has("编制指标") {
		t.Errorf("new sheet page lacks the editor")
	}
	// Another unit's user gets 403.
	if p := apptest.Get(t, unitB, sheet); p.Status != http.StatusForbidden {
		t.Errorf("unit B on A's sheet: %d", p.Status)
	}
	if p := apptest.Post(t, unitB, sheet, editorForm(1, row("x", "1", "2025-12-31"))); p.Status != http.StatusForbidden {
		t.Errorf("unit B saving A's sheet: %d", p.Status)
	}

	// Bad input: messages next to the rows, input kept.
	bad := apptest.Post(t, unitA, sheet, editorForm(1, map[string]string{"name": "招商引资", "tasks": "", "points": "十分",
		"standard": "完成得满分", "deadline": "明年", "assessor_name": "督查室"}))
	for _, s := range []string{"请填写第1项指标的任务", "第1项指标的分值须为大于0的数字", "第1项指标的完成时限须为有效日期", `value="十分"`, `value="招商引资"`} {
		if !bad.Has(s) {
			t.Errorf("refused save lacks %q", s)
		}
	}
	if bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("refused save: %d", bad.Status)
	}
	ok := apptest.Post(t, unitA, sheet, editorForm(1, row("招商引资", "10", "2025-05-31"), row("项目建设", "20", "2025-12-31")))
	if ok.Status != http.StatusSeeOther || !strings.Contains(ok.Location, "target_saved") {
		t.Fatalf("save: %d %s", ok.Status, ok.Body)
	}
	// A stale form: conflict message, the typed input shown again, nothing stored.
	stale := apptest.Post(t, unitA, sheet, editorForm(1, row("被覆盖的指标", "5", "2025-12-31")))
	if stale.Status != http.StatusConflict || !stale.Has("已被他人修改") || !stale.Has(`value="被覆盖的指标"`) ||
		!stale.Has("当前已保存的内容") || !stale.Has("项目建设") || !stale.Has(`name="lock_version" value="2"`) {
		t.Errorf("stale save: %d", stale.Status)
	}
	if p := apptest.Get(t, unitA, sheet); p.Has("被覆盖的指标") {
		t.Error("stale save was stored")
	}
	// Office cannot approve a draft: clear message.
	if p := apptest.Post(t, office, sheet+"/approve", url.Values{"lock_version": {"2"}}); p.Status != http.StatusConflict ||
		!p.Has("只有已提交待审核的目标责任书可以批准") {
		t.Errorf("approve draft: %d", p.Status)
	}
	if p := apptest.Post(t, unitA, sheet+"/submit", url.Values{"lock_version": {"2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", p.Status)
	}
	// The office list shows it waiting; the office returns it with comments.
	if p := apptest.Get(t, office, "/console/targets?cycle_id="+apptest.Itoa(w.cycle)); !p.Has(`id="count-submitted">1<`) || !p.Has("已提交，待审核") {
		t.Errorf("office list lacks the submitted sheet")
	}
	review := apptest.Get(t, office, sheet)
	if !review.Has("批准并公开") || !review.Has("退回修改") {
		t.Fatalf("review actions missing")
	}
	if p := apptest.Post(t, unitA, sheet+"/return", url.Values{"lock_version": {"3"}, "comment": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit returning: %d", p.Status)
	}
	noComment := apptest.Post(t, office, sheet+"/return", url.Values{"lock_version": {"3"}})
	if noComment.Status != http.StatusUnprocessableEntity || !noComment.Has("请填写退回意见") {
		t.Errorf("return without comment: %d", noComment.Status)
	}
	if p := apptest.Post(t, office, sheet+"/return", url.Values{"lock_version": {"3"}, "comment": {"请细化评分标准"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", p.Status)
	}
	if p := apptest.Get(t, unitA, sheet); !p.Has("绩效办退回意见：</strong>请细化评分标准") || !p.Has("编制指标") {
		t.Errorf("returned sheet page")
	}
	apptest.Post(t, unitA, sheet+"/submit", url.Values{"lock_version": {"4"}})
	if p := apptest.Post(t, office, sheet+"/approve", url.Values{"lock_version": {"5"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "target_approved") {
		t.Fatalf("approve: %d", p.Status)
	}

	// After approval: the change-request form; a request without a reason is refused.
	approved := apptest.Get(t, unitA, sheet)
	if !approved.Has("申请调整指标") || !approved.Has("查看公开页面") || !approved.Has("第1版") {
		t.Errorf("approved page lacks the change form")
	}
	ids := regexpAll(approved.Body, `name="ind\[\d+\]\.id" value="(\d+)"`)
	if len(ids) != 2 {
		t.Fatalf("indicator ids %v", ids)
	}
	first := row("招商引资", "12", "2025-06-30")
	first["id"] = ids[0]
	second := row("项目建设", "20", "2025-12-31")
	second["id"], second["remove"] = ids[1], "1"
	form := editorForm(6, first, second)
	noReason := apptest.Post(t, unitA, sheet+"/changes", form)
	if noReason.Status != http.StatusUnprocessableEntity || !noReason.Has("请填写调整理由") || !noReason.Has(`value="12"`) {
		t.Errorf("change without reason: %d", noReason.Status)
	}
	form.Set("reason", "市委调整了招商任务")
	if p := apptest.Post(t, unitA, sheet+"/changes", form); p.Status != http.StatusSeeOther {
		t.Fatalf("request change: %d %s", p.Status, p.Body)
	}
	pending := apptest.Get(t, office, sheet)
	if !pending.Has("待审核的调整申请") || !pending.Has("市委调整了招商任务") || !pending.Has("<del>10</del> → <ins>12</ins>") ||
		!pending.Has("删除指标") {
		t.Errorf("pending change not shown")
	}
	crs := regexpAll(pending.Body, `action="(/console/targets/\d+/changes/\d+)"`)
	if len(crs) != 1 {
		t.Fatalf("decide form %v", crs)
	}
	if p := apptest.Post(t, office, crs[0], url.Values{"decision": {"reject"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写不予批准的理由") {
		t.Errorf("reject without comment: %d", p.Status)
	}
	if p := apptest.Post(t, office, crs[0], url.Values{"decision": {"approve"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "target_change_approved") {
		t.Fatalf("approve change: %d", p.Status)
	}

	// Progress report on 2025-07-20: Q1 and Q2 listed, Q2 late.
	w.clock.Set(time.Date(2025, 7, 20, 9, 0, 0, 0, w.App.Config.Location))
	rep := apptest.Get(t, unitA, sheet+"?period=2025-Q2")
	if !rep.Has("2025年第2季度进度报告") || !rep.Has("逾期未报") || !rep.Has("目标预警") {
		t.Errorf("report section")
	}
	key := "r[" + ids[0] + "]."
	badRep := apptest.Post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q2"}, key + "progress": {"已完成签约"}, key + "percent": {"150"}})
	if badRep.Status != http.StatusUnprocessableEntity || !badRep.Has("完成进度须为0到100之间的整数") || !badRep.Has("已完成签约") {
		t.Errorf("bad report: %d", badRep.Status)
	}
	future := apptest.Post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q4"}, key + "progress": {"x"}, key + "percent": {"10"}})
	if future.Status != http.StatusUnprocessableEntity || !future.Has("尚未开始，不能填报") {
		t.Errorf("future report: %d", future.Status)
	}
	if p := apptest.Post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q2"}, key + "progress": {"已完成签约"}, key + "percent": {"100"},
		key + "evidence": {"签约文件"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", p.Status)
	}
	// Self-evaluation above the points is refused with the indicator's limit.
	ekey := "e[" + ids[0] + "]."
	if p := apptest.Post(t, unitA, sheet+"/self-evaluation", url.Values{ekey + "claimed": {"13"}, ekey + "note": {"超额"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("自评得分须在0到12分之间") {
		t.Errorf("self above points: %d", p.Status)
	}
	if p := apptest.Post(t, unitA, sheet+"/self-evaluation", url.Values{ekey + "claimed": {"11.5"}, ekey + "note": {"基本完成"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("self: %d", p.Status)
	}
	if p := apptest.Get(t, office, sheet); !p.Has("自评合计 11.5 / 12 分") || !p.Has("基本完成") {
		t.Errorf("office does not see the self-evaluation")
	}

	// Warnings page (office only): Q1 was never reported (due 04-10).
	if p := apptest.Get(t, unitA, "/console/targets/warnings"); p.Status != http.StatusForbidden {
		t.Errorf("unit on warnings page: %d", p.Status)
	}
	wp := apptest.Get(t, office, "/console/targets/warnings?cycle_id="+apptest.Itoa(w.cycle)+"&kind=missing_report&unit_id="+apptest.Itoa(w.A.ID))
	if wp.Status != http.StatusOK || !wp.Has(`id="warn-count">共 1 项`) || !wp.Has("2025年第1季度进度报告应于 2025-04-10 前报送") {
		t.Errorf("warnings page %d", wp.Status)
	}
	if p := apptest.Get(t, office, "/console/targets/warnings?cycle_id="+apptest.Itoa(w.cycle)+"&kind=overdue"); !p.Has(`id="warn-count">共 0 项`) {
		t.Errorf("overdue warnings shown for a completed indicator")
	}
	if p := apptest.Get(t, office, "/console"); !p.Has(`id="target-warnings"`) || !p.Has("目标预警 1 项") {
		t.Errorf("overview lacks the warnings block")
	}
	if p := apptest.Get(t, unitA, "/console/targets"); !p.Has("本单位目标预警") {
		t.Errorf("unit does not see its warnings")
	}
	// Settings: refused input named, then saved.
	if p := apptest.Post(t, office, "/console/targets/settings", url.Values{"cycle_id": {apptest.Itoa(w.cycle)}, "frequency": {"monthly"}, "due_days": {"abc"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("报送期限须为0到90之间的整数天数") {
		t.Errorf("bad settings: %d", p.Status)
	}
	if p := apptest.Post(t, office, "/console/targets/settings", url.Values{"cycle_id": {apptest.Itoa(w.cycle)}, "frequency": {"monthly"}, "due_days": {"5"},
		"self_eval_locked": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d", p.Status)
	}
	if p := apptest.Get(t, unitA, sheet); !p.Has("绩效办已锁定自评") || !p.Has("按月报送") {
		t.Errorf("locked self-evaluation not shown")
	}
}

// regexpAll returns the first group of every match of expr in s.
func regexpAll(s, expr string) []string {
	var out []string
	for _, m := range regexp.MustCompile(expr).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
