package workdaysapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// test2027HolidayCN is TEST DATA, made up for these tests: the State
// Council has not published 2027 yet (today is 2 December 2026), and the
// product never guesses it. Only New Year's Day matters to the deadlines
// tested here: 2027-01-01 (a Friday) off. It is the test list of the
// overview's test (overviewapp) in the holiday-cn shape, with a day of the
// neighbouring year as real notices sometimes carry.
const test2027HolidayCN = `{"year": 2027, "papers": ["测试数据，并非真实通知"], "days": [
	{"name": "元旦", "date": "2026-12-31", "isOffDay": true},
	{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
	{"name": "春节", "date": "2027-02-06", "isOffDay": true}, {"name": "春节", "date": "2027-02-07", "isOffDay": true},
	{"name": "春节", "date": "2027-02-08", "isOffDay": true}, {"name": "春节", "date": "2027-02-09", "isOffDay": true},
	{"name": "春节", "date": "2027-02-10", "isOffDay": true}, {"name": "春节", "date": "2027-02-11", "isOffDay": true},
	{"name": "春节", "date": "2027-02-12", "isOffDay": true},
	{"name": "春节", "date": "2027-02-14", "isOffDay": false}]}`

// apiDeadline is GET /api/v1/workdays/deadline's reply.
type apiDeadline struct {
	Due         string `json:"due"`
	Provisional bool   `json:"provisional"`
}

func deadlineOf(t *testing.T, w *fixtures.APIWorld, start, days string) apiDeadline {
	t.Helper()
	var d apiDeadline
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/workdays/deadline?start="+start+"&days="+days, "", "").Decode(t, http.StatusOK, &d)
	return d
}

func hasNote(c fixtures.CaseDeadlines, body string) bool {
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
	clock := apptest.NewClock(time.Date(2026, 12, 20, 10, 0, 0, 0, apptest.Shanghai)) // a Sunday
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")

	// 15 working days from Sunday 20 December, weekends only in 2027:
	// 21–25, 28–31 Dec (9), 1 Jan (10), 4–8 Jan (15).
	c1 := fixtures.QRCase(t, w, "13812345678")
	if c1.AnswerDue != "2027-01-08" || !c1.AnswerDueProvisional || c1.CallbackDue != "2026-12-21" || c1.CallbackDueProvisional {
		t.Fatalf("case sent 2026-12-20: %+v", c1)
	}
	clock.Set(time.Date(2026, 12, 31, 10, 0, 0, 0, apptest.Shanghai))
	c2 := fixtures.QRCase(t, w, "13987654321")
	if c2.AnswerDue != "2027-01-21" || !c2.AnswerDueProvisional || c2.CallbackDue != "2027-01-01" || !c2.CallbackDueProvisional {
		t.Fatalf("case sent 2026-12-31: %+v", c2)
	}
	if d := deadlineOf(t, w, "2026-12-20", "15"); d.Due != "2027-01-08" || !d.Provisional {
		t.Errorf("deadline before 2027: %+v", d)
	}
	if d := deadlineOf(t, w, "2026-09-28", "15"); d.Due != "2026-10-23" || d.Provisional {
		t.Errorf("deadline within 2026: %+v", d)
	}
	p := apptest.Get(t, office, "/console/cases/"+apptest.Itoa(c1.ID))
	if !p.Has("2027-01-08") || !p.Has(fixtures.ProvisionalTag) {
		t.Errorf("case page lacks the provisional deadline")
	}
	if p := apptest.Get(t, office, "/console/cases"); !p.Has(fixtures.ProvisionalTag) {
		t.Errorf("cases list lacks the provisional mark")
	}
	if p := apptest.Get(t, office, "/console/callbacks"); !p.Has(fixtures.ProvisionalTag) || !p.Has("2027-01-01") {
		t.Errorf("call-backs list lacks the provisional call-back deadline")
	}

	// On Saturday 9 January the first answer is overdue on its provisional
	// deadline; once 2027 is entered it is due on Monday 11 January.
	clock.Set(time.Date(2027, 1, 9, 10, 0, 0, 0, apptest.Shanghai))
	if c := fixtures.GetCase(t, w, c1.ID); !c.AnswerOverdue {
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
	apptest.APIDo(t, w.Office, "PUT", "/api/v1/workdays/2027", "application/json", test2027HolidayCN).Decode(t, http.StatusCreated, &saved)
	if saved.Year != 2027 || saved.Holidays != 8 || len(saved.Recomputed) != 3 {
		t.Fatalf("saved %+v", saved)
	}
	if len(saved.Notes) != 1 || !strings.Contains(saved.Notes[0], "2026-12-31") {
		t.Errorf("the neighbouring year's day is not noted: %v", saved.Notes)
	}

	c1 = fixtures.GetCase(t, w, c1.ID)
	if c1.AnswerDue != "2027-01-11" || c1.AnswerDueProvisional || c1.AnswerOverdue ||
		!hasNote(c1, "答复期限已按2027年工作日历重新计算：原暂定 2027-01-08，现 2027-01-11") {
		t.Errorf("case 1 after 2027: %+v", c1)
	}
	c2 = fixtures.GetCase(t, w, c2.ID)
	if c2.AnswerDue != "2027-01-22" || c2.AnswerDueProvisional || c2.CallbackDue != "2027-01-04" || c2.CallbackDueProvisional ||
		!hasNote(c2, "回访期限已按2027年工作日历重新计算：原暂定 2027-01-01，现 2027-01-04") {
		t.Errorf("case 2 after 2027: %+v", c2)
	}
	if n := fixtures.CountAudit(t, w, "deadline.recompute", "rectification_case"); n != 2 {
		t.Errorf("%d recompute audit entries, want one per case", n)
	}
	p = apptest.Get(t, office, "/console/cases/"+apptest.Itoa(c1.ID))
	if p.Has(fixtures.ProvisionalTag) || !p.Has("原暂定 2027-01-08，现 2027-01-11") {
		t.Errorf("case page after 2027")
	}
	if d := deadlineOf(t, w, "2026-12-20", "15"); d.Due != "2027-01-11" || d.Provisional {
		t.Errorf("deadline after 2027: %+v", d)
	}
	// Saving the same file again changes nothing and recomputes nothing.
	apptest.APIDo(t, w.Office, "PUT", "/api/v1/workdays/2027", "application/json", test2027HolidayCN).Decode(t, http.StatusOK, &saved)
	if len(saved.Recomputed) != 0 || fixtures.CountAudit(t, w, "deadline.recompute", "rectification_case") != 2 {
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
		r := apptest.APIDo(t, w.Office, "PUT", "/api/v1/workdays/2027", "application/json", tc.body)
		apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", tc.field)
		if !strings.Contains(string(r.Body), tc.msg) {
			t.Errorf("refusal of %.40s… lacks %q: %s", tc.body, tc.msg, r.Body)
		}
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", "/api/v1/workdays/2027", nil), http.StatusNotFound, "not_found")
}

// TestConsoleWorkdaysHolidayCN: the year form takes a holiday-cn file,
// uploaded or pasted; days of the neighbouring year are left out with a
// note, and an empty notice is refused.
func TestConsoleWorkdaysHolidayCN(t *testing.T) {
	w := newWorkdayWorld(t)
	office := apptest.SignedIn(t, w.App, "office1", "office-pass-1")
	empty := `{"year": 2027, "papers": [], "days": []}`
	p := apptest.PostMultipart(t, office, "/console/workdays/2027", map[string]string{"days": "", "note": ""}, "2027.json", []byte(empty))
	if p.Status != http.StatusUnprocessableEntity || !p.Has("没有任何日期") {
		t.Errorf("empty upload: %d", p.Status)
	}
	p = apptest.PostMultipart(t, office, "/console/workdays/2027", map[string]string{"days": "", "note": ""}, "2027.json", []byte(test2027HolidayCN))
	if p.Status != http.StatusOK || !p.Has("2026-12-31") || !p.Has("未导入") || !p.Has("放假 8 天 · 调休上班 1 天") {
		t.Errorf("upload: %d", p.Status)
	}
	// Pasted into the text box, the same file changes nothing.
	p = apptest.Post(t, office, "/console/workdays/2027", url.Values{"days": {test2027HolidayCN}, "note": {"测试数据，并非真实通知"}})
	if p.Status != http.StatusOK || !p.Has("没有变化") {
		t.Errorf("paste: %d", p.Status)
	}
}
