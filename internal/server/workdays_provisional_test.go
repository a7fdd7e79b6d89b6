package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// The 2027 lists below are TEST DATA, made up for these tests: the State
// Council has not published 2027 yet (today is 2 December 2026), and the
// product never guesses it. Only New Year's Day matters to the deadlines
// tested here: 2027-01-01 (a Friday) off.
const test2027Text = "# 测试数据，并非真实通知\n2027-01-01 元旦 休\n2027-02-06~2027-02-12 春节 休\n2027-02-14 春节 班\n"

// test2027HolidayCN is the same test list in the holiday-cn shape, with a
// day of the neighbouring year as real notices sometimes carry.
const test2027HolidayCN = `{"year": 2027, "papers": ["测试数据，并非真实通知"], "days": [
	{"name": "元旦", "date": "2026-12-31", "isOffDay": true},
	{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
	{"name": "春节", "date": "2027-02-06", "isOffDay": true}, {"name": "春节", "date": "2027-02-07", "isOffDay": true},
	{"name": "春节", "date": "2027-02-08", "isOffDay": true}, {"name": "春节", "date": "2027-02-09", "isOffDay": true},
	{"name": "春节", "date": "2027-02-10", "isOffDay": true}, {"name": "春节", "date": "2027-02-11", "isOffDay": true},
	{"name": "春节", "date": "2027-02-12", "isOffDay": true},
	{"name": "春节", "date": "2027-02-14", "isOffDay": false}]}`

// provisionalTag is how the console marks a provisional deadline.
const provisionalTag = `class="tag tag-warn provisional"`

// apiCaseDeadlines is a case's deadlines as the API returns them.
type apiCaseDeadlines struct {
	ID                     int64  `json:"id"`
	AnswerDue              string `json:"answer_due"`
	AnswerDueProvisional   bool   `json:"answer_due_provisional"`
	CallbackDue            string `json:"callback_due"`
	CallbackDueProvisional bool   `json:"callback_due_provisional"`
	AnswerOverdue          bool   `json:"answer_overdue"`
	Updates                []struct {
		Kind string `json:"kind"`
		Body string `json:"body"`
	} `json:"updates"`
}

// apiDeadline is GET /api/v1/workdays/deadline's reply.
type apiDeadline struct {
	Due         string `json:"due"`
	Provisional bool   `json:"provisional"`
}

// qrCase posts a QR 差评 with a phone for unit A at the clock's time and
// has the office mark it valid; it returns the case.
func qrCase(t *testing.T, w *apiWorld, phone string) apiCaseDeadlines {
	t.Helper()
	if st := postQR(t, w.app, w.a.QR.Code, "phone-"+phone, url.Values{"level": {"1"}, "phone": {phone},
		"reasons": {"等候时间长"}, "comment": {"排队太久"}}); st != http.StatusSeeOther {
		t.Fatalf("QR rating: status %d", st)
	}
	var rid string
	if err := w.app.Pool.QueryRow(context.Background(), `SELECT id::text FROM ratings r
		WHERE NOT EXISTS (SELECT 1 FROM case_sources s WHERE s.source_id = r.id::text) ORDER BY rated_at DESC LIMIT 1`).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	var cs apiCase
	apiJSON(t, w.office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": rid, "version": 0}}}).decode(t, http.StatusCreated, &cs)
	return getCase(t, w, cs.ID)
}

// scoredCycle creates the 2026 cycle with a one-leaf scheme (工作实绩, scored
// by 市考评办) and gives units A and B points on it.
func (w *apiWorld) scoredCycle(t *testing.T, points float64) apiCycleReply {
	t.Helper()
	cy := w.createCycle(t, "2026年度", 2026, nil)
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apiJSON(t, w.office, "PUT", "/api/v1/cycles/"+itoa(cy.ID)+"/scheme", map[string]any{"tree": tree}).decode(t, http.StatusCreated, nil)
	for _, u := range []int64{w.a.ID, w.b.ID} {
		if _, err := w.app.Pool.Exec(context.Background(), `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
			VALUES ($1, $2, 'work', $3)`, cy.ID, u, points); err != nil {
			t.Fatal(err)
		}
	}
	return cy
}

func getCase(t *testing.T, w *apiWorld, id int64) apiCaseDeadlines {
	t.Helper()
	var c apiCaseDeadlines
	apiDo(t, w.office, "GET", "/api/v1/cases/"+itoa(id), "", "").decode(t, http.StatusOK, &c)
	return c
}

func deadlineOf(t *testing.T, w *apiWorld, start, days string) apiDeadline {
	t.Helper()
	var d apiDeadline
	apiDo(t, w.unitUser, "GET", "/api/v1/workdays/deadline?start="+start+"&days="+days, "", "").decode(t, http.StatusOK, &d)
	return d
}

func countAudit(t *testing.T, w *apiWorld, action, entity string) int {
	t.Helper()
	var n int
	if err := w.app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1 AND entity = $2`,
		action, entity).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func hasNote(c apiCaseDeadlines, body string) bool {
	for _, u := range c.Updates {
		if u.Kind == "note" && u.Body == body {
			return true
		}
	}
	return false
}

// TestProvisionalCaseDeadlines: in late December, before next year's
// calendar exists, a valid 差评 still becomes a case whose deadlines touching
// 2027 are counted over weekends only and marked provisional; entering 2027
// (holiday-cn JSON through the API) recomputes them, with an audit entry and
// a note on each case, and the overdue flags follow.
func TestProvisionalCaseDeadlines(t *testing.T) {
	clock := &apiClock{t: time.Date(2026, 12, 20, 10, 0, 0, 0, apiShanghai)} // a Sunday
	w := newAPIWorld(t, apptest.Options{Now: clock.Now})
	office := signedIn(t, w.app, "office1", "office-pass-1")

	// 15 working days from Sunday 20 December, weekends only in 2027:
	// 21–25, 28–31 Dec (9), 1 Jan (10), 4–8 Jan (15).
	c1 := qrCase(t, w, "13812345678")
	if c1.AnswerDue != "2027-01-08" || !c1.AnswerDueProvisional || c1.CallbackDue != "2026-12-21" || c1.CallbackDueProvisional {
		t.Fatalf("case sent 2026-12-20: %+v", c1)
	}
	clock.Set(time.Date(2026, 12, 31, 10, 0, 0, 0, apiShanghai))
	c2 := qrCase(t, w, "13987654321")
	if c2.AnswerDue != "2027-01-21" || !c2.AnswerDueProvisional || c2.CallbackDue != "2027-01-01" || !c2.CallbackDueProvisional {
		t.Fatalf("case sent 2026-12-31: %+v", c2)
	}
	if d := deadlineOf(t, w, "2026-12-20", "15"); d.Due != "2027-01-08" || !d.Provisional {
		t.Errorf("deadline before 2027: %+v", d)
	}
	if d := deadlineOf(t, w, "2026-09-28", "15"); d.Due != "2026-10-23" || d.Provisional {
		t.Errorf("deadline within 2026: %+v", d)
	}
	p := get(t, office, "/console/cases/"+itoa(c1.ID))
	if !p.has("2027-01-08") || !p.has(provisionalTag) {
		t.Errorf("case page lacks the provisional deadline")
	}
	if p := get(t, office, "/console/cases"); !p.has(provisionalTag) {
		t.Errorf("cases list lacks the provisional mark")
	}
	if p := get(t, office, "/console/callbacks"); !p.has(provisionalTag) || !p.has("2027-01-01") {
		t.Errorf("call-backs list lacks the provisional call-back deadline")
	}

	// On Saturday 9 January the first answer is overdue on its provisional
	// deadline; once 2027 is entered it is due on Monday 11 January.
	clock.Set(time.Date(2027, 1, 9, 10, 0, 0, 0, apiShanghai))
	if c := getCase(t, w, c1.ID); !c.AnswerOverdue {
		t.Errorf("overdue on the provisional deadline: %+v", c)
	}
	var saved struct {
		Year       int `json:"year"`
		Holidays   int `json:"holidays"`
		Recomputed []struct {
			Entity   string `json:"entity"`
			EntityID int64  `json:"entity_id"`
			Field    string `json:"field"`
			OldDue   string `json:"old_due"`
			NewDue   string `json:"new_due"`
		} `json:"recomputed"`
		Notes []string `json:"notes"`
	}
	apiDo(t, w.office, "PUT", "/api/v1/workdays/2027", "application/json", test2027HolidayCN).decode(t, http.StatusCreated, &saved)
	if saved.Year != 2027 || saved.Holidays != 8 || len(saved.Recomputed) != 3 {
		t.Fatalf("saved %+v", saved)
	}
	if len(saved.Notes) != 1 || !strings.Contains(saved.Notes[0], "2026-12-31") {
		t.Errorf("the neighbouring year's day is not noted: %v", saved.Notes)
	}

	c1 = getCase(t, w, c1.ID)
	if c1.AnswerDue != "2027-01-11" || c1.AnswerDueProvisional || c1.AnswerOverdue ||
		!hasNote(c1, "答复期限已按2027年工作日历重新计算：原暂定 2027-01-08，现 2027-01-11") {
		t.Errorf("case 1 after 2027: %+v", c1)
	}
	c2 = getCase(t, w, c2.ID)
	if c2.AnswerDue != "2027-01-22" || c2.AnswerDueProvisional || c2.CallbackDue != "2027-01-04" || c2.CallbackDueProvisional ||
		!hasNote(c2, "回访期限已按2027年工作日历重新计算：原暂定 2027-01-01，现 2027-01-04") {
		t.Errorf("case 2 after 2027: %+v", c2)
	}
	if n := countAudit(t, w, "deadline.recompute", "rectification_case"); n != 2 {
		t.Errorf("%d recompute audit entries, want one per case", n)
	}
	p = get(t, office, "/console/cases/"+itoa(c1.ID))
	if p.has(provisionalTag) || !p.has("原暂定 2027-01-08，现 2027-01-11") {
		t.Errorf("case page after 2027")
	}
	if d := deadlineOf(t, w, "2026-12-20", "15"); d.Due != "2027-01-11" || d.Provisional {
		t.Errorf("deadline after 2027: %+v", d)
	}
	// Saving the same file again changes nothing and recomputes nothing.
	apiDo(t, w.office, "PUT", "/api/v1/workdays/2027", "application/json", test2027HolidayCN).decode(t, http.StatusOK, &saved)
	if len(saved.Recomputed) != 0 || countAudit(t, w, "deadline.recompute", "rectification_case") != 2 {
		t.Errorf("a retry recomputed again: %+v", saved.Recomputed)
	}
}

// TestHolidayCNRefusals: an empty notice and a file of another year are
// refused with Chinese messages; nothing is stored.
func TestHolidayCNRefusals(t *testing.T) {
	w := newWorkdayWorld(t)
	for _, tc := range []struct{ body, field, msg string }{
		{`{"year": 2027, "papers": [], "days": []}`, "days", "没有任何日期"},
		{strings.Replace(test2027HolidayCN, `"year": 2027`, `"year": 2028`, 1), "year", "2028年"},
		{`{"year": 2027, "papers": [], "days": [{"name": "元旦", "date": "2027-01-01"}]}`, "days[0].isOffDay", "是否放假"},
	} {
		r := apiDo(t, w.office, "PUT", "/api/v1/workdays/2027", "application/json", tc.body)
		wantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", tc.field)
		if !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("refusal of %.40s… lacks %q: %s", tc.body, tc.msg, r.Body)
		}
	}
	wantAPIError(t, apiJSON(t, w.office, "GET", "/api/v1/workdays/2027", nil), http.StatusNotFound, "not_found")
}

// TestPreliminaryResultsProvisional: publishing the preliminary results in
// late December opens a provisional review window instead of refusing, an
// application gets a provisional answer deadline, and entering 2027 (the
// API's JSON day list) recomputes both with a note on the results pages.
func TestPreliminaryResultsProvisional(t *testing.T) {
	clock := &apiClock{t: time.Date(2026, 12, 28, 10, 0, 0, 0, apiShanghai)} // a Monday
	w := newAPIWorld(t, apptest.Options{Now: clock.Now})
	cy := w.scoredCycle(t, 80)
	base := "/api/v1/cycles/" + itoa(cy.ID) + "/results"
	type publication struct {
		AppealDeadline            string `json:"appeal_deadline"`
		AppealDeadlineProvisional bool   `json:"appeal_deadline_provisional"`
	}
	var st struct {
		Preliminary publication `json:"preliminary"`
	}
	// 5 working days from Monday 28 December: 29–31 Dec, 1 Jan, 4 Jan.
	apiJSON(t, w.office, "POST", base+"/preliminary", map[string]any{}).decode(t, http.StatusCreated, &st)
	if st.Preliminary.AppealDeadline != "2027-01-04" || !st.Preliminary.AppealDeadlineProvisional {
		t.Fatalf("preliminary %+v", st.Preliminary)
	}
	clock.Set(time.Date(2026, 12, 29, 10, 0, 0, 0, apiShanghai))
	type appeal struct {
		ID                   int64  `json:"id"`
		AnswerDue            string `json:"answer_due"`
		AnswerDueProvisional bool   `json:"answer_due_provisional"`
	}
	var ap appeal
	apiJSON(t, w.unitUser, "POST", base+"/units/"+itoa(w.a.ID)+"/appeal", map[string]any{"grounds": "漏计一项市级表彰"}).
		decode(t, http.StatusCreated, &ap)
	if ap.AnswerDue != "2027-01-19" || !ap.AnswerDueProvisional {
		t.Fatalf("appeal %+v", ap)
	}
	office := signedIn(t, w.app, "office1", "office-pass-1")
	unit := signedIn(t, w.app, "unit-a", "unit-pass-1")
	if p := get(t, office, "/console/cycles/"+itoa(cy.ID)+"/results"); !p.has(provisionalTag) || !p.has("2027-01-04") || !p.has("2027-01-19") {
		t.Errorf("results page lacks the provisional deadlines")
	}
	if p := get(t, unit, "/console/cycles/"+itoa(cy.ID)+"/results/"+itoa(w.a.ID)); !p.has(provisionalTag) {
		t.Errorf("the unit's result page lacks the provisional mark")
	}

	days := []map[string]string{{"date": "2027-01-01", "kind": "holiday", "name": "元旦"}} // test data
	apiJSON(t, w.office, "PUT", "/api/v1/workdays/2027", map[string]any{"note": "测试数据", "days": days}).decode(t, http.StatusCreated, nil)
	var r struct {
		Status struct {
			Preliminary publication `json:"preliminary"`
		} `json:"status"`
		Appeals []appeal `json:"appeals"`
	}
	apiDo(t, w.office, "GET", base, "", "").decode(t, http.StatusOK, &r)
	if r.Status.Preliminary.AppealDeadline != "2027-01-05" || r.Status.Preliminary.AppealDeadlineProvisional {
		t.Errorf("preliminary after 2027: %+v", r.Status.Preliminary)
	}
	if len(r.Appeals) != 1 || r.Appeals[0].AnswerDue != "2027-01-20" || r.Appeals[0].AnswerDueProvisional {
		t.Errorf("appeals after 2027: %+v", r.Appeals)
	}
	p := get(t, office, "/console/cycles/"+itoa(cy.ID)+"/results")
	if p.has(provisionalTag) || !p.has("申请复核期限已按2027年工作日历重新计算：原暂定 2027-01-04，现 2027-01-05") ||
		!p.has("复核答复期限已按2027年工作日历重新计算：原暂定 2027-01-19，现 2027-01-20") {
		t.Errorf("results page after 2027 lacks the notes")
	}
	if countAudit(t, w, "deadline.recompute", "cycle") != 1 || countAudit(t, w, "deadline.recompute", "appeal") != 1 {
		t.Errorf("recompute audit entries missing")
	}
}

// TestOverviewCalendarWarning: from 1 October the office's overview warns
// that next year's calendar is missing and links to where it is entered;
// not before, not for units, and not once the year is entered (through the
// console's text form, which also recomputes a provisional case).
func TestOverviewCalendarWarning(t *testing.T) {
	clock := &apiClock{t: time.Date(2026, 9, 30, 18, 0, 0, 0, apiShanghai)}
	w := newAPIWorld(t, apptest.Options{Now: clock.Now})
	office := signedIn(t, w.app, "office1", "office-pass-1")
	unit := signedIn(t, w.app, "unit-a", "unit-pass-1")
	const warning = `id="calendar-warning"`
	if p := get(t, office, "/console"); p.Status != http.StatusOK || p.has(warning) {
		t.Errorf("warning on 30 September: %d", p.Status)
	}
	clock.Set(time.Date(2026, 10, 1, 9, 0, 0, 0, apiShanghai))
	p := get(t, office, "/console")
	if !p.has(warning) || !p.has("2027年工作日历尚未录入") || !p.has(`href="/console/workdays/new?year=2027"`) {
		t.Errorf("no warning on 1 October")
	}
	if get(t, unit, "/console").has(warning) {
		t.Errorf("a unit user sees the office's warning")
	}

	clock.Set(time.Date(2026, 12, 20, 10, 0, 0, 0, apiShanghai))
	c := qrCase(t, w, "13812345678")
	if !c.AnswerDueProvisional {
		t.Fatalf("case %+v", c)
	}
	if p := get(t, office, "/console"); !p.has(warning) || !p.has("暂定期限 1 项") {
		t.Errorf("the warning does not count the provisional deadlines")
	}
	p = post(t, office, "/console/workdays/2027", url.Values{"days": {test2027Text}, "note": {"测试数据"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save 2027: %d %s", p.Status, p.Body)
	}
	if c = getCase(t, w, c.ID); c.AnswerDue != "2027-01-11" || c.AnswerDueProvisional {
		t.Errorf("case after 2027 (text form): %+v", c)
	}
	if p := get(t, office, "/console/workdays/2027"); !p.has(`id="recomputed"`) || !p.has(`href="/console/cases/`+itoa(c.ID)+`"`) {
		t.Errorf("the year's page does not list the recomputed deadline")
	}
	if get(t, office, "/console").has(warning) {
		t.Errorf("warning after 2027 was entered")
	}
}

// TestConsoleWorkdaysHolidayCN: the year form takes a holiday-cn file,
// uploaded or pasted; days of the neighbouring year are left out with a
// note, and an empty notice is refused.
func TestConsoleWorkdaysHolidayCN(t *testing.T) {
	w := newWorkdayWorld(t)
	office := signedIn(t, w.app, "office1", "office-pass-1")
	empty := `{"year": 2027, "papers": [], "days": []}`
	p := postMultipart(t, office, "/console/workdays/2027", map[string]string{"days": "", "note": ""}, "2027.json", []byte(empty))
	if p.Status != http.StatusUnprocessableEntity || !p.has("没有任何日期") {
		t.Errorf("empty upload: %d", p.Status)
	}
	p = postMultipart(t, office, "/console/workdays/2027", map[string]string{"days": "", "note": ""}, "2027.json", []byte(test2027HolidayCN))
	if p.Status != http.StatusOK || !p.has("2026-12-31") || !p.has("未导入") || !p.has("放假 8 天 · 调休上班 1 天") {
		t.Errorf("upload: %d", p.Status)
	}
	// Pasted into the text box, the same file changes nothing.
	p = post(t, office, "/console/workdays/2027", url.Values{"days": {test2027HolidayCN}, "note": {"测试数据，并非真实通知"}})
	if p.Status != http.StatusOK || !p.has("没有变化") {
		t.Errorf("paste: %d", p.Status)
	}
}
