package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// editorForm is the editor's post with the rows given as name → value
// maps (keys without the ind[i]. prefix).
func editorForm(lock int, rows ...map[string]string) url.Values {
	v := url.Values{"lock_version": {itoa(int64(lock))}, "rows": {itoa(int64(len(rows) + 1))}}
	for i, r := range rows {
		for k, val := range r {
			v.Set("ind["+itoa(int64(i))+"]."+k, val)
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
	office := signedIn(t, w.app, "office1", "office-pass-1")
	unitA := signedIn(t, w.app, "unit-a", "unit-pass-1")
	unitB := signedIn(t, w.app, "unit-b", "unit-pass-2")

	// The nav has the link; a unit sees only its own line.
	p := get(t, unitA, "/console/targets")
	if p.Status != http.StatusOK || !p.has(`href="/console/targets" class="on"`) || !p.has("市政务服务中心") || p.has("市税务局") ||
		!p.has("开始编制") {
		t.Fatalf("unit list page %d", p.Status)
	}
	created := post(t, unitA, "/console/targets", url.Values{"cycle_id": {itoa(w.cycle)}})
	if created.Status != http.StatusSeeOther || !strings.Contains(created.Location, "msg=target_created") {
		t.Fatalf("create %d %q", created.Status, created.Location)
	}
	sheet := strings.SplitN(created.Location, "?", 2)[0]
	if p := get(t, unitA, created.Location); !p.has("目标责任书已创建") || !p.has("编制指标") {
		t.Errorf("new sheet page lacks the editor")
	}
	// Another unit's user gets 403.
	if p := get(t, unitB, sheet); p.Status != http.StatusForbidden {
		t.Errorf("unit B on A's sheet: %d", p.Status)
	}
	if p := post(t, unitB, sheet, editorForm(1, row("x", "1", "2025-12-31"))); p.Status != http.StatusForbidden {
		t.Errorf("unit B saving A's sheet: %d", p.Status)
	}

	// Bad input: messages next to the rows, input kept.
	bad := post(t, unitA, sheet, editorForm(1, map[string]string{"name": "招商引资", "tasks": "", "points": "十分",
		"standard": "完成得满分", "deadline": "明年", "assessor_name": "督查室"}))
	for _, s := range []string{"请填写第1项指标的任务", "第1项指标的分值须为大于0的数字", "第1项指标的完成时限须为有效日期", `value="十分"`, `value="招商引资"`} {
		if !bad.has(s) {
			t.Errorf("refused save lacks %q", s)
		}
	}
	if bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("refused save: %d", bad.Status)
	}
	ok := post(t, unitA, sheet, editorForm(1, row("招商引资", "10", "2025-05-31"), row("项目建设", "20", "2025-12-31")))
	if ok.Status != http.StatusSeeOther || !strings.Contains(ok.Location, "target_saved") {
		t.Fatalf("save: %d %s", ok.Status, ok.Body)
	}
	// A stale form: conflict message, the typed input shown again, nothing stored.
	stale := post(t, unitA, sheet, editorForm(1, row("被覆盖的指标", "5", "2025-12-31")))
	if stale.Status != http.StatusConflict || !stale.has("已被他人修改") || !stale.has(`value="被覆盖的指标"`) ||
		!stale.has("当前已保存的内容") || !stale.has("项目建设") || !stale.has(`name="lock_version" value="2"`) {
		t.Errorf("stale save: %d", stale.Status)
	}
	if p := get(t, unitA, sheet); p.has("被覆盖的指标") {
		t.Error("stale save was stored")
	}
	// Office cannot approve a draft: clear message.
	if p := post(t, office, sheet+"/approve", url.Values{"lock_version": {"2"}}); p.Status != http.StatusConflict ||
		!p.has("只有已提交待审核的目标责任书可以批准") {
		t.Errorf("approve draft: %d", p.Status)
	}
	if p := post(t, unitA, sheet+"/submit", url.Values{"lock_version": {"2"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", p.Status)
	}
	// The office list shows it waiting; the office returns it with comments.
	if p := get(t, office, "/console/targets?cycle_id="+itoa(w.cycle)); !p.has(`id="count-submitted">1<`) || !p.has("已提交，待审核") {
		t.Errorf("office list lacks the submitted sheet")
	}
	review := get(t, office, sheet)
	if !review.has("批准并公开") || !review.has("退回修改") {
		t.Fatalf("review actions missing")
	}
	if p := post(t, unitA, sheet+"/return", url.Values{"lock_version": {"3"}, "comment": {"x"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit returning: %d", p.Status)
	}
	noComment := post(t, office, sheet+"/return", url.Values{"lock_version": {"3"}})
	if noComment.Status != http.StatusUnprocessableEntity || !noComment.has("请填写退回意见") {
		t.Errorf("return without comment: %d", noComment.Status)
	}
	if p := post(t, office, sheet+"/return", url.Values{"lock_version": {"3"}, "comment": {"请细化评分标准"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("return: %d", p.Status)
	}
	if p := get(t, unitA, sheet); !p.has("绩效办退回意见：</strong>请细化评分标准") || !p.has("编制指标") {
		t.Errorf("returned sheet page")
	}
	post(t, unitA, sheet+"/submit", url.Values{"lock_version": {"4"}})
	if p := post(t, office, sheet+"/approve", url.Values{"lock_version": {"5"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "target_approved") {
		t.Fatalf("approve: %d", p.Status)
	}

	// After approval: the change-request form; a request without a reason is refused.
	approved := get(t, unitA, sheet)
	if !approved.has("申请调整指标") || !approved.has("查看公开页面") || !approved.has("第1版") {
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
	noReason := post(t, unitA, sheet+"/changes", form)
	if noReason.Status != http.StatusUnprocessableEntity || !noReason.has("请填写调整理由") || !noReason.has(`value="12"`) {
		t.Errorf("change without reason: %d", noReason.Status)
	}
	form.Set("reason", "市委调整了招商任务")
	if p := post(t, unitA, sheet+"/changes", form); p.Status != http.StatusSeeOther {
		t.Fatalf("request change: %d %s", p.Status, p.Body)
	}
	pending := get(t, office, sheet)
	if !pending.has("待审核的调整申请") || !pending.has("市委调整了招商任务") || !pending.has("<del>10</del> → <ins>12</ins>") ||
		!pending.has("删除指标") {
		t.Errorf("pending change not shown")
	}
	crs := regexpAll(pending.Body, `action="(/console/targets/\d+/changes/\d+)"`)
	if len(crs) != 1 {
		t.Fatalf("decide form %v", crs)
	}
	if p := post(t, office, crs[0], url.Values{"decision": {"reject"}}); p.Status != http.StatusUnprocessableEntity || !p.has("请填写不予批准的理由") {
		t.Errorf("reject without comment: %d", p.Status)
	}
	if p := post(t, office, crs[0], url.Values{"decision": {"approve"}}); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "target_change_approved") {
		t.Fatalf("approve change: %d", p.Status)
	}

	// Progress report on 2025-07-20: Q1 and Q2 listed, Q2 late.
	w.clock.Set(time.Date(2025, 7, 20, 9, 0, 0, 0, w.app.Config.Location))
	rep := get(t, unitA, sheet+"?period=2025-Q2")
	if !rep.has("2025年第2季度进度报告") || !rep.has("逾期未报") || !rep.has("目标预警") {
		t.Errorf("report section")
	}
	key := "r[" + ids[0] + "]."
	badRep := post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q2"}, key + "progress": {"已完成签约"}, key + "percent": {"150"}})
	if badRep.Status != http.StatusUnprocessableEntity || !badRep.has("完成进度须为0到100之间的整数") || !badRep.has("已完成签约") {
		t.Errorf("bad report: %d", badRep.Status)
	}
	future := post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q4"}, key + "progress": {"x"}, key + "percent": {"10"}})
	if future.Status != http.StatusUnprocessableEntity || !future.has("尚未开始，不能填报") {
		t.Errorf("future report: %d", future.Status)
	}
	if p := post(t, unitA, sheet+"/reports", url.Values{"period": {"2025-Q2"}, key + "progress": {"已完成签约"}, key + "percent": {"100"},
		key + "evidence": {"签约文件"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("report: %d", p.Status)
	}
	// Self-evaluation above the points is refused with the indicator's limit.
	ekey := "e[" + ids[0] + "]."
	if p := post(t, unitA, sheet+"/self-evaluation", url.Values{ekey + "claimed": {"13"}, ekey + "note": {"超额"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.has("自评得分须在0到12分之间") {
		t.Errorf("self above points: %d", p.Status)
	}
	if p := post(t, unitA, sheet+"/self-evaluation", url.Values{ekey + "claimed": {"11.5"}, ekey + "note": {"基本完成"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("self: %d", p.Status)
	}
	if p := get(t, office, sheet); !p.has("自评合计 11.5 / 12 分") || !p.has("基本完成") {
		t.Errorf("office does not see the self-evaluation")
	}

	// Warnings page (office only): Q1 was never reported (due 04-10).
	if p := get(t, unitA, "/console/targets/warnings"); p.Status != http.StatusForbidden {
		t.Errorf("unit on warnings page: %d", p.Status)
	}
	wp := get(t, office, "/console/targets/warnings?cycle_id="+itoa(w.cycle)+"&kind=missing_report&unit_id="+itoa(w.a.ID))
	if wp.Status != http.StatusOK || !wp.has(`id="warn-count">共 1 项`) || !wp.has("2025年第1季度进度报告应于 2025-04-10 前报送") {
		t.Errorf("warnings page %d", wp.Status)
	}
	if p := get(t, office, "/console/targets/warnings?cycle_id="+itoa(w.cycle)+"&kind=overdue"); !p.has(`id="warn-count">共 0 项`) {
		t.Errorf("overdue warnings shown for a completed indicator")
	}
	if p := get(t, office, "/console"); !p.has(`id="target-warnings"`) || !p.has("目标预警 1 项") {
		t.Errorf("overview lacks the warnings block")
	}
	if p := get(t, unitA, "/console/targets"); !p.has("本单位目标预警") {
		t.Errorf("unit does not see its warnings")
	}
	// Settings: refused input named, then saved.
	if p := post(t, office, "/console/targets/settings", url.Values{"cycle_id": {itoa(w.cycle)}, "frequency": {"monthly"}, "due_days": {"abc"}}); p.Status != http.StatusUnprocessableEntity ||
		!p.has("报送期限须为0到90之间的整数天数") {
		t.Errorf("bad settings: %d", p.Status)
	}
	if p := post(t, office, "/console/targets/settings", url.Values{"cycle_id": {itoa(w.cycle)}, "frequency": {"monthly"}, "due_days": {"5"},
		"self_eval_locked": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("settings: %d", p.Status)
	}
	if p := get(t, unitA, sheet); !p.has("绩效办已锁定自评") || !p.has("按月报送") {
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
