package notifyapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type noticeItem struct {
	ID     int64      `json:"id"`
	Kind   string     `json:"kind"`
	Title  string     `json:"title"`
	Body   string     `json:"body"`
	Link   string     `json:"link"`
	ReadAt *time.Time `json:"read_at"`
}

type noticePage struct {
	Items  []noticeItem `json:"items"`
	Total  int          `json:"total"`
	Unread int          `json:"unread"`
}

type world struct {
	*fixtures.APIWorld
	unitA2, unitB, leader *apptest.Client
	caseID                string
	answerDue             string
}

func inbox(t *testing.T, c *apptest.Client, query string) noticePage {
	t.Helper()
	var p noticePage
	apptest.APIDo(t, c, "GET", "/api/v1/notifications"+query, "", "").Decode(t, http.StatusOK, &p)
	return p
}

// newWorld has units A (two accounts) and B (one), a leader, and one 差评
// of A that the office makes a case through the API: 交办 to A.
func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{})}
	w.App.AddUser(t, "unit-a2", "unit-pass-2", "unit", &w.A.ID)
	w.App.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.B.ID)
	w.App.AddUser(t, "leader1", "leader-pass-1", "leader", nil)
	w.unitA2, w.unitB, w.leader = w.App.Client(), w.App.Client(), w.App.Client()
	w.unitA2.SignIn(t, "unit-a2", "unit-pass-2")
	w.unitB.SignIn(t, "unit-b", "unit-pass-b")
	w.leader.SignIn(t, "leader1", "leader-pass-1")
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "A评价器"})
	apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": []map[string]any{
		{"id": "a1", "level": 1, "comment": "窗口人员态度生硬"}}}, "Authorization", "Bearer "+token).Decode(t, http.StatusOK, nil)
	_, _, list := fixtures.Feed(t, w.Office, "/api/v1/ratings?limit=5")
	var cs struct {
		ID        int64  `json:"id"`
		AnswerDue string `json:"answer_due"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/feedback/valid", map[string]any{
		"items": []map[string]any{{"kind": "rating", "id": list[0].ID, "version": 0}}, "problem": "窗口人员态度生硬，市民留电话13812345678"}).
		Decode(t, http.StatusCreated, &cs)
	w.caseID, w.answerDue = apptest.Itoa(cs.ID), cs.AnswerDue
	return w
}

// answerAndReturn has unit A answer the case and the office send it back.
func (w *world) answerAndReturn(t *testing.T) {
	t.Helper()
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+w.caseID+"/answer", map[string]any{"version": 1,
		"explanation": "培训不足", "responsible": "王主任", "measures": "开展服务礼仪培训", "outcome": "服务规范",
		"fix_due": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+w.caseID+"/return", map[string]any{"version": 2,
		"reason": "整改措施不具体"}).Decode(t, http.StatusOK, nil)
}

func chineseDate(t *testing.T, iso string) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("2006年1月2日")
}

// A case sent to a unit notifies every account of that unit, and nobody
// else, with the case's title, its answer deadline and its link.
func TestCaseSentNotifiesEveryAccountOfTheUnit(t *testing.T) {
	w := newWorld(t)
	for _, c := range []*apptest.Client{w.UnitUser, w.unitA2} {
		p := inbox(t, c, "")
		if p.Total != 1 || p.Unread != 1 || len(p.Items) != 1 {
			t.Fatalf("unit A account: %+v", p)
		}
		it := p.Items[0]
		if it.Kind != "case.sent" || !strings.Contains(it.Title, "窗口人员态度生硬") || it.Link != "/console/cases/"+w.caseID {
			t.Errorf("notification: %+v", it)
		}
		if !strings.Contains(it.Body, "15个工作日内") || !strings.Contains(it.Body, chineseDate(t, w.answerDue)) {
			t.Errorf("body %q lacks the deadline %s in working days", it.Body, w.answerDue)
		}
		if strings.Contains(it.Title+it.Body, "13812345678") {
			t.Errorf("the citizen's number is in the notification: %+v", it)
		}
	}
	for name, c := range map[string]*apptest.Client{"unit B": w.unitB, "office": w.Office, "leader": w.leader} {
		if p := inbox(t, c, ""); p.Total != 0 || p.Unread != 0 {
			t.Errorf("%s sees %+v", name, p)
		}
	}
}

// Sending a case back notifies the unit again, with the reason; the office
// doing it hears nothing.
func TestCaseReturnedNotifiesTheUnit(t *testing.T) {
	w := newWorld(t)
	w.answerAndReturn(t)
	p := inbox(t, w.unitA2, "")
	if p.Total != 2 || p.Unread != 2 {
		t.Fatalf("unit A after the return: %+v", p)
	}
	it := p.Items[0]
	if it.Kind != "case.returned" || !strings.Contains(it.Title, "退回") || !strings.Contains(it.Body, "整改措施不具体") ||
		it.Link != "/console/cases/"+w.caseID {
		t.Errorf("newest notification: %+v", it)
	}
	if p := inbox(t, w.Office, ""); p.Total != 0 {
		t.Errorf("office sees %+v", p)
	}
	if p := inbox(t, w.unitB, ""); p.Total != 0 {
		t.Errorf("unit B sees %+v", p)
	}
}

func TestAPIMarksReadOnlyOwnNotifications(t *testing.T) {
	w := newWorld(t)
	id := inbox(t, w.UnitUser, "").Items[0].ID

	// Unit B cannot mark A's notification; nothing changes for A.
	var r struct{ Marked, Unread int }
	apptest.APIJSON(t, w.unitB, "POST", "/api/v1/notifications/read", map[string]any{"ids": []int64{id}}).Decode(t, http.StatusOK, &r)
	if r.Marked != 0 {
		t.Errorf("unit B marked %d", r.Marked)
	}
	apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/notifications/read", map[string]any{"ids": []int64{id}}).Decode(t, http.StatusOK, &r)
	if r.Marked != 1 || r.Unread != 0 {
		t.Errorf("mark own: %+v", r)
	}
	if p := inbox(t, w.UnitUser, ""); p.Unread != 0 || p.Items[0].ReadAt == nil {
		t.Errorf("after reading: %+v", p)
	}
	if p := inbox(t, w.unitA2, ""); p.Unread != 1 {
		t.Errorf("the other account of A: %+v", p)
	}
	apptest.APIJSON(t, w.unitA2, "POST", "/api/v1/notifications/read", map[string]any{"all": true}).Decode(t, http.StatusOK, &r)
	if r.Marked != 1 || r.Unread != 0 {
		t.Errorf("mark all: %+v", r)
	}
	// A leader, read-only elsewhere, may mark its own notifications read.
	apptest.APIJSON(t, w.leader, "POST", "/api/v1/notifications/read", map[string]any{"all": true}).Decode(t, http.StatusOK, &r)

	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/notifications/read", map[string]any{}), http.StatusUnprocessableEntity, "invalid", "ids")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/notifications/read",
		map[string]any{"all": true, "ids": []int64{id}}), http.StatusUnprocessableEntity, "invalid", "ids")
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/notifications?limit=101", "", ""), http.StatusUnprocessableEntity, "invalid", "limit")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "GET", "/api/v1/notifications", "", ""), http.StatusUnauthorized, "unauthorized")
}

func TestAPIPagesNewestFirst(t *testing.T) {
	w := newWorld(t)
	w.answerAndReturn(t)
	first, second := inbox(t, w.UnitUser, "?limit=1"), inbox(t, w.UnitUser, "?limit=1&offset=1")
	if first.Total != 2 || len(first.Items) != 1 || len(second.Items) != 1 ||
		first.Items[0].Kind != "case.returned" || second.Items[0].Kind != "case.sent" {
		t.Fatalf("pages: %+v then %+v", first, second)
	}
}

// The console: the bell counts unread notifications on every page, the
// list shows them, opening one marks it read and follows its link, and
// 全部标为已读 clears the rest.
func TestConsoleBellListOpenAndReadAll(t *testing.T) {
	w := newWorld(t)
	unit := apptest.SignedIn(t, w.App, "unit-a2", "unit-pass-2")
	w.answerAndReturn(t)

	for _, path := range []string{"/console", "/console/cases", "/console/cases/" + w.caseID} {
		if p := apptest.Get(t, unit, path); !p.Has(`id="bell-count" aria-hidden="true">2</span>`) || !p.Has("通知，2条未读") {
			t.Errorf("%s: no bell with 2 unread", path)
		}
	}
	if p := apptest.Get(t, apptest.SignedIn(t, w.App, "unit-b", "unit-pass-b"), "/console"); p.Has(`id="bell-count"`) || !p.Has(`id="bell"`) {
		t.Errorf("unit B's bell: count shown or bell missing")
	}
	list := apptest.Get(t, unit, "/console/notifications")
	if list.Status != http.StatusOK || !apptest.HasText(list, "整改案件被退回") || !apptest.HasText(list, "新的整改案件") ||
		strings.Count(list.Body, `class="notice unread"`) != 2 {
		t.Fatalf("list page: %d\n%s", list.Status, list.Body)
	}
	if strings.Index(list.Body, "整改案件被退回") > strings.Index(list.Body, "新的整改案件") {
		t.Error("list not newest first")
	}
	id := apptest.Itoa(inbox(t, w.unitA2, "").Items[0].ID)
	if p := apptest.Get(t, apptest.SignedIn(t, w.App, "unit-b", "unit-pass-b"), "/console/notifications/"+id); p.Status != http.StatusNotFound {
		t.Errorf("unit B opening A's notification: %d", p.Status)
	}
	if p := apptest.Get(t, unit, "/console/notifications/"+id); p.Status != http.StatusSeeOther || p.Location != "/console/cases/"+w.caseID {
		t.Fatalf("open: %d %q", p.Status, p.Location)
	}
	if p := apptest.Get(t, unit, "/console"); !p.Has(`id="bell-count" aria-hidden="true">1</span>`) {
		t.Error("bell not down to 1 after opening one")
	}
	token := apptest.CSRF(t, unit, "/console/notifications")
	if p := apptest.Post(t, unit, "/console/notifications/read", url.Values{"_csrf": {token}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("read without all=1: %d", p.Status)
	}
	if p := apptest.Post(t, unit, "/console/notifications/read", url.Values{"_csrf": {token}, "all": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("read all: %d", p.Status)
	}
	after := apptest.Get(t, unit, "/console/notifications?msg=notifications_read")
	if after.Has(`id="bell-count"`) || strings.Contains(after.Body, `class="notice unread"`) || !apptest.HasText(after, "已全部标为已读") {
		t.Errorf("after read all:\n%s", after.Body)
	}
	// The other account of A still has its own two unread.
	if p := inbox(t, w.UnitUser, ""); p.Unread != 2 {
		t.Errorf("unit-a unread = %d, want 2", p.Unread)
	}
}
