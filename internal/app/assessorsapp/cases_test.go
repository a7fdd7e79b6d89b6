package assessorsapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/assessors"
	"minyi/internal/testutil/apptest"
)

type caseJSON struct {
	ID             int64  `json:"id"`
	Status         string `json:"status"`
	Version        int    `json:"version"`
	UnitID         int64  `json:"unit_id"`
	AssessorUnitID *int64 `json:"assessor_unit_id"`
	Kind           string `json:"source_kind"`
}

// An assessor opens a case on a problem it found, follows it as the unit
// answers, cannot close it (the office keeps the final verification), and
// no other unit sees it.
func TestAssessorOpensAndFollowsACase(t *testing.T) {
	w := newWorld(t)
	var e apiErr
	want(t, w.cf.JSON(t, "POST", w.path("/assessor/cases"), map[string]any{"unit_id": w.m, "problem": " "}, &e), 422, "empty problem")
	if e.Error.Fields["problem"] == "" {
		t.Fatalf("empty problem: %+v", e)
	}
	var cs caseJSON
	want(t, w.cf.JSON(t, "POST", w.path("/assessor/cases"), map[string]any{"unit_id": w.m,
		"problem": "一季度预算执行进度滞后，资金拨付不及时"}, &cs), http.StatusCreated, "open")
	if cs.Kind != "assessor" || cs.UnitID != w.m || cs.AssessorUnitID == nil || *cs.AssessorUnitID != w.f || cs.Status != "sent" {
		t.Fatalf("case: %+v", cs)
	}
	casePath := "/api/v1/cases/" + apptest.Itoa(cs.ID)

	// The unit answers with its plan.
	want(t, w.cm.JSON(t, "POST", casePath+"/answer", map[string]any{"version": cs.Version, "explanation": "拨付流程较长",
		"responsible": "计财科", "measures": "简化拨付流程", "outcome": "二季度执行率达标", "fix_due": "2026-06-30"}, &cs), 200, "answer")

	// F follows: the case, and its list.
	var seen caseJSON
	want(t, w.cf.JSON(t, "GET", casePath, nil, &seen), 200, "F follows")
	if seen.Status != "answered" {
		t.Fatalf("F sees status %q", seen.Status)
	}
	var list struct {
		Items []caseJSON
		Total int
	}
	want(t, w.cf.JSON(t, "GET", w.path("/assessor/cases"), nil, &list), 200, "F's cases")
	if list.Total != 1 || list.Items[0].ID != cs.ID || list.Items[0].Status != "answered" {
		t.Fatalf("F's cases: %+v", list)
	}
	page := apptest.Get(t, w.cf, "/console/cases/"+apptest.Itoa(cs.ID))
	if page.Status != 200 || !apptest.HasText(page, "简化拨付流程") || !apptest.HasText(page, "市财政局") {
		t.Fatalf("F's case page: %d %s", page.Status, apptest.PageText(page.Body))
	}
	if base := "/console/cases/" + apptest.Itoa(cs.ID); apptest.HasText(page, base+"/close") || apptest.HasText(page, base+"/progress") ||
		apptest.HasText(page, base+"/done") {
		t.Fatal("F's case page offers the unit's or the office's forms")
	}

	// F cannot close or answer; others do not see it.
	want(t, w.cf.JSON(t, "POST", casePath+"/close", map[string]any{"version": cs.Version}, nil), 404, "F closes")
	want(t, w.cx.JSON(t, "GET", casePath, nil, nil), 404, "X reads")
	want(t, w.cs.JSON(t, "GET", w.path("/assessor/cases"), nil, &list), 200, "S's cases")
	if list.Total != 0 {
		t.Fatalf("S sees F's cases: %+v", list)
	}

	// The unit reports it done; the office verifies and closes it; F sees it closed.
	want(t, w.cm.JSON(t, "POST", casePath+"/done", map[string]any{"version": cs.Version, "body": "已完成拨付",
		"evidence_ids": []string{w.evidence(t, w.m)}}, &cs), 200, "done")
	want(t, w.office.JSON(t, "POST", casePath+"/close", map[string]any{"version": cs.Version, "body": "核验属实"}, &cs), 200, "close")
	want(t, w.cf.JSON(t, "GET", casePath, nil, &seen), 200, "F follows")
	if seen.Status != "closed" {
		t.Fatalf("F sees status %q", seen.Status)
	}
	wantForbidden(t, w.cx, "POST", w.path("/assessor/cases"), map[string]any{"unit_id": w.m, "problem": "问题"}, assessors.MsgNotAssessor)
}
