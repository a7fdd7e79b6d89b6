package assessorsapp_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/testutil/apptest"
)

type unitView struct {
	UnitName    string `json:"unit_name"`
	SheetStatus string `json:"sheet_status"`
	Indicators  []struct {
		ID      int64  `json:"id"`
		Name    string `json:"name"`
		Reports []struct {
			Percent  int    `json:"percent"`
			Evidence string `json:"evidence"`
		} `json:"reports"`
		SelfEvaluation *struct {
			Claimed float64 `json:"claimed"`
		} `json:"self_evaluation"`
	} `json:"indicators"`
}

// An assessor sees, for its leaves only, the targets, reports and
// self-evaluations of the units it assesses; every other read is a 403
// with a Chinese message, and changes nothing.
func TestAssessorReadsOnlyWhatItAssesses(t *testing.T) {
	w := newWorld(t)
	var v unitView
	want(t, w.cf.JSON(t, "GET", w.path("/assessor/units/"+apptest.Itoa(w.m)), nil, &v), 200, "F reads M")
	if v.UnitName != "市民政局" || v.SheetStatus != "approved" || len(v.Indicators) != 1 || v.Indicators[0].Name != "预算执行" {
		t.Fatalf("F's view of M: %+v", v)
	}
	in := v.Indicators[0]
	if len(in.Reports) != 1 || in.Reports[0].Percent != 30 || in.Reports[0].Evidence != "预算执行报表" ||
		in.SelfEvaluation == nil || in.SelfEvaluation.Claimed != 9 {
		t.Fatalf("F's view of M's budget indicator: %+v", in)
	}
	// S is named only on M's safety indicator: it sees that one.
	v = unitView{}
	want(t, w.cs.JSON(t, "GET", w.path("/assessor/units/"+apptest.Itoa(w.m)), nil, &v), 200, "S reads M")
	if len(v.Indicators) != 1 || v.Indicators[0].Name != "安全生产" || v.Indicators[0].SelfEvaluation.Claimed != 18 {
		t.Fatalf("S's view of M: %+v", v)
	}
	// F assesses every other unit (a leaf of the scheme names it), S only M.
	var list struct {
		Items []assessors.AssessedUnit
		Total int
	}
	want(t, w.cf.JSON(t, "GET", w.path("/assessor/units?limit=2"), nil, &list), 200, "F's units")
	if list.Total != 5 || len(list.Items) != 2 {
		t.Fatalf("F's units: %+v", list)
	}
	want(t, w.cs.JSON(t, "GET", w.path("/assessor/units"), nil, &list), 200, "S's units")
	if list.Total != 1 || list.Items[0].ID != w.m || list.Items[0].Indicators != 1 || list.Items[0].Reported != 1 {
		t.Fatalf("S's units: %+v", list)
	}

	for _, tc := range []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		body   any
		msg    string
	}{
		{"S reads E, which it does not assess", w.cs, "GET", w.path("/assessor/units/" + apptest.Itoa(w.e)), nil, assessors.MsgNotAssessed},
		{"X assesses nothing", w.cx, "GET", w.path("/assessor/units/" + apptest.Itoa(w.m)), nil, assessors.MsgNotAssessor},
		{"X lists", w.cx, "GET", w.path("/assessor/units"), nil, assessors.MsgNotAssessor},
		{"F reads itself", w.cf, "GET", w.path("/assessor/units/" + apptest.Itoa(w.f)), nil, assessors.MsgOwnUnit},
		{"the office is no assessor", w.office, "GET", w.path("/assessor/units/" + apptest.Itoa(w.m)), nil, assessors.MsgUnitRoleOnly},
		{"S proposes for E", w.cs, "POST", w.path("/deduction-proposals"),
			map[string]any{"unit_id": w.e, "reason_key": "targets_incomplete", "description": "未完成"}, assessors.MsgNotAssessed},
		{"X proposes for M", w.cx, "POST", w.path("/deduction-proposals"),
			map[string]any{"unit_id": w.m, "reason_key": "targets_incomplete", "description": "未完成"}, assessors.MsgNotAssessor},
		{"S opens a case for E", w.cs, "POST", w.path("/assessor/cases"),
			map[string]any{"unit_id": w.e, "problem": "问题"}, assessors.MsgNotAssessed},
	} {
		t.Run(tc.name, func(t *testing.T) { wantForbidden(t, tc.c, tc.method, tc.path, tc.body, tc.msg) })
	}
	if n := w.app.Count(t, `SELECT count(*) FROM deduction_proposals`) + w.app.Count(t, `SELECT count(*) FROM rectification_cases`); n != 0 {
		t.Fatalf("refused writes stored %d rows", n)
	}

	// The console says the same in a page.
	page := apptest.Get(t, w.cs, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessor/units/"+apptest.Itoa(w.e))
	if page.Status != http.StatusForbidden || !apptest.HasText(page, assessors.MsgNotAssessed) {
		t.Fatalf("console 403: %d %s", page.Status, apptest.PageText(page.Body))
	}
	page = apptest.Get(t, w.cf, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessor/units/"+apptest.Itoa(w.m))
	if page.Status != 200 || !apptest.HasText(page, "一季度预算执行过半") || apptest.HasText(page, "开展安全检查") {
		t.Fatalf("F's console view of M: %d %s", page.Status, apptest.PageText(page.Body))
	}
}

type proposalJSON struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	RejectReason string `json:"reject_reason"`
	DeductionID  *int64 `json:"deduction_id"`
	ReasonName   string `json:"reason_name"`
}

func (w *world) propose(t *testing.T, c *apptest.Client, unit int64, reason string) proposalJSON {
	t.Helper()
	var p proposalJSON
	want(t, c.JSON(t, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": unit, "reason_key": reason,
		"description": "审计发现问题"}, &p), http.StatusCreated, "propose "+reason)
	return p
}

func (w *world) counted(t *testing.T, unit int64) (filed, counted float64) {
	t.Helper()
	in, err := assessment.Inputs(context.Background(), w.app.Pool, w.cycle)
	if err != nil {
		t.Fatal(err)
	}
	return in[unit].DeductionsFiled, in[unit].DeductionsCounted
}

// A proposal confirmed by the office is a deduction counted in the
// assessment; a rejection needs a reason, which the proposer sees.
func TestProposeConfirmReject(t *testing.T) {
	w := newWorld(t)
	var e apiErr
	want(t, w.cf.JSON(t, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.m, "reason_key": "targets_incomplete",
		"description": "引用他单位材料", "evidence_ids": []string{w.evidence(t, w.m)}}, &e), 422, "M's evidence")
	if e.Error.Fields["evidence_ids"] == "" {
		t.Fatalf("M's evidence: %+v", e)
	}
	var p proposalJSON
	want(t, w.cf.JSON(t, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.m, "reason_key": "targets_incomplete",
		"description": "第一季度目标未完成", "evidence_ids": []string{w.evidence(t, w.f)}}, &p), http.StatusCreated, "propose")
	if p.Status != "pending" || p.DeductionID != nil || p.ReasonName != "目标任务未完成" {
		t.Fatalf("proposal: %+v", p)
	}
	// Only the office decides.
	want(t, w.cf.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(p.ID)+"/confirm", map[string]any{}, nil), 403, "F confirms")
	if _, c := w.counted(t, w.m); c != 0 {
		t.Fatalf("counted before confirmation: %v", c)
	}
	var got proposalJSON
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(p.ID)+"/confirm", map[string]any{}, &got), 200, "confirm")
	if got.Status != "confirmed" || got.DeductionID == nil {
		t.Fatalf("confirmed: %+v", got)
	}
	if f, c := w.counted(t, w.m); f != 2 || c != 2 {
		t.Fatalf("M's deductions filed %v counted %v, want 2 and 2", f, c)
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(p.ID)+"/confirm", map[string]any{}, nil), 409, "confirm twice")
	if n := w.app.Count(t, `SELECT count(*) FROM assessment_deductions WHERE unit_id = $1`, w.m); n != 1 {
		t.Fatalf("%d deductions, want 1", n)
	}

	if n := w.app.Count(t, `SELECT count(*) FROM assessment_deductions WHERE unit_id = $1 AND cardinality(evidence_ids) = 1
		AND description LIKE '%市财政局建议%'`, w.m); n != 1 {
		t.Fatalf("the deduction lost the proposal's evidence or proposer (%d)", n)
	}
	r := w.propose(t, w.cf, w.e, "data_withheld")
	e = apiErr{}
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(r.ID)+"/reject", map[string]string{"reason": "  "}, &e),
		422, "reject without reason")
	if e.Error.Fields["reason"] == "" {
		t.Fatalf("reject without reason: %+v", e)
	}
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(r.ID)+"/reject",
		map[string]string{"reason": "数据已按期报送，事实不成立"}, nil), 200, "reject")
	var mine struct {
		Items []proposalJSON
		Total int
	}
	want(t, w.cf.JSON(t, "GET", w.path("/deduction-proposals"), nil, &mine), 200, "F's proposals")
	if mine.Total != 2 || mine.Items[0].Status != "rejected" || mine.Items[0].RejectReason != "数据已按期报送，事实不成立" ||
		mine.Items[1].Status != "confirmed" {
		t.Fatalf("F's proposals: %+v", mine)
	}
	want(t, w.cs.JSON(t, "GET", w.path("/deduction-proposals"), nil, &mine), 200, "S's proposals")
	if mine.Total != 0 {
		t.Fatalf("S sees others' proposals: %+v", mine)
	}
	if f, c := w.counted(t, w.e); f != 0 || c != 0 {
		t.Fatalf("a rejected proposal counted: %v %v", f, c)
	}
	for _, action := range []string{"deduction_proposal.create", "deduction_proposal.confirm", "deduction_proposal.reject", "assessment.deduction"} {
		if w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1`, action) == 0 {
			t.Errorf("no audit record %s", action)
		}
	}
	// F, the proposer, heard of both decisions once each (the retried
	// confirmation told nobody), with the reason of the rejection; M's
	// accounts only of the deduction filed against M.
	want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(r.ID)+"/reject",
		map[string]string{"reason": "再次提交"}, nil), 409, "reject twice")
	var inbox struct {
		Items []struct{ Kind, Title, Body, Link string }
	}
	want(t, w.cf.JSON(t, "GET", "/api/v1/notifications?limit=50", nil, &inbox), 200, "F's notifications")
	if len(inbox.Items) != 2 || inbox.Items[0].Kind != assessors.NoticeProposalDecided ||
		inbox.Items[0].Title != "扣分建议未予采纳：市教育局" ||
		inbox.Items[0].Body != "本单位对市教育局提出的扣分建议“瞒报、漏报、拒报数据”已处理：绩效办不予采纳。理由：数据已按期报送，事实不成立" ||
		inbox.Items[1].Body != "本单位对市民政局提出的扣分建议“目标任务未完成”已处理：绩效办已确认，按该事由对市民政局扣2分，记入考核。" ||
		!strings.HasSuffix(inbox.Items[1].Link, "/assessor#p"+apptest.Itoa(p.ID)) {
		t.Fatalf("F's notifications: %+v", inbox.Items)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM notifications WHERE kind = $1 AND unit_id = $2`, assessors.NoticeProposalDecided, w.f); n != 2 {
		t.Fatalf("%d decision notifications, want 2", n)
	}
	want(t, w.cm.JSON(t, "GET", "/api/v1/notifications?limit=50", nil, &inbox), 200, "M's notifications")
	if len(inbox.Items) != 1 || inbox.Items[0].Kind != assessment.NoticeDeduction {
		t.Fatalf("M's notifications: %+v", inbox.Items)
	}
	// The office's to-do list has nothing pending now; a new proposal shows.
	w.propose(t, w.cf, w.e, "data_withheld")
	page := apptest.Get(t, w.office, "/console/todos")
	if !apptest.HasText(page, "审核考评单位的扣分建议 1 条") {
		t.Fatalf("office to-dos: %s", apptest.PageText(page.Body))
	}
}

// Zhongshan's preset: five 行政问责 items of −2 each, at most −10 together
// (their group's cap; the worked example is internal/assessment's
// TestDeductionGroupCaps), each proposed by the unit the office chose for
// the role the preset names, stored by id: a unit whose name only matches
// the role may not propose.
func TestZhongshanPresetProposersAndCap(t *testing.T) {
	w := newWorld(t)
	// An unknown unit is refused and changes nothing.
	var e apiErr
	want(t, w.office.JSON(t, "PUT", w.path("/deduction-preset"), map[string]any{"preset": "zhongshan",
		"proposers": map[string]int64{"zs_audit": 999999}}, &e), 422, "unknown unit")
	if e.Error.Fields["proposers.zs_audit"] == "" {
		t.Fatalf("unknown unit: %+v", e)
	}
	if n := w.app.Count(t, `SELECT count(*) FROM assessment_settings WHERE cycle_id = $1`, w.cycle); n > 1 {
		t.Fatalf("a refused preset stored settings (%d versions)", n)
	}
	// The office gives the audit items to 统计局 X; the others are filled
	// by name (安监局 S, 财政局 F; no 监察局 exists).
	want(t, w.office.JSON(t, "PUT", w.path("/deduction-preset"), map[string]any{"preset": "zhongshan",
		"proposers": map[string]int64{"zs_audit": w.x}}, nil), 200, "preset")
	var presets struct{ Current string }
	want(t, w.cf.JSON(t, "GET", w.path("/deduction-presets"), nil, &presets), 200, "presets")
	if presets.Current != "zhongshan" {
		t.Fatalf("current preset %q", presets.Current)
	}
	set, err := assessment.LoadSettings(context.Background(), w.app.Pool, w.cycle)
	if err != nil {
		t.Fatal(err)
	}
	chosen := map[string]int64{}
	for _, r := range set.Settings.DeductionReasons {
		// Read back as stored: no default reason's cap or group leaks in.
		if r.MaxTotal != 0 || r.Group != assessment.GroupZhongshanAccountability {
			t.Errorf("reason read back %+v", r)
		}
		if r.ProposerUnitID != nil {
			chosen[r.Key] = *r.ProposerUnitID
		}
	}
	if len(chosen) != 3 || chosen["zs_audit"] != w.x || chosen["zs_safety"] != w.s || chosen["zs_budget"] != w.f {
		t.Fatalf("proposers %v", chosen)
	}
	if len(set.Settings.DeductionGroups) != 1 || set.Settings.DeductionCap != 10 {
		t.Fatalf("groups %+v, overall cap %v", set.Settings.DeductionGroups, set.Settings.DeductionCap)
	}
	// 审计局 A matches the role by name but was not chosen; S may not
	// propose the audit item for E (it assesses only M).
	wantForbidden(t, w.ca, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.m, "reason_key": "zs_audit",
		"description": "审计发现问题"}, assessors.MsgNotAssessor)
	wantForbidden(t, w.cs, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.e, "reason_key": "zs_audit",
		"description": "审计发现问题"}, assessors.MsgNotAssessed)
	ids := []int64{
		w.propose(t, w.cx, w.m, "zs_audit").ID,
		w.propose(t, w.cs, w.e, "zs_safety").ID, // S proposes its item for a unit it does not assess
		w.propose(t, w.cf, w.m, "zs_budget").ID,
		w.propose(t, w.cf, w.m, "zs_integrity").ID,
		w.propose(t, w.cf, w.m, "zs_integrity").ID,
		w.propose(t, w.cf, w.m, "zs_safety").ID,
		w.propose(t, w.cf, w.m, "zs_public_impact").ID,
	}
	for _, id := range ids {
		want(t, w.office.JSON(t, "POST", "/api/v1/deduction-proposals/"+apptest.Itoa(id)+"/confirm", map[string]any{}, nil), 200, "confirm")
	}
	if f, c := w.counted(t, w.m); f != 12 || c != 10 {
		t.Fatalf("six −2 items: filed %v counted %v, want 12 and 10", f, c)
	}
	if !strings.Contains(apptest.Get(t, w.office, "/console/cycles/"+apptest.Itoa(w.cycle)+"/deduction-proposals?status=confirmed").Body, "市统计局") {
		t.Fatal("the office's page does not name the proposer")
	}

	// In the console the office confirms the units per item: the form
	// preselects the cycle's choice; an empty choice means none.
	path := "/console/cycles/" + apptest.Itoa(w.cycle) + "/deduction-proposals"
	page := apptest.Get(t, w.office, path)
	if page.Status != 200 || !strings.Contains(page.Body, `<option value="`+apptest.Itoa(w.x)+`" selected>市统计局</option>`) {
		t.Fatalf("preset form: %d %s", page.Status, apptest.PageText(page.Body))
	}
	page = apptest.Post(t, w.office, "/console/cycles/"+apptest.Itoa(w.cycle)+"/deduction-preset", url.Values{"preset": {"zhongshan"},
		"proposer.zs_audit": {apptest.Itoa(w.a)}, "proposer.zs_safety": {""}, "proposer.zs_budget": {apptest.Itoa(w.f)},
		"proposer.zs_integrity": {""}, "proposer.zs_public_impact": {""}})
	if page.Status != http.StatusSeeOther && page.Status != http.StatusFound {
		t.Fatalf("console preset: %d %s", page.Status, apptest.PageText(page.Body))
	}
	w.propose(t, w.ca, w.m, "zs_audit")
	wantForbidden(t, w.cx, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.m, "reason_key": "zs_audit",
		"description": "审计发现问题"}, assessors.MsgNotAssessor)
	wantForbidden(t, w.cs, "POST", w.path("/deduction-proposals"), map[string]any{"unit_id": w.e, "reason_key": "zs_safety",
		"description": "安全事故"}, assessors.MsgNotAssessed)
	// Saving the settings form as shown keeps the groups and the chosen
	// units (the form does not show them).
	settings := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment/settings"
	form := url.Values{"tie_rule": {"exclude"}}
	for _, m := range regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(apptest.Get(t, w.office, settings).Body, -1) {
		if m[1] != "_csrf" && !strings.HasPrefix(m[1], "r.fail.") && !strings.HasPrefix(m[1], "r.del.") {
			form.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	form.Set("note", "不改动")
	if p := apptest.Post(t, w.office, settings, form); p.Status != http.StatusSeeOther {
		t.Fatalf("settings form: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if set, err = assessment.LoadSettings(context.Background(), w.app.Pool, w.cycle); err != nil || len(set.Settings.DeductionGroups) != 1 ||
		set.Settings.DeductionPreset != assessment.PresetZhongshan {
		t.Fatalf("after the settings form: %v %+v", err, set.Settings)
	}
	for _, r := range set.Settings.DeductionReasons {
		if r.Group != assessment.GroupZhongshanAccountability || (r.Key == "zs_audit" && (r.ProposerUnitID == nil || *r.ProposerUnitID != w.a)) {
			t.Fatalf("after the settings form: %+v", r)
		}
	}
	page = apptest.Post(t, w.office, "/console/cycles/"+apptest.Itoa(w.cycle)+"/deduction-preset", url.Values{"preset": {"zhongshan"}, "proposer.zs_audit": {"abc"}})
	if page.Status != http.StatusUnprocessableEntity || !apptest.HasText(page, "请选择提出单位") {
		t.Fatalf("bad unit in the console: %d %s", page.Status, apptest.PageText(page.Body))
	}
}
