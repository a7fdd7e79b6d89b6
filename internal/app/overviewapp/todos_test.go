package overviewapp_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type todoItem struct {
	Kind    string  `json:"kind"`
	Title   string  `json:"title"`
	UnitID  *int64  `json:"unit_id"`
	Count   int     `json:"count"`
	Due     *string `json:"due"`
	DueText string  `json:"due_text"`
	Overdue bool    `json:"overdue"`
	Link    string  `json:"link"`
}

func todosOf(t *testing.T, c *apptest.Client) []todoItem {
	t.Helper()
	var r struct {
		Items []todoItem `json:"items"`
	}
	apptest.APIDo(t, c, "GET", "/api/v1/todos", "", "").Decode(t, http.StatusOK, &r)
	if r.Items == nil {
		t.Fatal("items missing: want a list, even empty")
	}
	return r.Items
}

func findTodo(list []todoItem, kind string) *todoItem {
	for i := range list {
		if list[i].Kind == kind {
			return &list[i]
		}
	}
	return nil
}

// TestTodosFollowACaseThroughItsDeadlines: a real-name 差评 made a case.
// The unit's list holds the answer with its deadline; once the deadline
// has passed it is overdue and first, the office's list names the unit's
// overdue cases and the call-back due; after the answer the unit's item
// becomes reporting the fix. A fresh 差评 is the office's review backlog;
// the missing calendar is asked for; a leader has nothing to do.
func TestTodosFollowACaseThroughItsDeadlines(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 6, 10, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	cs := fixtures.QRCase(t, w, "13800001111")

	unit := todosOf(t, w.UnitUser)
	it := findTodo(unit, "case_answer")
	if it == nil || it.Due == nil || *it.Due != cs.AnswerDue || it.Overdue || it.Link != "/console/cases/"+apptest.Itoa(cs.ID) {
		t.Fatalf("unit's answer to-do: %+v (case due %s) in %+v", it, cs.AnswerDue, unit)
	}
	if !strings.HasPrefix(it.DueText, "还剩 ") {
		t.Errorf("due text %q", it.DueText)
	}
	office := todosOf(t, w.Office)
	if it := findTodo(office, "calendar_missing"); it != nil {
		t.Errorf("2026's calendar is built in, yet asked for: %+v", it)
	}
	if it := findTodo(office, "review_backlog"); it != nil {
		t.Errorf("backlog with every item decided: %+v", it)
	}
	if findTodo(office, "case_answer") != nil {
		t.Error("the office is given the unit's answer")
	}

	// A 差评 nobody has looked at yet is the office's backlog.
	if st := fixtures.PostQR(t, w.App, w.A.QR.Code, "phone-2", url.Values{"level": {"1"}, "reasons": {"等候时间长"}}); st != http.StatusSeeOther {
		t.Fatalf("rating: %d", st)
	}
	office = todosOf(t, w.Office)
	if it := findTodo(office, "review_backlog"); it == nil || it.Count != 1 || it.Link != "/console/feedback" {
		t.Errorf("backlog: %+v", it)
	}

	// Forty days on, the answer is overdue.
	clock.Set(time.Date(2026, 7, 20, 10, 0, 0, 0, apptest.Shanghai))
	unit = todosOf(t, w.UnitUser)
	if len(unit) == 0 || unit[0].Kind != "case_answer" || !unit[0].Overdue || !strings.HasPrefix(unit[0].DueText, "已逾期 ") {
		t.Fatalf("overdue answer first: %+v", unit)
	}
	office = todosOf(t, w.Office)
	od := findTodo(office, "overdue_cases")
	if od == nil || od.UnitID == nil || *od.UnitID != w.A.ID || od.Count != 1 || !od.Overdue ||
		od.Link != "/console/cases?overdue=any&unit_id="+apptest.Itoa(w.A.ID) {
		t.Errorf("office's overdue cases: %+v", od)
	}
	if cb := findTodo(office, "callbacks_due"); cb == nil || cb.Count != 1 || !cb.Overdue {
		t.Errorf("call-back due: %+v", cb)
	}
	for i := 1; i < len(office); i++ {
		if office[i].Overdue && !office[i-1].Overdue {
			t.Errorf("overdue item %d after one not overdue: %+v", i, office)
		}
	}

	// Answered: the unit now owes the report that the fix is done.
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+apptest.Itoa(cs.ID)+"/answer", map[string]any{"version": 1,
		"explanation": "高峰时段窗口不足", "responsible": "王主任", "measures": "增开窗口", "outcome": "等候缩短",
		"fix_due": "2026-09-30"}).Decode(t, http.StatusOK, nil)
	unit = todosOf(t, w.UnitUser)
	if findTodo(unit, "case_answer") != nil {
		t.Errorf("answered case still to answer: %+v", unit)
	}
	if it := findTodo(unit, "case_fix"); it == nil || it.Due == nil || *it.Due != "2026-09-30" || it.Overdue {
		t.Errorf("fix to-do: %+v", it)
	}
	if findTodo(todosOf(t, w.Office), "overdue_cases") != nil {
		t.Error("an answered case is still overdue for the office")
	}

	// From October the next year's calendar is asked for, by the year's end.
	clock.Set(time.Date(2026, 10, 9, 10, 0, 0, 0, apptest.Shanghai))
	if it := findTodo(todosOf(t, w.Office), "calendar_missing"); it == nil || !strings.Contains(it.Title, "2027年工作日历") ||
		it.Link != "/console/workdays/new?year=2027" || it.Due == nil || *it.Due != "2026-12-31" {
		t.Errorf("office's calendar to-do: %+v", it)
	}

	w.App.AddUser(t, "leader1", "leader-pass-1", "leader", nil)
	leader := w.App.Client()
	leader.SignIn(t, "leader1", "leader-pass-1")
	if list := todosOf(t, leader); len(list) != 0 {
		t.Errorf("leader's to-dos: %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "GET", "/api/v1/todos", "", ""), http.StatusUnauthorized, "unauthorized")
}

// TestHomePageStartsWithTheTodos: the unit's home page lists its case
// with the deadline and links to it; the office's shows the review
// backlog card; the whole list has its own page.
func TestHomePageStartsWithTheTodos(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 6, 10, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now})
	cs := fixtures.QRCase(t, w, "13800001111")
	fixtures.PostQR(t, w.App, w.A.QR.Code, "phone-2", url.Values{"level": {"2"}, "reasons": {"等候时间长"}})

	body := page(t, w.UnitUser, "/console")
	for _, want := range []string{`id="todos"`, "答复整改案件", `href="/console/cases/` + apptest.Itoa(cs.ID) + `"`, "还剩 ", cs.AnswerDue + "前"} {
		if !strings.Contains(body, want) {
			t.Errorf("unit's home page lacks %q", want)
		}
	}
	if strings.Contains(body, "未经限流校验") {
		t.Error("the old wording is back")
	}
	body = page(t, w.Office, "/console")
	for _, want := range []string{`id="review-backlog"`, "民意核查待处理", "民意核查待处理 1 条"} {
		if !strings.Contains(body, want) {
			t.Errorf("office's home page lacks %q", want)
		}
	}
	body = page(t, w.UnitUser, "/console/todos")
	if !strings.Contains(body, "待办事项") || !strings.Contains(body, "答复整改案件") {
		t.Errorf("to-do page: %s", body)
	}
}

// page fetches a console page as text (entities unescaped), wanting 200.
func page(t *testing.T, c *apptest.Client, path string) string {
	t.Helper()
	p := apptest.Get(t, c, path)
	if p.Status != http.StatusOK {
		t.Fatalf("%s: status %d", path, p.Status)
	}
	return html.UnescapeString(p.Body)
}
