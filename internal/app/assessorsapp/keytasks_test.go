package assessorsapp_test

import (
	"net/http"
	"testing"

	"minyi/internal/assessors"
	"minyi/internal/testutil/apptest"
)

type taskJSON struct {
	ID         int64 `json:"id"`
	LeadUnitID int64 `json:"lead_unit_id"`
	Members    int   `json:"members"`
	Units      struct {
		Items []struct {
			UnitID        int64   `json:"unit_id"`
			IndicatorName *string `json:"indicator_name"`
			LatestPercent *int    `json:"latest_percent"`
			LatestPeriod  *string `json:"latest_period"`
			SheetStatus   string  `json:"sheet_status"`
		} `json:"items"`
		Total int `json:"total"`
	} `json:"units"`
}

// The office sets up a key task led by E and shared by M and X; E follows
// their progress and not another task's; other units get 403.
func TestLeadUnitFollowsItsTask(t *testing.T) {
	w := newWorld(t)
	var e apiErr
	want(t, w.office.JSON(t, "POST", w.path("/key-tasks"), map[string]any{"name": "", "lead_unit_id": 0}, &e), 422, "empty task")
	if e.Error.Fields["name"] == "" || e.Error.Fields["lead_unit_id"] == "" || e.Error.Fields["unit_ids"] == "" {
		t.Fatalf("empty task: %+v", e)
	}
	var task, other taskJSON
	want(t, w.office.JSON(t, "POST", w.path("/key-tasks"), map[string]any{"name": "优化营商环境", "lead_unit_id": w.e,
		"unit_ids": []int64{w.m, w.x}}, &task), http.StatusCreated, "create")
	want(t, w.office.JSON(t, "POST", w.path("/key-tasks"), map[string]any{"name": "乡村振兴", "lead_unit_id": w.x,
		"unit_ids": []int64{w.f}}, &other), http.StatusCreated, "create other")
	want(t, w.office.JSON(t, "POST", w.path("/key-tasks"), map[string]any{"name": "乡村振兴", "lead_unit_id": w.x,
		"unit_ids": []int64{w.f}}, nil), http.StatusConflict, "same name")
	ind := "/api/v1/key-tasks/" + apptest.Itoa(task.ID) + "/members/"
	want(t, w.office.JSON(t, "PUT", ind+apptest.Itoa(w.x)+"/indicator", map[string]any{"indicator_id": w.budgetInd}, &e), 422,
		"another unit's indicator")
	want(t, w.office.JSON(t, "PUT", ind+apptest.Itoa(w.m)+"/indicator", map[string]any{"indicator_id": w.budgetInd}, nil), 200, "link")
	want(t, w.cm.JSON(t, "PUT", ind+apptest.Itoa(w.m)+"/indicator", map[string]any{"indicator_id": nil}, nil), 403, "unit links")

	var got taskJSON
	want(t, w.ce.JSON(t, "GET", "/api/v1/key-tasks/"+apptest.Itoa(task.ID), nil, &got), 200, "lead reads")
	if got.Units.Total != 2 || len(got.Units.Items) != 2 {
		t.Fatalf("lead's view: %+v", got)
	}
	m := got.Units.Items[0] // 市民政局 sorts before 市统计局
	if m.UnitID != w.m || m.IndicatorName == nil || *m.IndicatorName != "预算执行" || m.LatestPercent == nil || *m.LatestPercent != 30 ||
		*m.LatestPeriod != "2026-Q1" || m.SheetStatus != "approved" {
		t.Fatalf("M's progress: %+v", m)
	}
	if x := got.Units.Items[1]; x.UnitID != w.x || x.IndicatorName != nil || x.SheetStatus != "" {
		t.Fatalf("X's progress: %+v", x)
	}
	var tasks struct {
		Items []taskJSON
		Total int
	}
	want(t, w.ce.JSON(t, "GET", w.path("/key-tasks"), nil, &tasks), 200, "lead's tasks")
	if tasks.Total != 1 || tasks.Items[0].ID != task.ID {
		t.Fatalf("E's tasks: %+v", tasks)
	}
	wantForbidden(t, w.ce, "GET", "/api/v1/key-tasks/"+apptest.Itoa(other.ID), nil, assessors.MsgNotLead)
	wantForbidden(t, w.cm, "GET", "/api/v1/key-tasks/"+apptest.Itoa(task.ID), nil, assessors.MsgNotLead)
	page := apptest.Get(t, w.cm, "/console/key-tasks/"+apptest.Itoa(task.ID))
	if page.Status != http.StatusForbidden || !apptest.HasText(page, assessors.MsgNotLead) {
		t.Fatalf("console 403: %d", page.Status)
	}
	page = apptest.Get(t, w.ce, "/console/key-tasks/"+apptest.Itoa(task.ID))
	if page.Status != 200 || !apptest.HasText(page, "预算执行") || !apptest.HasText(page, "30%") || apptest.HasText(page, "更换牵头单位") {
		t.Fatalf("lead's console page: %d %s", page.Status, apptest.PageText(page.Body))
	}

	// The office hands the lead to X: E no longer sees it.
	want(t, w.office.JSON(t, "PUT", "/api/v1/key-tasks/"+apptest.Itoa(task.ID)+"/lead", map[string]any{"lead_unit_id": w.x}, nil), 200, "lead")
	want(t, w.ce.JSON(t, "GET", "/api/v1/key-tasks/"+apptest.Itoa(task.ID), nil, nil), 403, "former lead")
	want(t, w.cx.JSON(t, "GET", "/api/v1/key-tasks/"+apptest.Itoa(task.ID), nil, nil), 200, "new lead")
	for _, action := range []string{"key_task.create", "key_task.indicator", "key_task.lead"} {
		if w.app.Count(t, `SELECT count(*) FROM audit_log WHERE action = $1`, action) == 0 {
			t.Errorf("no audit record %s", action)
		}
	}
}
