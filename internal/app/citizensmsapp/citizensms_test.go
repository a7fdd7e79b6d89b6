package citizensmsapp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"minyi/internal/channels/channelstest"
	"minyi/internal/citizensms"
	"minyi/internal/notify"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

const phone = "13812345678"

// gateway is a real HTTP SMS gateway receiver and the environment that
// points the server at it.
type gateway struct {
	*channelstest.Receiver
	env map[string]string
}

func newGateway(t *testing.T) *gateway {
	r := channelstest.NewReceiver(t, 200, `{"code":0}`)
	return &gateway{Receiver: r, env: map[string]string{
		"SMS_GATEWAY_URL": r.URL + "/send", "SMS_GATEWAY_BODY": `{"to":{{json .Phone}},"text":{{json .Text}}}`,
		"SMS_GATEWAY_OK": `"code":0`, "SMS_SIGNATURE": "某市绩效办", "SMS_QUIET_HOURS": "21:00-08:00"}}
}

type sms struct{ To, Text string }

// messages are the SMS the gateway received.
func (g *gateway) messages(t *testing.T) []sms {
	t.Helper()
	var out []sms
	for _, r := range g.Got() {
		var m sms
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatalf("gateway body %q: %v", r.Body, err)
		}
		out = append(out, m)
	}
	return out
}

// waitFor polls cond until it holds (the worker runs on its own).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// startWorker runs an instance's notification worker, with the citizen
// SMS send job on now's clock, until the test ends.
func startWorker(t *testing.T, app *apptest.App, now func() time.Time) *notify.Worker {
	t.Helper()
	return apptest.StartSMSWorker(t, app, now)
}

type listReply struct {
	Items []struct {
		ID        int64  `json:"id"`
		Kind      string `json:"kind"`
		Phone     string `json:"phone"`
		Text      string `json:"text"`
		State     string `json:"state"`
		NotBefore string `json:"not_before"`
	} `json:"items"`
	NextBefore int64 `json:"next_before"`
}

func list(t *testing.T, w *fixtures.APIWorld, query string) listReply {
	t.Helper()
	var r listReply
	apptest.APIDo(t, w.Office, "GET", "/api/v1/citizen-sms"+query, "", "").Decode(t, http.StatusOK, &r)
	return r
}

var linkRE = regexp.MustCompile(`https?://[^\s]+`)

// closeCase moves the case to done_reported (the unit's steps are tested
// in casesapp) and closes it through the API as the office.
func closeCase(t *testing.T, w *fixtures.APIWorld, id int64) {
	t.Helper()
	var version int
	if err := w.App.Pool.QueryRow(context.Background(), `UPDATE rectification_cases SET status = 'done_reported',
		done_at = now(), done_note = '已增设窗口', version = version + 1 WHERE id = $1 RETURNING version`, id).Scan(&version); err != nil {
		t.Fatal(err)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+apptest.Itoa(id)+"/close", map[string]any{"version": version}).
		Decode(t, http.StatusOK, nil)
}

// TestCaseSMSReachTheCitizenAndStopOnOptOut follows a real-name 差评: the
// call-back notice when it becomes a case, the one-time 追评 link when the
// case closes, then the opt-out, after which a new case's SMS is recorded
// as opted out and never sent.
func TestCaseSMSReachTheCitizenAndStopOnOptOut(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	startWorker(t, w.App, clock.Now)

	cs := fixtures.QRCase(t, w, phone)
	waitFor(t, "the call-back notice", func() bool { return len(list(t, w, "?state=sent").Items) == 1 })
	m := g.messages(t)[0]
	if m.To != phone || !strings.HasPrefix(m.Text, "【某市绩效办】您对市政务服务中心的评价已受理，我们将于") ||
		!strings.Contains(m.Text, "前电话回访。退订："+w.App.URL+"/sms/stop/") {
		t.Fatalf("notice = %+v", m)
	}

	// The office rewrote the 追评 text (it must keep the opt-out link):
	// the SMS goes out in its words.
	tpl := "/api/v1/notification-templates/" + citizensms.KindCaseFollowup
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", tpl, map[string]any{"body": "请评价：{链接}"}),
		http.StatusUnprocessableEntity, "invalid", "body")
	apptest.APIJSON(t, w.Office, "PUT", tpl, map[string]any{"body": "您反映的问题已办结，欢迎评价：{链接} 退订：{退订链接}"}).
		Decode(t, http.StatusOK, nil)
	closeCase(t, w, cs.ID)
	waitFor(t, "the 追评 link", func() bool { return len(list(t, w, "?state=sent").Items) == 2 })
	m = g.messages(t)[1]
	links := linkRE.FindAllString(m.Text, -1)
	if m.To != phone || !strings.HasPrefix(m.Text, "【某市绩效办】您反映的问题已办结，欢迎评价：") || len(links) != 2 ||
		!strings.HasPrefix(links[0], w.App.URL+"/f/") || !strings.HasPrefix(links[1], w.App.URL+"/sms/stop/") {
		t.Fatalf("follow-up = %+v", m)
	}
	if p := apptest.Get(t, w.Anon, strings.TrimPrefix(links[0], w.App.URL)); p.Status != http.StatusOK || !p.Has("整改情况追评") {
		t.Fatalf("follow-up link: %d", p.Status)
	}
	// The office sees masked numbers and texts without the links' tokens.
	l := list(t, w, "")
	if len(l.Items) != 2 || l.Items[0].Kind != citizensms.KindCaseFollowup || l.Items[0].Phone != "138****5678" ||
		l.Items[0].State != "sent" || strings.Contains(l.Items[0].Text, "/f/") || !strings.Contains(l.Items[0].Text, "[链接]") {
		t.Fatalf("list = %+v", l)
	}
	raw, _ := json.Marshal(l)
	if strings.Contains(string(raw), phone) {
		t.Fatal("the list shows the full number")
	}

	// The opt-out page asks first; the POST stops; a second POST says the same.
	stop := strings.TrimPrefix(links[1], w.App.URL)
	for i, want := range []string{"确认退订", "已退订", "已退订"} {
		p := apptest.Get(t, w.Anon, stop)
		if i > 0 {
			p = apptest.DoPage(t, w.Anon, "POST", stop, url.Values{})
		}
		if p.Status != http.StatusOK || !p.Has(want) || !p.Has("138****5678") {
			t.Fatalf("stop page %d: %d %s", i, p.Status, p.Body)
		}
	}
	if n := w.App.Count(t, `SELECT count(*) FROM citizen_sms_optouts`); n != 1 {
		t.Fatalf("%d opt-outs", n)
	}

	// A later complaint from the same number: recorded as opted out, never sent.
	clock.Set(clock.Now().AddDate(0, 0, 1))
	fixtures.QRCase(t, w, phone)
	l = list(t, w, "?state=opted_out")
	if len(l.Items) != 1 || l.Items[0].Kind != citizensms.KindCallbackNotice {
		t.Fatalf("opted out = %+v", l)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/citizen-sms/"+apptest.Itoa(l.Items[0].ID)+"/resend",
		map[string]any{}), http.StatusConflict, "conflict")
	if n := w.App.Count(t, `SELECT count(*) FROM river_job WHERE kind = 'citizen_sms_send'`); n != 2 {
		t.Fatalf("%d send jobs, want 2 (none for the opted-out message)", n)
	}
	if len(g.Got()) != 2 {
		t.Fatalf("the gateway got %d messages after the opt-out", len(g.Got()))
	}

	// Only the office sees the messages.
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/citizen-sms", "", ""), http.StatusForbidden, "forbidden")
	if p := apptest.Get(t, w.UnitUser, "/console/citizen-sms"); p.Status != http.StatusForbidden {
		t.Fatalf("unit user's console page: %d", p.Status)
	}
}

// TestQuietHoursHoldTheSMSUntilMorning records a notice at 22:30 Beijing
// time: it is scheduled for 08:00 the next day, a worker whose clock says
// 07:59 holds it back, and once the clock passes 08:00 it is sent once.
func TestQuietHoursHoldTheSMSUntilMorning(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 22, 30, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	fixtures.QRCase(t, w, phone)
	morning := time.Date(2026, 3, 17, 8, 0, 0, 0, apptest.Shanghai)
	var jobID int64
	var scheduled time.Time
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT id, scheduled_at FROM river_job WHERE kind = 'citizen_sms_send'`).
		Scan(&jobID, &scheduled); err != nil {
		t.Fatal(err)
	}
	if !scheduled.Equal(morning) {
		t.Fatalf("scheduled at %v, want %v", scheduled, morning)
	}
	if l := list(t, w, ""); len(l.Items) != 1 || l.Items[0].State != "pending" {
		t.Fatalf("list = %+v", l)
	}

	// The dates are past for river, so it hands the job over at once; the
	// worker's clock decides.
	clock.Set(morning.Add(-time.Minute))
	startWorker(t, w.App, clock.Now)
	waitFor(t, "the job to be snoozed until 08:00", func() bool {
		var snoozed bool
		err := w.App.Pool.QueryRow(context.Background(), `SELECT state = 'scheduled' AND scheduled_at > now()
			FROM river_job WHERE id = $1`, jobID).Scan(&snoozed)
		return err == nil && snoozed
	})
	if len(g.Got()) != 0 {
		t.Fatal("sent inside the quiet hours")
	}
	clock.Set(morning)
	client, err := river.NewClient(riverpgxv5.New(w.App.Pool), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.JobRetry(context.Background(), jobID); err != nil { // run the snoozed job now
		t.Fatal(err)
	}
	waitFor(t, "the morning send", func() bool { return len(list(t, w, "?state=sent").Items) == 1 })
	if len(g.Got()) != 1 {
		t.Fatalf("the gateway got %d messages", len(g.Got()))
	}
}

// TestInterruptedSendIsGivenUpThenResent: a message found sending (an
// instance died mid-send) is given up, not sent a second time; the
// office's resend sends it once.
func TestInterruptedSendIsGivenUpThenResent(t *testing.T) {
	g := newGateway(t)
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: g.env})
	fixtures.QRCase(t, w, phone)
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE citizen_sms SET state = 'sending', attempts = 1`); err != nil {
		t.Fatal(err)
	}
	startWorker(t, w.App, clock.Now)
	waitFor(t, "the interrupted message to be given up", func() bool { return len(list(t, w, "?state=given_up").Items) == 1 })
	if len(g.Got()) != 0 {
		t.Fatal("an interrupted message was sent again")
	}
	id := list(t, w, "").Items[0].ID
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/citizen-sms/"+apptest.Itoa(id)+"/resend", map[string]any{}).Decode(t, http.StatusOK, nil)
	waitFor(t, "the resend", func() bool { return len(list(t, w, "?state=sent").Items) == 1 })
	if len(g.Got()) != 1 {
		t.Fatalf("the gateway got %d messages", len(g.Got()))
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/citizen-sms/"+apptest.Itoa(id)+"/resend", map[string]any{}),
		http.StatusConflict, "conflict")
}
