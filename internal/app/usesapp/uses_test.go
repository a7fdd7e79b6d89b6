package usesapp_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/apperr"
	"minyi/internal/rewards"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// publishFinal stores a final publication of the cycle with each unit's
// grade and counted deduction points.
func publishFinal(t *testing.T, w *fixtures.APIWorld, cycleID int64, grades map[int64]string, deductions map[int64]float64) {
	t.Helper()
	ctx := context.Background()
	var pub int64
	if err := w.App.Pool.QueryRow(ctx, `INSERT INTO assessment_publications (cycle_id, stage, published_at, settings_version, scheme_version)
		VALUES ($1, 'final', now(), 0, 1) RETURNING id`, cycleID).Scan(&pub); err != nil {
		t.Fatal(err)
	}
	rank := 0
	for unit, grade := range grades {
		rank++
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_results (publication_id, cycle_id, unit_id, category, grade, composite, rank, reason, breakdown)
			VALUES ($1, $2, $3, 'x', $4, 80, $5, '', jsonb_build_object('grade', $4::text, 'inputs', jsonb_build_object('deductions_counted', $6::float8)))`,
			pub, cycleID, unit, grade, rank, deductions[unit]); err != nil {
			t.Fatal(err)
		}
	}
}

func auditCount(t *testing.T, w *fixtures.APIWorld, action string) int {
	t.Helper()
	var n int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type linesReply struct {
	Settings rewards.Settings
	Items    []rewards.UnitLine
	Total    int
}

func byUnit(r linesReply) map[int64]rewards.UnitLine {
	out := map[int64]rewards.UnitLine{}
	for _, l := range r.Items {
		out[l.UnitID] = l
	}
	return out
}

// TestAPIUses: the bonus table is validated (Chinese refusals, nothing
// changed), saved once and audited; amounts follow the table and the
// factors to the cent; 通报批评 is proposed for 不合格 and for deductions
// above the threshold and recorded once; a case opens once for 不合格 and
// three-合格 units and is refused for others; a unit sees only its own
// line; the export has the amounts as numbers.
func TestAPIUses(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	c := w.CreateUnit(t, "市教育局", "社会服务类")
	c24 := w.CreateCycle(t, "2024年度", 2024, nil)
	c25 := w.CreateCycle(t, "2025年度", 2025, nil)
	c26 := w.CreateCycle(t, "2026年度", 2026, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(c26.ID) + "/uses"

	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", base, "", ""), http.StatusConflict, apperr.Conflict)

	publishFinal(t, w, c24.ID, map[int64]string{w.A.ID: "pass"}, nil)
	publishFinal(t, w, c25.ID, map[int64]string{w.A.ID: "pass"}, nil)
	publishFinal(t, w, c26.ID, map[int64]string{w.A.ID: "pass", w.B.ID: "fail", c.ID: "excellent"}, map[int64]float64{c.ID: 6})

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"unknown mode", map[string]any{"table": map[string]any{"mode": "x"}, "criticism_threshold": 5}, "mode"},
		{"raise over 100%", map[string]any{"table": map[string]any{"mode": "amount", "raise_bp": 20000}, "criticism_threshold": 5}, "raise_bp"},
		{"negative grade", map[string]any{"table": map[string]any{"mode": "amount", "grades": map[string]int64{"pass": -1}}, "criticism_threshold": 5}, "grades"},
		{"threshold", map[string]any{"table": map[string]any{"mode": "amount"}, "criticism_threshold": -1}, "criticism_threshold"},
	}
	for _, b := range bad {
		r := apptest.APIJSON(t, w.Office, "PUT", base+"/settings", b.body)
		apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, apperr.Invalid, b.field)
		if !strings.Contains(string(r.Body), "须") {
			t.Errorf("%s: %s", b.name, r.Body)
		}
	}
	if n := auditCount(t, w, "results.bonus_table"); n != 0 {
		t.Fatalf("refused tables audited: %d", n)
	}
	table := map[string]any{"table": map[string]any{"mode": "amount",
		"grades":   map[string]int64{"excellent": 1_200_000, "good": 1_000_000, "pass": 800_000, "fail": 0},
		"raise_bp": 1000, "cut_accountability_bp": 500, "cut_failed_task_bp": 2000}, "criticism_threshold": 5}
	for range 2 {
		apptest.APIJSON(t, w.Office, "PUT", base+"/settings", table).Decode(t, http.StatusOK, nil)
	}
	if n := auditCount(t, w, "results.bonus_table"); n != 1 {
		t.Errorf("same table twice audited %d times", n)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", base+"/settings", table), http.StatusForbidden, apperr.Forbidden)

	cu := base + "/units/" + apptest.Itoa(c.ID)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", cu+"/factors", map[string]any{"accountability": -1}), http.StatusUnprocessableEntity, apperr.Invalid, "accountability")
	apptest.APIJSON(t, w.Office, "PUT", cu+"/factors", map[string]any{"outstanding": true, "accountability": 1}).Decode(t, http.StatusOK, nil)

	var got linesReply
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &got)
	lines := byUnit(got)
	wants := []struct {
		unit      int64
		total     int64
		criticism bool
		cs        string
	}{
		{w.A.ID, 800_000, false, rewards.CaseThreePass},
		{w.B.ID, 0, true, rewards.CaseFail},
		// 12 000 + 10 % − 5 % = 12 600.00
		{c.ID, 1_260_000, true, ""},
	}
	for _, wt := range wants {
		l := lines[wt.unit]
		if l.Bonus.Total != wt.total || l.ProposeCriticism != wt.criticism || l.ProposeCase != wt.cs {
			t.Errorf("unit %d: %+v", wt.unit, l)
		}
	}

	// 通报批评 and 表彰: refused input, then once.
	bu := base + "/units/" + apptest.Itoa(w.B.ID)
	r := apptest.APIJSON(t, w.Office, "POST", bu+"/records/criticism", map[string]any{"doc_no": "市绩效办〔2027〕1号", "doc_date": "2027-13-01", "body": "通报批评"})
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, apperr.Invalid, "doc_date")
	if !strings.Contains(string(r.Body), "发文日期") {
		t.Errorf("refusal %s", r.Body)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", bu+"/records/praise", map[string]any{"doc_no": "1", "doc_date": "2027-01-05", "body": "x"}),
		http.StatusUnprocessableEntity, apperr.Invalid, "kind")
	var first, second rewards.Record
	rec := map[string]any{"doc_no": "市绩效办〔2027〕1号", "doc_date": "2027-01-05", "body": "考核不合格，予以通报批评"}
	apptest.APIJSON(t, w.Office, "POST", bu+"/records/criticism", rec).Decode(t, http.StatusCreated, &first)
	rec["doc_no"] = "另一文号"
	apptest.APIJSON(t, w.Office, "POST", bu+"/records/criticism", rec).Decode(t, http.StatusOK, &second)
	if second.ID != first.ID || second.DocNo != "市绩效办〔2027〕1号" {
		t.Errorf("second record %+v, first %+v", second, first)
	}
	apptest.APIJSON(t, w.Office, "POST", cu+"/records/commendation", map[string]any{"doc_no": "市政府〔2027〕3号", "doc_date": "2027-01-06", "body": "表彰"}).
		Decode(t, http.StatusCreated, nil)

	// Rectification cases: once per unit; not for a unit not proposed.
	au := base + "/units/" + apptest.Itoa(w.A.ID)
	var c1, c2 struct {
		CaseID  int64 `json:"case_id"`
		Created bool
	}
	apptest.APIJSON(t, w.Office, "POST", au+"/case", map[string]any{}).Decode(t, http.StatusCreated, &c1)
	apptest.APIJSON(t, w.Office, "POST", au+"/case", map[string]any{}).Decode(t, http.StatusOK, &c2)
	if c1.CaseID == 0 || c2.CaseID != c1.CaseID || c2.Created {
		t.Errorf("cases %+v %+v", c1, c2)
	}
	var n int
	var due *string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*), max(answer_due)::text FROM rectification_cases WHERE unit_id = $1 AND source_kind = 'result'`, w.A.ID).Scan(&n, &due); err != nil || n != 1 || due == nil {
		t.Errorf("cases of A: %d %v %v", n, due, err)
	}
	apptest.APIJSON(t, w.Office, "POST", bu+"/case", map[string]any{}).Decode(t, http.StatusCreated, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", cu+"/case", map[string]any{}), http.StatusConflict, apperr.Conflict)

	// A unit sees its own line only and cannot export.
	apptest.APIDo(t, w.UnitUser, "GET", base, "", "").Decode(t, http.StatusOK, &got)
	if len(got.Items) != 1 || got.Items[0].UnitID != w.A.ID || got.Items[0].CaseID == nil || *got.Items[0].CaseID != c1.CaseID {
		t.Errorf("unit sees %+v", got.Items)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", base+"/xlsx", "", ""), http.StatusForbidden, apperr.Forbidden)

	// Paging.
	apptest.APIDo(t, w.Office, "GET", base+"?limit=2&offset=2", "", "").Decode(t, http.StatusOK, &got)
	if got.Total != 3 || len(got.Items) != 1 {
		t.Errorf("page: total %d items %d", got.Total, len(got.Items))
	}

	// The export: numbers are numbers, the cycle and the time stated.
	x := apptest.APIDo(t, w.Office, "GET", base+"/xlsx", "", "")
	if x.Status != http.StatusOK {
		t.Fatalf("xlsx %d %s", x.Status, x.Body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("绩效奖金")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || !strings.Contains(rows[0][0], "2026年度") || !strings.Contains(rows[1][0], "导出") || rows[2][11] != "应发奖金（元）" {
		t.Fatalf("sheet %q", rows)
	}
	found := false
	for i, row := range rows[3:] {
		if row[2] != "市教育局" {
			continue
		}
		found = true
		cell := "L" + strconv.Itoa(i+4)
		v, _ := f.GetCellValue("绩效奖金", cell)
		typ, _ := f.GetCellType("绩效奖金", cell)
		if v != "12600" || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Errorf("total cell %q type %v", v, typ)
		}
		if row[13] != "市政府〔2027〕3号（2027-01-06）" {
			t.Errorf("commendation cell %q", row[13])
		}
	}
	if !found {
		t.Error("unit missing from the export")
	}
	csv := apptest.APIDo(t, w.Office, "GET", base+"/csv", "", "")
	if csv.Status != http.StatusOK || !bytes.HasPrefix(csv.Body, []byte("\xEF\xBB\xBF")) || !strings.Contains(string(csv.Body), "12600.00") {
		t.Errorf("csv %d %s", csv.Status, csv.Body)
	}
}
