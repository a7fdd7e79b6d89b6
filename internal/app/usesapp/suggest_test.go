package usesapp_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// suggestWorld publishes 2026's final results of A (合格), B (合格) and C
// (优秀) and records: a commendation of C, a confirmed 行政问责 deduction of
// A (and a revoked one), and B's approved target sheet with one indicator
// overdue without a 100 % report (a key task's) and one reported done.
func suggestWorld(t *testing.T) (*fixtures.APIWorld, int64, int64) {
	t.Helper()
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	c := w.CreateUnit(t, "市教育局", "社会服务类")
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	publishFinal(t, w, cy.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "pass", c.ID: "excellent"}, nil)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := w.App.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO assessment_deductions (cycle_id, unit_id, reason_key, description, points) VALUES ($1, $2, 'accountability', '行政问责一起', 2)`, cy.ID, w.A.ID)
	exec(`INSERT INTO assessment_deductions (cycle_id, unit_id, reason_key, description, points, revoked_at, revoke_reason)
		VALUES ($1, $2, 'accountability', '已撤销', 2, now(), '误报')`, cy.ID, w.A.ID)
	var sheet, late, done int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO target_sheets (cycle_id, unit_id, status, published_version) VALUES ($1, $2, 'approved', 1)
		RETURNING id`, cy.ID, w.B.ID).Scan(&sheet); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]*int64{"垃圾分类覆盖率": &late, "政务公开": &done} {
		if err := w.App.Pool.QueryRow(ctx, `INSERT INTO target_indicators (sheet_id, position, name, tasks, points, standard, deadline, assessor_name, created_at)
			VALUES ($1, 1, $2, '任务', 10, '标准', '2026-06-30', '市委督查室', now()) RETURNING id`, sheet, name).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, updated_at) VALUES ($1, '2026-Q2', $2, '完成一半', 50, now())`, late, sheet)
	exec(`INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, updated_at) VALUES ($1, '2026-Q2', $2, '已完成', 100, now())`, done, sheet)
	var task int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO key_tasks (cycle_id, name, lead_unit_id) VALUES ($1, '城乡环境整治', $2) RETURNING id`, cy.ID, w.B.ID).Scan(&task); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO key_task_members (task_id, unit_id, indicator_id) VALUES ($1, $2, $3)`, task, w.B.ID, late)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/uses/units/"+apptest.Itoa(c.ID)+"/records/commendation",
		map[string]any{"doc_no": "市政府〔2027〕3号", "doc_date": "2027-01-06", "body": "表彰"}).Decode(t, http.StatusCreated, nil)
	return w, cy.ID, c.ID
}

// TestSuggestedFactors: the records suggest 成绩突出 for the commended unit,
// the confirmed 行政问责 deductions (not the revoked one) and the overdue
// indicators (a key task's named); nothing is applied until the office
// confirms, after which the suggestion no longer differs.
func TestSuggestedFactors(t *testing.T) {
	w, cycleID, cID := suggestWorld(t)
	base := "/api/v1/cycles/" + apptest.Itoa(cycleID) + "/uses"
	table := map[string]any{"table": map[string]any{"mode": "amount", "grades": map[string]int64{"excellent": 1_000_000, "pass": 800_000},
		"raise_bp": 1000, "cut_accountability_bp": 500, "cut_failed_task_bp": 1000}, "criticism_threshold": 5}
	apptest.APIJSON(t, w.Office, "PUT", base+"/settings", table).Decode(t, http.StatusOK, nil)
	var got linesReply
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &got)
	lines := byUnit(got)
	a, b, c := lines[w.A.ID], lines[w.B.ID], lines[cID]
	if a.Factors.Accountability != 0 || a.Bonus.Cut != 0 || c.Factors.Outstanding || b.Factors.FailedTasks != 0 {
		t.Fatalf("factors applied silently: %+v %+v %+v", a.Factors, b.Factors, c.Factors)
	}
	if s := a.Suggested; s == nil || !s.Differs || s.Factors.Accountability != 1 || !strings.Contains(strings.Join(s.Reasons, ""), "行政问责扣分 1 次") {
		t.Errorf("A suggested %+v", a.Suggested)
	}
	if s := b.Suggested; s == nil || s.Factors.FailedTasks != 1 || !strings.Contains(strings.Join(s.Reasons, ""), "其中重点任务 1 项") {
		t.Errorf("B suggested %+v", b.Suggested)
	}
	if s := c.Suggested; s == nil || !s.Factors.Outstanding || !strings.Contains(strings.Join(s.Reasons, ""), "市政府〔2027〕3号") {
		t.Errorf("C suggested %+v", c.Suggested)
	}
	apptest.APIJSON(t, w.Office, "PUT", base+"/units/"+apptest.Itoa(w.A.ID)+"/factors", a.Suggested.Factors).Decode(t, http.StatusOK, nil)
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &got)
	if a := byUnit(got)[w.A.ID]; a.Suggested.Differs || a.Bonus.Total != 760_000 {
		t.Errorf("after confirming: %+v", a)
	}
	// A unit sees no suggestion.
	got = linesReply{}
	apptest.APIDo(t, w.UnitUser, "GET", base, "", "").Decode(t, http.StatusOK, &got)
	if len(got.Items) != 1 || got.Items[0].Suggested != nil {
		t.Errorf("unit sees %+v", got.Items)
	}
}

// TestUnitOwnLine: a unit reads and exports its own line (grade, factors,
// amount, records, case); another unit's is refused with 403; the office
// reads any.
func TestUnitOwnLine(t *testing.T) {
	w, cycleID, cID := suggestWorld(t)
	base := "/api/v1/cycles/" + apptest.Itoa(cycleID) + "/uses/units/"
	var line struct {
		UnitID     int64  `json:"unit_id"`
		GradeLabel string `json:"grade_label"`
		CaseID     *int64 `json:"case_id"`
		CaseStatus string `json:"case_status"`
	}
	apptest.APIJSON(t, w.Office, "POST", base+apptest.Itoa(w.A.ID)+"/records/criticism",
		map[string]any{"doc_no": "市绩效办〔2027〕2号", "doc_date": "2027-01-08", "body": "行政问责，予以通报批评"}).Decode(t, http.StatusCreated, nil)
	apptest.APIDo(t, w.UnitUser, "GET", base+apptest.Itoa(w.A.ID), "", "").Decode(t, http.StatusOK, &line)
	if line.UnitID != w.A.ID || line.GradeLabel != "合格" || line.CaseID != nil {
		t.Errorf("own line %+v", line)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", base+apptest.Itoa(w.B.ID), "", ""), http.StatusForbidden, apperr.Forbidden)
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", base+apptest.Itoa(w.B.ID)+"/xlsx", "", ""), http.StatusForbidden, apperr.Forbidden)
	apptest.APIDo(t, w.Office, "GET", base+apptest.Itoa(cID), "", "").Decode(t, http.StatusOK, nil)

	x := apptest.APIDo(t, w.UnitUser, "GET", base+apptest.Itoa(w.A.ID)+"/xlsx", "", "")
	if x.Status != http.StatusOK {
		t.Fatalf("xlsx %d %s", x.Status, x.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("本单位结果运用")
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"2026年度", "等次|合格", "行政问责次数|0", "应发奖金（元）", "通报批评|市绩效办〔2027〕2号（2027-01-08）行政问责，予以通报批评", "整改案件|无"} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet lacks %q:\n%s", want, text)
		}
	}
	page := apptest.Get(t, w.UnitUser, "/console/cycles/"+apptest.Itoa(cycleID)+"/uses")
	if !page.Has(`id="own-xlsx"`) || !page.Has("市绩效办〔2027〕2号") || page.Has("采纳建议") {
		t.Error("the unit's page lacks its export or shows the office's suggestions")
	}
}
