package citizensmsapp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/citizensms"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestSurveySMSOncePerRespondentWithTwoInstances invites a survey's
// respondents by SMS with two instances' workers running: each number gets
// its invitation once however often the office presses, and a reminder at
// most once a day, with the closing date in its text.
func TestSurveySMSOncePerRespondentWithTwoInstances(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewSurveyWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	s := w.CreateSurvey(t, map[string]any{"closes_at": "2026-03-31T18:00:00+08:00",
		"groups": []map[string]any{{"key": "npc_deputies"}}})
	phones := []string{"13900000001", "13900000002", "13900000003", "13900000004"}
	for i, p := range phones {
		w.AddRespondent(t, s.ID, map[string]any{"name": fmt.Sprintf("代表%d", i+1), "group": "npc_deputies", "phone": p})
	}
	w.AddRespondent(t, s.ID, map[string]any{"name": "无手机代表", "group": "npc_deputies"})
	w.AddRespondent(t, s.ID, map[string]any{"name": "座机代表", "group": "npc_deputies", "phone": "0791-86123456"})
	base := "/api/v1/surveys/" + apptest.Itoa(s.ID) + "/sms/"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"invite", map[string]any{}), http.StatusConflict, "conflict")
	w.OpenSurvey(t, s.ID)
	startWorker(t, w.App, clock.Now)
	startWorker(t, w.App, clock.Now) // a second instance

	round := func(kind string, sent, skipped int) {
		t.Helper()
		var r citizensms.SurveyResult
		apptest.APIJSON(t, w.Office, "POST", base+kind, map[string]any{}).Decode(t, http.StatusOK, &r)
		if r.Sent != sent || r.Skipped != skipped {
			t.Fatalf("%s: %+v, want %d sent and %d skipped", kind, r, sent, skipped)
		}
	}
	round("invite", 4, 0)
	round("invite", 0, 4) // pressed again: nobody twice
	sent := func(n int) func() bool {
		return func() bool { return len(list(t, w.APIWorld, "?state=sent&limit=100").Items) == n }
	}
	waitFor(t, "the invitations", sent(4))
	got := map[string][]string{}
	for _, m := range g.messages(t) {
		got[m.To] = append(got[m.To], m.Text)
	}
	for _, p := range phones {
		if len(got[p]) != 1 || !strings.HasPrefix(got[p][0], "【某市绩效办】诚邀您参加“2026年度满意度测评”，请点击作答："+w.App.URL+"/s/") {
			t.Fatalf("%s got %q", p, got[p])
		}
	}
	if len(got) != 4 {
		t.Fatalf("numbers reached: %d", len(got))
	}

	round("remind", 4, 0)
	clock.Set(clock.Now().Add(8 * time.Hour)) // 18:00, the same day
	round("remind", 0, 4)
	waitFor(t, "the reminders", sent(8))
	clock.Set(clock.Now().Add(16 * time.Hour)) // the next morning
	round("remind", 4, 0)
	waitFor(t, "the next day's reminders", sent(12))
	got = map[string][]string{}
	for _, m := range g.messages(t) {
		got[m.To] = append(got[m.To], m.Text)
	}
	for _, p := range phones {
		if len(got[p]) != 3 || !strings.Contains(got[p][1], "“2026年度满意度测评”将于3月31日18:00截止，您尚未提交") {
			t.Fatalf("%s got %q", p, got[p])
		}
	}
	if len(g.Got()) != 12 {
		t.Fatalf("the gateway got %d messages, want 12", len(g.Got()))
	}

	// The survey's respondents page offers the actions; the list shows them.
	if p := apptest.Get(t, w.Office, "/console/surveys/"+apptest.Itoa(s.ID)+"?tab=respondents"); !p.Has(`id="sms-invite"`) || !p.Has(`id="sms-remind"`) {
		t.Fatalf("respondents page: %d", p.Status)
	}
	p := apptest.Get(t, w.Office, "/console/citizen-sms?kind=survey_reminder")
	if p.Status != http.StatusOK || !p.Has("139****0001") || !p.Has("问卷作答提醒") || strings.Contains(p.Body, "13900000001") {
		t.Fatalf("list page: %d", p.Status)
	}
}

// TestNoGatewayNoSMS: without an SMS gateway nothing is recorded and the
// pages say SMS is not configured.
func TestNoGatewayNoSMS(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	fixtures.QRCase(t, w, phone)
	if n := w.App.Count(t, `SELECT count(*) FROM citizen_sms`); n != 0 {
		t.Fatalf("%d messages recorded without a gateway", n)
	}
	if p := apptest.Get(t, w.Office, "/console/citizen-sms"); p.Status != http.StatusOK || !p.Has(`id="not-configured"`) {
		t.Fatalf("list page: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, "/console/deliveries"); !p.Has(`href="/console/citizen-sms"`) {
		t.Fatal("no link from the deliveries page")
	}
}

// TestListPagesByKeyset pages the list with next_before, and the office's
// switch turns the call-back notices off.
func TestListPagesByKeyset(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	for i := range 5 {
		fixtures.QRCase(t, w, fmt.Sprintf("1370000000%d", i))
	}
	seen := map[int64]bool{}
	q := "?limit=2"
	for range 3 {
		l := list(t, w, q)
		for _, it := range l.Items {
			seen[it.ID] = true
		}
		if l.NextBefore == 0 {
			break
		}
		q = fmt.Sprintf("?limit=2&before=%d", l.NextBefore)
	}
	if len(seen) != 5 {
		t.Fatalf("pages reached %d messages", len(seen))
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/citizen-sms?state=lost", "", ""), http.StatusUnprocessableEntity, "invalid", "state")
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/citizen-sms-settings", map[string]any{"case_followup": true, "callback_notice": false}).
		Decode(t, http.StatusOK, nil)
	fixtures.QRCase(t, w, "13700000009")
	if n := w.App.Count(t, `SELECT count(*) FROM citizen_sms`); n != 5 {
		t.Fatalf("%d messages after switching the notices off", n)
	}
}
