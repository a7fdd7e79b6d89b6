package targetsapp_test

import (
	"net/http"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// targetWorld is an API world with a 2025 cycle, a clock set to
// 2025-01-15 and a client of a unit-role user of B.
type targetWorld struct {
	*fixtures.APIWorld
	clock *apptest.Clock
	cycle int64
	unitB *apptest.Client
}

func newTargetWorld(t *testing.T) *targetWorld {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clock := apptest.NewClock(time.Date(2025, 1, 15, 9, 0, 0, 0, loc))
	w := &targetWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now}), clock: clock}
	var cy struct {
		ID int64 `json:"id"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles", map[string]any{"name": "2025年度", "year": 2025,
		"period_start": "2025-01-01", "period_end": "2025-12-31"}).Decode(t, http.StatusCreated, &cy)
	w.cycle = cy.ID
	w.App.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.B.ID)
	w.unitB = w.App.Client()
	w.unitB.SignIn(t, "unit-b", "unit-pass-2")
	return w
}

// apiSheet is a sheet as the API returns it.
type apiSheet struct {
	ID               int64  `json:"id"`
	UnitID           int64  `json:"unit_id"`
	Status           string `json:"status"`
	LockVersion      int    `json:"lock_version"`
	ReviewComment    string `json:"review_comment"`
	PublishedVersion int    `json:"published_version"`
	Indicators       []struct {
		ID            int64   `json:"id"`
		Name          string  `json:"name"`
		Points        float64 `json:"points"`
		Deadline      string  `json:"deadline"`
		AssessorName  string  `json:"assessor_name"`
		ReviewComment string  `json:"review_comment"`
	} `json:"indicators"`
}

func indicatorJSON(name string, points any, deadline string) map[string]any {
	return map[string]any{"name": name, "tasks": name + "：按计划推进", "points": points, "standard": "按时完成得满分，每滞后一月扣1分",
		"deadline": deadline, "assessor_name": "市委督查室"}
}

// approvedTarget creates unit A's sheet with two indicators (deadlines
// 2025-05-31 and 2025-12-31) and approves it.
func (w *targetWorld) approvedTarget(t *testing.T) apiSheet {
	t.Helper()
	var sh apiSheet
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/targets", map[string]any{}).Decode(t, http.StatusCreated, &sh)
	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)
	apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"lock_version": sh.LockVersion, "indicators": []any{
		indicatorJSON("优化营商环境", 10, "2025-05-31"), indicatorJSON("政务服务一网通办", 20, "2025-12-31")}}).Decode(t, http.StatusOK, &sh)
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/submit", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	apptest.APIJSON(t, w.Office, "POST", base+"/approve", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	return sh
}

func TestAPITargetsWorkflow(t *testing.T) {
	w := newTargetWorld(t)
	list := "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/targets"
	var sh apiSheet
	apptest.APIJSON(t, w.UnitUser, "POST", list, map[string]any{}).Decode(t, http.StatusCreated, &sh)
	if sh.UnitID != w.A.ID || sh.Status != "draft" {
		t.Fatalf("created %+v", sh)
	}
	// A retry returns the same sheet.
	var again apiSheet
	apptest.APIJSON(t, w.UnitUser, "POST", list, map[string]any{}).Decode(t, http.StatusOK, &again)
	if again.ID != sh.ID {
		t.Errorf("retry made sheet %d, want %d", again.ID, sh.ID)
	}
	// A unit user cannot start another unit's sheet.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", list, map[string]any{"unit_id": w.B.ID}), http.StatusForbidden, "forbidden")
	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)

	// Bad input: every problem named, nothing stored.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"lock_version": sh.LockVersion, "indicators": []any{
		map[string]any{"name": "招商", "tasks": "", "points": 0, "standard": "x", "deadline": "2025-13-01", "assessor_name": "督查室"}}}),
		http.StatusUnprocessableEntity, "invalid", "indicators[0].deadline", "indicators[0].points", "indicators[0].tasks")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"lock_version": sh.LockVersion, "indicators": []any{
		indicatorJSON("招商", "十分", "2025-12-31")}}), http.StatusUnprocessableEntity, "invalid", "indicators.points")
	// Another unit's user may neither read nor edit.
	apptest.WantAPIError(t, apptest.APIDo(t, w.unitB, "GET", base, "", ""), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.unitB, "PUT", base, map[string]any{"lock_version": sh.LockVersion, "indicators": []any{
		indicatorJSON("招商", 5, "2025-12-31")}}), http.StatusForbidden, "forbidden")
	// Approving a draft is refused; a unit user cannot approve at all.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/approve", map[string]any{"lock_version": sh.LockVersion}), http.StatusConflict, "conflict")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/approve", map[string]any{"lock_version": sh.LockVersion}), http.StatusForbidden, "forbidden")
	// A change request before approval is refused.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/change-requests", map[string]any{"lock_version": sh.LockVersion,
		"reason": "调整", "indicators": []any{indicatorJSON("招商", 5, "2025-12-31")}}), http.StatusConflict, "conflict")

	assessor := map[string]any{"name": "项目建设", "tasks": "完成5个项目", "points": 12.5, "standard": "每少1个扣2分",
		"deadline": "2025-10-31", "assessor_unit_id": w.B.ID}
	apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"lock_version": sh.LockVersion, "indicators": []any{
		indicatorJSON("优化营商环境", 10, "2025-12-31"), assessor}}).Decode(t, http.StatusOK, &sh)
	if len(sh.Indicators) != 2 || sh.Indicators[1].AssessorName != "市税务局" || sh.Indicators[1].Points != 12.5 {
		t.Fatalf("saved %+v", sh)
	}
	// A stale lock version is a conflict with a clear message.
	r := apptest.APIJSON(t, w.UnitUser, "PUT", base, map[string]any{"lock_version": sh.LockVersion - 1, "indicators": []any{indicatorJSON("x", 1, "2025-12-31")}})
	apptest.WantAPIError(t, r, http.StatusConflict, "conflict")
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/submit", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	// Return with comments per sheet and per indicator.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/return", map[string]any{"lock_version": sh.LockVersion}),
		http.StatusUnprocessableEntity, "invalid", "comment")
	apptest.APIJSON(t, w.Office, "POST", base+"/return", map[string]any{"lock_version": sh.LockVersion, "comment": "请提高目标值",
		"indicator_comments": map[string]string{apptest.Itoa(sh.Indicators[0].ID): "分值偏低"}}).Decode(t, http.StatusOK, &sh)
	if sh.Status != "returned" || sh.ReviewComment != "请提高目标值" || sh.Indicators[0].ReviewComment != "分值偏低" {
		t.Errorf("returned %+v", sh)
	}
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/submit", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	apptest.APIJSON(t, w.Office, "POST", base+"/approve", map[string]any{"lock_version": sh.LockVersion}).Decode(t, http.StatusOK, &sh)
	if sh.Status != "approved" || sh.PublishedVersion != 1 {
		t.Fatalf("approved %+v", sh)
	}

	// Change request → office approves → version 2 with the change.
	w.clock.Set(w.clock.Now().AddDate(0, 3, 0))
	changed := indicatorJSON("优化营商环境", 15, "2025-12-31")
	changed["id"] = sh.Indicators[0].ID
	var cr struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/change-requests", map[string]any{"lock_version": sh.LockVersion, "reason": "省里提高了要求",
		"indicators": []any{changed}}).Decode(t, http.StatusCreated, &cr)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/target-change-requests/"+apptest.Itoa(cr.ID)+"/approve", map[string]any{}),
		http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/target-change-requests/"+apptest.Itoa(cr.ID)+"/approve", map[string]any{"comment": "同意"}).Decode(t, http.StatusOK, &cr)
	var v2 struct {
		Version int    `json:"version"`
		Reason  string `json:"reason"`
		Changes []struct {
			Kind   string   `json:"kind"`
			Fields []string `json:"fields"`
		} `json:"changes"`
		Indicators []struct{ Points float64 } `json:"indicators"`
	}
	apptest.APIDo(t, w.UnitUser, "GET", base+"/versions/2", "", "").Decode(t, http.StatusOK, &v2)
	if v2.Reason != "省里提高了要求" || len(v2.Indicators) != 1 || v2.Indicators[0].Points != 15 || len(v2.Changes) != 2 ||
		v2.Changes[0].Kind != "changed" || v2.Changes[1].Kind != "removed" {
		t.Errorf("version 2 %+v", v2)
	}
	var versions struct {
		Items []struct{ Version int } `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", base+"/versions", "", "").Decode(t, http.StatusOK, &versions)
	if len(versions.Items) != 2 {
		t.Errorf("versions %+v", versions)
	}
}

func TestAPITargetReportsWarningsSelfEvaluation(t *testing.T) {
	w := newTargetWorld(t)
	sh := w.approvedTarget(t)
	base := "/api/v1/targets/" + apptest.Itoa(sh.ID)
	a, b := sh.Indicators[0].ID, sh.Indicators[1].ID

	// Settings: office only, validated.
	set := "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/target-settings"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", set, map[string]any{"frequency": "monthly"}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", set, map[string]any{"frequency": "weekly", "due_days": 100}),
		http.StatusUnprocessableEntity, "invalid", "due_days", "frequency")
	apptest.APIJSON(t, w.Office, "PUT", set, map[string]any{"frequency": "quarterly", "due_days": 15}).Decode(t, http.StatusOK, nil)

	// Reports: a future period is refused, bad fields are named.
	w.clock.Set(time.Date(2025, 4, 3, 9, 0, 0, 0, w.App.Config.Location))
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base+"/reports/2025-Q3", map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "progress": "x", "percent": 10}}}), http.StatusUnprocessableEntity, "invalid", "period")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base+"/reports/2025-Q1", map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "progress": "", "percent": 120}}}), http.StatusUnprocessableEntity, "invalid",
		"items[0].percent", "items[0].progress")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.unitB, "PUT", base+"/reports/2025-Q1", map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "progress": "x", "percent": 10}}}), http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.UnitUser, "PUT", base+"/reports/2025-Q1", map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "progress": "完成调研", "percent": 30, "evidence": "https://example.org/a"},
		map[string]any{"indicator_id": b, "progress": "启动", "percent": 5}}}).Decode(t, http.StatusOK, nil)
	var reps struct {
		Periods []struct{ Key, Due string } `json:"periods"`
		Items   []struct {
			IndicatorID int64 `json:"indicator_id"`
			Percent     int   `json:"percent"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", base+"/reports", "", "").Decode(t, http.StatusOK, &reps)
	if len(reps.Periods) != 4 || reps.Periods[0].Due != "2025-04-15" || len(reps.Items) != 2 {
		t.Errorf("reports %+v", reps)
	}

	// Warnings with a fixed clock: on 2025-07-16 Q2 (due 07-15) is missing
	// for both indicators and a (deadline 05-31) is overdue at 30 %.
	w.clock.Set(time.Date(2025, 7, 16, 9, 0, 0, 0, w.App.Config.Location))
	var warns struct {
		Total int `json:"total"`
		Items []struct {
			Kind        string `json:"kind"`
			IndicatorID int64  `json:"indicator_id"`
			Period      string `json:"period"`
			Percent     *int   `json:"percent"`
		} `json:"items"`
	}
	wpath := "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/target-warnings"
	apptest.APIDo(t, w.Office, "GET", wpath, "", "").Decode(t, http.StatusOK, &warns)
	if warns.Total != 3 || warns.Items[1].Kind != "overdue" || *warns.Items[1].Percent != 30 || warns.Items[0].Period != "2025-Q2" {
		t.Errorf("warnings %+v", warns)
	}
	apptest.APIDo(t, w.Office, "GET", wpath+"?kind=overdue", "", "").Decode(t, http.StatusOK, &warns)
	if warns.Total != 1 {
		t.Errorf("overdue only: %+v", warns)
	}
	// Unit B sees only its own (none); asking for A is forbidden.
	apptest.APIDo(t, w.unitB, "GET", wpath, "", "").Decode(t, http.StatusOK, &warns)
	if warns.Total != 0 {
		t.Errorf("unit B sees %d warnings", warns.Total)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.unitB, "GET", wpath+"?unit_id="+apptest.Itoa(w.A.ID), "", ""), http.StatusForbidden, "forbidden")
	// The day before, Q2 is not yet due.
	w.clock.Set(time.Date(2025, 7, 15, 23, 0, 0, 0, w.App.Config.Location))
	apptest.APIDo(t, w.Office, "GET", wpath, "", "").Decode(t, http.StatusOK, &warns)
	if warns.Total != 1 {
		t.Errorf("on the due date: %+v", warns)
	}

	// Self-evaluation: above the points refused; locked refused.
	self := base + "/self-evaluation"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", self, map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "claimed": 11, "note": "超额完成"}}}), http.StatusUnprocessableEntity, "invalid", "items[0].claimed")
	apptest.APIJSON(t, w.UnitUser, "PUT", self, map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "claimed": 8, "note": "按标准扣2分"}}}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "PUT", set, map[string]any{"frequency": "quarterly", "due_days": 15, "self_eval_locked": true}).Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", self, map[string]any{"items": []any{
		map[string]any{"indicator_id": a, "claimed": 10, "note": "改"}}}), http.StatusConflict, "conflict")
	var ev struct {
		Locked bool `json:"locked"`
		Items  []struct {
			Claimed float64 `json:"claimed"`
			Note    string  `json:"note"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", self, "", "").Decode(t, http.StatusOK, &ev)
	if !ev.Locked || len(ev.Items) != 1 || ev.Items[0].Claimed != 8 {
		t.Errorf("self-evaluation %+v", ev)
	}

	// The office's list shows every unit with its sheet and warnings.
	var lines struct {
		Items []struct {
			Unit  struct{ ID int64 } `json:"unit"`
			Sheet *struct {
				Status     string `json:"status"`
				Indicators int    `json:"indicators"`
			} `json:"sheet"`
			Warnings int `json:"warnings"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/targets", "", "").Decode(t, http.StatusOK, &lines)
	if len(lines.Items) != 2 {
		t.Fatalf("lines %+v", lines)
	}
	for _, l := range lines.Items {
		if l.Unit.ID == w.A.ID && (l.Sheet == nil || l.Sheet.Status != "approved" || l.Sheet.Indicators != 2 || l.Warnings != 1) {
			t.Errorf("unit A line %+v", l)
		}
		if l.Unit.ID == w.B.ID && l.Sheet != nil {
			t.Errorf("unit B has a sheet")
		}
	}
	apptest.APIDo(t, w.unitB, "GET", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/targets", "", "").Decode(t, http.StatusOK, &lines)
	if len(lines.Items) != 1 || lines.Items[0].Unit.ID != w.B.ID {
		t.Errorf("unit B sees %+v", lines)
	}
}
