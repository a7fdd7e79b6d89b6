package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"minyi/internal/ratings"
)

// The fixtures the demo lacks, made through the API as staff would. Each
// step records in w.p the ids the walk needs.

// goldenAPI is the path of an API route.
func goldenAPI(format string, args ...any) string { return "/api/v1" + fmt.Sprintf(format, args...) }

// goldenStr is a JSON value as text (ids are json.Number in decoded maps).
func goldenStr(v any) string {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// register finds the unit user's unit (HRSS), its QR code, a point and the
// cycle, and adds a terminal and a hall network to the unit.
func (w *goldenWorld) register(t *testing.T) {
	t.Helper()
	var units struct {
		Items []struct {
			ID        json.Number `json:"id"`
			ShortCode string      `json:"short_code"`
			QR        struct {
				Code string `json:"code"`
			} `json:"qr"`
		} `json:"items"`
	}
	w.call(t, w.office, "GET", goldenAPI("/units?limit=100"), nil, http.StatusOK, &units)
	for _, u := range units.Items {
		if u.ShortCode == "HRSS" {
			w.p["unit"], w.p["code"] = u.ID.String(), u.QR.Code
		}
	}
	if w.p["unit"] == "" || w.p["code"] == "" {
		t.Fatalf("unit HRSS not found: %+v", units)
	}
	unit := w.p["unit"]
	w.p["cycle"] = w.first(t, goldenAPI("/cycles"), "id")
	w.p["point"] = w.first(t, goldenAPI("/units/%s/points", unit), "id")
	var term struct {
		ID    json.Number `json:"id"`
		Token string      `json:"token"`
	}
	w.call(t, w.office, "POST", goldenAPI("/units/%s/terminals", unit), map[string]any{"name": "巡检评价器"}, http.StatusCreated, &term)
	w.p["terminal"], w.terminalToken = term.ID.String(), term.Token
	var net goldenObj
	w.call(t, w.office, "POST", goldenAPI("/units/%s/networks", unit),
		map[string]any{"network": "203.0.113.0/28", "daily_cap": 2000, "name": "大厅无线网络"}, http.StatusCreated, &net)
	w.p["network"] = net.ID.String()
}

// first is a field of the first item of an office list.
func (w *goldenWorld) first(t *testing.T, path, field string) string {
	t.Helper()
	var l goldenList
	w.call(t, w.office, "GET", path, nil, http.StatusOK, &l)
	if len(l.Items) == 0 {
		t.Fatalf("fixture: %s lists nothing", path)
	}
	return goldenStr(l.Items[0][field])
}

// surveyFixtures picks the demo survey and a respondent who started but
// did not submit, and adds an agency with quotas, a token and an upload.
func (w *goldenWorld) surveyFixtures(t *testing.T) {
	t.Helper()
	w.p["survey"] = w.first(t, goldenAPI("/surveys"), "id")
	sv := w.p["survey"]
	var rs goldenList
	w.call(t, w.office, "GET", goldenAPI("/surveys/%s/respondents?status=started", sv), nil, http.StatusOK, &rs)
	if len(rs.Items) == 0 {
		t.Fatal("fixture: no started respondent in the demo survey")
	}
	w.p["respondent"] = goldenStr(rs.Items[0]["id"])
	link := goldenStr(rs.Items[0]["link"])
	w.p["stoken"] = link[strings.LastIndex(link, "/s/")+3:]
	var ag goldenObj
	w.call(t, w.office, "POST", goldenAPI("/surveys/%s/agencies", sv), map[string]any{"name": "甲调查公司", "contact": "张三"}, http.StatusCreated, &ag)
	w.p["agency"] = ag.ID.String()
	w.call(t, w.office, "PUT", goldenAPI("/agencies/%s/quotas", ag.ID), map[string]any{"items": []any{
		map[string]any{"group_key": "npc_deputies", "target": 10}}}, http.StatusOK, nil)
	var tok struct {
		ID    json.Number `json:"id"`
		Token string      `json:"token"`
	}
	w.call(t, w.office, "POST", goldenAPI("/agencies/%s/tokens", ag.ID), map[string]any{}, http.StatusCreated, &tok)
	w.p["agency_token"], w.agencyToken = tok.ID.String(), tok.Token
	var up goldenObj
	w.call(t, w.office, "POST", goldenAPI("/agency/responses"), map[string]any{"responses": []any{
		map[string]any{"response_id": "G-0001", "unit": "HRSS", "group": "npc_deputies", "level": 5, "opinion": "办事快"}}},
		http.StatusOK, &up, "Authorization", "Bearer "+w.agencyToken)
	w.p["upload"] = up.ID.String()
}

type goldenSheet struct {
	ID          json.Number `json:"id"`
	LockVersion int         `json:"lock_version"`
	Indicators  []struct {
		ID json.Number `json:"id"`
	} `json:"indicators"`
}

func goldenIndicator(id, name string, points float64, deadline string) map[string]any {
	m := map[string]any{"name": name, "tasks": name + "：按计划推进", "points": points,
		"standard": "按时完成得满分，每滞后一月扣1分", "deadline": deadline, "assessor_name": "省委督查室"}
	if id != "" {
		m["id"] = json.Number(id)
	}
	return m
}

// targetFixtures takes the unit's sheet the demo approved and gives it a
// progress report, a self-evaluation and a pending change request.
func (w *goldenWorld) targetFixtures(t *testing.T) {
	t.Helper()
	var sh goldenSheet
	// The sheet exists already (the demo approved it): the create answers 200 with it.
	w.call(t, w.unit, "POST", goldenAPI("/cycles/%s/targets", w.p["cycle"]), map[string]any{}, http.StatusOK, &sh)
	base := goldenAPI("/targets/%s", sh.ID)
	w.p["sheet"] = sh.ID.String()
	first, second := sh.Indicators[0].ID.String(), sh.Indicators[1].ID.String()
	w.p["indicator"] = first
	w.p["period"] = "2026-Q4"
	w.call(t, w.unit, "PUT", base+"/reports/2026-Q4", map[string]any{"items": []any{
		map[string]any{"indicator_id": json.Number(second), "progress": "完成调研", "percent": 40}}}, http.StatusOK, nil)
	w.call(t, w.unit, "PUT", base+"/self-evaluation", map[string]any{"items": []any{
		map[string]any{"indicator_id": json.Number(first), "claimed": 8, "note": "按标准扣2分"}}}, http.StatusOK, nil)
	var cr goldenObj
	w.call(t, w.unit, "POST", base+"/change-requests", map[string]any{"lock_version": sh.LockVersion, "reason": "省里提高了要求",
		"indicators": []any{goldenIndicator(first, "优化营商环境", 12, "2026-10-31"), goldenIndicator(second, "社保服务一网通办", 20, "2026-12-31")}},
		http.StatusCreated, &cr)
	w.p["cr"] = cr.ID.String()
}

// assessmentFixtures uploads evidence and files a bonus claim (approved),
// a deduction and an adjustment for the unit.
func (w *goldenWorld) assessmentFixtures(t *testing.T) {
	t.Helper()
	cy, unit := w.p["cycle"], w.p["unit"]
	w.p["leaf"] = w.first(t, goldenAPI("/cycles/%s/assessment/leaves", cy), "key")
	var ev struct {
		ID string `json:"id"`
	}
	w.call(t, w.unit, "POST", goldenAPI("/evidence"), map[string]any{"filename": "证明.png",
		"content_base64": base64.StdEncoding.EncodeToString(goldenPNG(t))}, http.StatusCreated, &ev)
	w.p["evidence"] = ev.ID
	var claim, ded, adj goldenObj
	w.call(t, w.unit, "POST", goldenAPI("/cycles/%s/assessment/bonus-claims", cy), map[string]any{"title": "全国先进集体",
		"description": "获国务院表彰", "points": 1, "evidence_ids": []string{ev.ID}, "client_key": "golden-claim"}, http.StatusCreated, &claim)
	w.p["claim"] = claim.ID.String()
	w.call(t, w.office, "POST", goldenAPI("/bonus-claims/%s/approve", claim.ID), map[string]any{"points": 1}, http.StatusOK, nil)
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/assessment/deductions", cy), map[string]any{"unit_id": json.Number(unit),
		"reason_key": "accountability", "description": "行政问责一起", "client_key": "golden-deduction"}, http.StatusCreated, &ded)
	w.p["deduction"] = ded.ID.String()
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/assessment/adjustments", cy), map[string]any{"unit_id": json.Number(unit),
		"kind": "raise", "reason": "重大贡献"}, http.StatusCreated, &adj)
	w.p["adjustment"] = adj.ID.String()
	// A key task the unit leads, shared by the unit itself; the walk's
	// unit assesses no leaf, so the proposal routes name a proposal that
	// does not exist.
	var task goldenObj
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/key-tasks", cy), map[string]any{"name": "优化营商环境",
		"lead_unit_id": json.Number(unit), "unit_ids": []any{json.Number(unit)}}, http.StatusCreated, &task)
	w.p["key_task"] = task.ID.String()
	// An inspection of the unit with one finding (issue 16 part 2); the
	// walk's actions on the finding name one that does not exist.
	var insp struct {
		ID       json.Number `json:"id"`
		Findings []goldenObj `json:"findings"`
	}
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/inspections", cy), map[string]any{"kind": "spot_check",
		"held_on": "2026-01-05", "title": "第一季度抽查", "unit_ids": []any{json.Number(unit)}, "client_key": "golden-inspection",
		"findings": []any{map[string]any{"unit_id": json.Number(unit), "severity": "general", "body": "台账不全"}}},
		http.StatusCreated, &insp)
	w.p["inspection"] = insp.ID.String()
	w.p["finding"] = insp.Findings[0].ID.String()
	w.p["proposal"] = "999999999"
	// A half-year self-evaluation period and the unit's report of it
	// (submitted after its due date: 逾期提交).
	var period goldenObj
	w.call(t, w.office, "POST", goldenAPI("/cycles/%s/self-eval-periods", cy), map[string]any{"name": "半年自评",
		"covers_to": "2026-06-30", "due_on": "2026-07-15"}, http.StatusOK, &period)
	w.p["seperiod"] = period.ID.String()
	w.call(t, w.unit, "PUT", goldenAPI("/self-eval-periods/%s/units/%s", period.ID.String(), unit), map[string]any{
		"body": "上半年目标任务推进情况良好。"}, http.StatusOK, nil)
	// No item waits for a leader's approval: the approval routes name a
	// request that does not exist.
	w.p["approval"] = "999999999"
}

// caseFixtures turns a real-name rating with a message of the unit into a case and walks it
// to closed, released and marked for carrying, with a call-back and a
// follow-up link; the unit appeals another of its ratings (not 非常满意).
func (w *goldenWorld) caseFixtures(t *testing.T) {
	t.Helper()
	var q goldenList
	w.call(t, w.office, "GET", goldenAPI("/feedback?unit_id=%s&source=rating&limit=500", w.p["unit"]), nil, http.StatusOK, &q)
	var source, other map[string]any
	for _, it := range q.Items {
		switch {
		case it["verdict"] != nil: // the demo decided it
		case source == nil && it["real_name"] == true:
			source = it
		case other == nil && it["real_name"] != true && goldenStr(it["level"]) != "5":
			other = it
		}
	}
	if source == nil || other == nil {
		t.Fatalf("fixture: no real-name and other rating in the unit's feedback (%d items)", len(q.Items))
	}
	var cs struct {
		ID      json.Number `json:"id"`
		Version int         `json:"version"`
	}
	w.call(t, w.office, "POST", goldenAPI("/feedback/valid"), map[string]any{"items": []any{map[string]any{"kind": "rating",
		"id": source["id"], "version": source["version"]}}, "problem": "窗口排队时间过长"}, http.StatusCreated, &cs)
	c := goldenAPI("/cases/%s", cs.ID)
	w.p["case"] = cs.ID.String()
	w.p["reference"] = ratings.Reference(uuid.MustParse(goldenStr(source["id"])), w.app.Config.Location)
	w.call(t, w.office, "GET", c, nil, http.StatusOK, &cs)
	w.call(t, w.unit, "POST", c+"/answer", map[string]any{"version": cs.Version, "explanation": "高峰时段窗口不足",
		"responsible": "王主任", "measures": "增开窗口", "outcome": "排队缩短", "fix_due": "2026-12-31"}, http.StatusOK, &cs)
	w.call(t, w.unit, "POST", c+"/progress", map[string]any{"version": cs.Version, "body": "已增开两个窗口"}, http.StatusOK, &cs)
	w.call(t, w.unit, "POST", c+"/done", map[string]any{"version": cs.Version, "body": "整改完成",
		"evidence_ids": []string{w.p["evidence"]}}, http.StatusOK, &cs)
	w.call(t, w.office, "POST", c+"/close", map[string]any{"version": cs.Version, "body": "同意办结"}, http.StatusOK, &cs)
	w.call(t, w.office, "POST", c+"/release", map[string]any{"version": cs.Version, "released": true}, http.StatusOK, &cs)
	w.call(t, w.office, "PUT", c+"/carry", map[string]any{"carry_to_targets": true}, http.StatusOK, nil)
	w.call(t, w.office, "POST", c+"/callbacks", map[string]any{"outcome": "satisfied", "said": "问题已解决",
		"client_key": "golden-call"}, http.StatusCreated, nil)
	var link struct {
		Token string `json:"token"`
	}
	w.call(t, w.office, "POST", c+"/followup-links", map[string]any{"days": 30}, http.StatusCreated, &link)
	w.p["ftoken"] = link.Token
	w.p["rating"] = goldenStr(other["id"])
	var ap goldenObj
	w.call(t, w.unit, "POST", goldenAPI("/ratings/%s/appeals", w.p["rating"]), map[string]any{"grounds": "该评价人当天并未到窗口办事"},
		http.StatusCreated, &ap)
	w.p["fappeal"] = ap.ID.String()
}

// resultFixtures publishes the preliminary results, has the unit apply
// for review and the office answer, then moves the clock to goldenWalkAt
// and publishes the final results.
func (w *goldenWorld) resultFixtures(t *testing.T) {
	t.Helper()
	base := goldenAPI("/cycles/%s/results", w.p["cycle"])
	w.call(t, w.office, "POST", base+"/preliminary", map[string]any{"show_composite": true}, http.StatusCreated, nil)
	var ap goldenObj
	w.call(t, w.unit, "POST", base+"/units/"+w.p["unit"]+"/appeal", map[string]any{"grounds": "工作实绩得分漏计一项表彰"},
		http.StatusCreated, &ap)
	w.p["rappeal"] = ap.ID.String()
	w.call(t, w.office, "POST", base+"/appeals/"+ap.ID.String()+"/answer", map[string]any{"status": "rejected",
		"answer": "经核实，维持原结果"}, http.StatusOK, nil)
	w.call(t, w.office, "PUT", base+"/units/"+w.p["unit"]+"/staff-count", map[string]any{"staff_count": 52}, http.StatusOK, nil)
	w.clock.Set(goldenWalkAt)
	w.call(t, w.office, "POST", base+"/final", map[string]any{"show_composite": true, "provisional_reason": "按期定档"},
		http.StatusCreated, nil)
}
