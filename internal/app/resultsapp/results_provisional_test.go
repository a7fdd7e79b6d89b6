package resultsapp_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// scoredCycle creates the 2026 cycle with a one-leaf scheme (工作实绩, scored
// by 市考评办) and gives units A and B points on it.
func scoredCycle(t *testing.T, w *fixtures.APIWorld, points float64) fixtures.CycleReply {
	t.Helper()
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	for _, u := range []int64{w.A.ID, w.B.ID} {
		if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
			VALUES ($1, $2, 'work', $3)`, cy.ID, u, points); err != nil {
			t.Fatal(err)
		}
	}
	return cy
}

// TestPreliminaryResultsProvisional: publishing the preliminary results in
// late December opens a provisional review window instead of refusing, an
// application gets a provisional answer deadline, and entering 2027 (the
// API's JSON day list) recomputes both with a note on the results pages.
func TestPreliminaryResultsProvisional(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 12, 28, 10, 0, 0, 0, apptest.Shanghai)) // a Monday
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	cy := scoredCycle(t, w, 80)
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/results"
	type publication struct {
		AppealDeadline            string `json:"appeal_deadline"`
		AppealDeadlineProvisional bool   `json:"appeal_deadline_provisional"`
	}
	var st struct {
		Preliminary publication `json:"preliminary"`
	}
	// 5 working days from Monday 28 December: 29–31 Dec, 1 Jan, 4 Jan.
	apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{}).Decode(t, http.StatusCreated, &st)
	if st.Preliminary.AppealDeadline != "2027-01-04" || !st.Preliminary.AppealDeadlineProvisional {
		t.Fatalf("preliminary %+v", st.Preliminary)
	}
	clock.Set(time.Date(2026, 12, 29, 10, 0, 0, 0, apptest.Shanghai))
	type appeal struct {
		ID                   int64  `json:"id"`
		AnswerDue            string `json:"answer_due"`
		AnswerDueProvisional bool   `json:"answer_due_provisional"`
	}
	var ap appeal
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(w.A.ID)+"/appeal", map[string]any{"grounds": "漏计一项市级表彰"}).
		Decode(t, http.StatusCreated, &ap)
	if ap.AnswerDue != "2027-01-19" || !ap.AnswerDueProvisional {
		t.Fatalf("appeal %+v", ap)
	}
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	unit := apptest.SignedIn(t, w.App, "unit-a", "unit-pass-1")
	if p := apptest.Get(t, office, "/console/cycles/"+apptest.Itoa(cy.ID)+"/results"); !p.Has(fixtures.ProvisionalTag) || !p.Has("2027-01-04") || !p.Has("2027-01-19") {
		t.Errorf("results page lacks the provisional deadlines")
	}
	if p := apptest.Get(t, unit, "/console/cycles/"+apptest.Itoa(cy.ID)+"/results/"+apptest.Itoa(w.A.ID)); !p.Has(fixtures.ProvisionalTag) {
		t.Errorf("the unit's result page lacks the provisional mark")
	}

	days := []map[string]string{{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}} // test data
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/workdays/2027", map[string]any{"note": "测试数据", "days": days}).Decode(t, http.StatusCreated, nil)
	var r struct {
		Status struct {
			Preliminary publication `json:"preliminary"`
		} `json:"status"`
		Appeals []appeal `json:"appeals"`
	}
	apptest.APIDo(t, w.Office, "GET", base, "", "").Decode(t, http.StatusOK, &r)
	if r.Status.Preliminary.AppealDeadline != "2027-01-05" || r.Status.Preliminary.AppealDeadlineProvisional {
		t.Errorf("preliminary after 2027: %+v", r.Status.Preliminary)
	}
	if len(r.Appeals) != 1 || r.Appeals[0].AnswerDue != "2027-01-20" || r.Appeals[0].AnswerDueProvisional {
		t.Errorf("appeals after 2027: %+v", r.Appeals)
	}
	p := apptest.Get(t, office, "/console/cycles/"+apptest.Itoa(cy.ID)+"/results")
	if p.Has(fixtures.ProvisionalTag) || !p.Has("申请复核期限已按2027年工作日历重新计算：原暂定 2027-01-04，现 2027-01-05") ||
		!p.Has("复核答复期限已按2027年工作日历重新计算：原暂定 2027-01-19，现 2027-01-20") {
		t.Errorf("results page after 2027 lacks the notes")
	}
	if fixtures.CountAudit(t, w, "deadline.recompute", "cycle") != 1 || fixtures.CountAudit(t, w, "deadline.recompute", "appeal") != 1 {
		t.Errorf("recompute audit entries missing")
	}
}
