package notify_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
	"minyi/internal/notify"
)

const (
	baseURL       = "https://minyi.example.gov.cn"
	webhookSecret = "0123456789abcdef-hook-secret"
	smsOK         = `{"code":0}`
)

// quickRetry retries a failed send at once, instead of river's back-off.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

// receivers are the real servers a test delivers to.
type receivers struct {
	mailbox             *channelstest.Mailbox
	webhook, sms, wecom *channelstest.Receiver
	senders             map[string]channels.Sender
}

func newReceivers(t *testing.T) *receivers {
	r := &receivers{mailbox: channelstest.StartMailbox(t), webhook: channelstest.NewReceiver(t, 204, ""),
		sms: channelstest.NewReceiver(t, 200, smsOK), wecom: channelstest.NewReceiver(t, 200, `{"errcode":0,"errmsg":"ok"}`)}
	body, err := channels.ParseSMSTemplate("body", `{"to":{{json .Phone}},"text":{{json .Text}}}`)
	if err != nil {
		t.Fatal(err)
	}
	url, _ := channels.ParseSMSTemplate("url", r.sms.URL+"/send")
	r.senders = map[string]channels.Sender{
		channels.Email:   r.mailbox.Sender("绩效办 <minyi@example.gov.cn>"),
		channels.Webhook: &channels.WebhookSender{URL: r.webhook.URL + "/hook", Secret: webhookSecret},
		channels.SMS:     &channels.SMSSender{Method: "POST", URL: url, Body: body, OK: smsOK},
		channels.WeCom:   &channels.WeComSender{URL: r.wecom.URL + "/robot"},
	}
	return r
}

// startWorker runs a delivery worker (an instance) until the test ends.
func (w *world) startWorker(senders map[string]channels.Sender) {
	w.t.Helper()
	w.startWorkerWith(notify.Options{Senders: senders})
}

type delivery struct {
	ID        int64
	Channel   string
	UserID    *int64
	State     string
	Attempts  int
	LastError string
}

func (w *world) deliveries() []delivery {
	w.t.Helper()
	rows, err := w.pool.Query(w.ctx, `SELECT id, channel, user_id, state, attempts, last_error
		FROM notification_deliveries ORDER BY id`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []delivery
	for rows.Next() {
		var d delivery
		if err := rows.Scan(&d.ID, &d.Channel, &d.UserID, &d.State, &d.Attempts, &d.LastError); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// settled waits until n deliveries exist and none is pending, sending or
// failed, and returns them. It gives up (failing the test) after a minute:
// a bound against hanging, not a timing assertion.
func (w *world) settled(n int) []delivery {
	w.t.Helper()
	return w.waitFor(func(ds []delivery) bool {
		if len(ds) != n {
			return false
		}
		for _, d := range ds {
			if d.State != "sent" && d.State != "given_up" {
				return false
			}
		}
		return true
	})
}

func (w *world) waitFor(cond func([]delivery) bool) []delivery {
	w.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ds := w.deliveries()
		if cond(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("deliveries never settled: %+v", ds)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *world) contact(user int64, email, mobile string, channels ...string) {
	w.t.Helper()
	if channels == nil {
		channels = []string{}
	}
	if _, err := w.pool.Exec(w.ctx, `UPDATE users SET email = $2, mobile = $3, notify_channels = $4 WHERE id = $1`,
		user, email, mobile, channels); err != nil {
		w.t.Fatal(err)
	}
}

// enqueueSend adds a send job for a delivery, as river's rescuer would
// run a job again whose instance died mid-send.
func (w *world) enqueueSend(id int64) {
	w.t.Helper()
	client, err := river.NewClient(riverpgxv5.New(w.pool), &river.Config{})
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := client.Insert(w.ctx, notify.SendArgs{DeliveryID: id}, nil); err != nil {
		w.t.Fatal(err)
	}
}

func byChannel(ds []delivery) map[string][]delivery {
	m := map[string][]delivery{}
	for _, d := range ds {
		m[d.Channel] = append(m[d.Channel], d)
	}
	return m
}

// Each reader gets e-mail and SMS as they chose, the webhook every
// notification, the group robot only the office's; every message arrives
// once, with its text, absolute link and signature.
func TestDeliveriesFollowEachAccountsChoice(t *testing.T) {
	w := newWorld(t)
	r := newReceivers(t)
	a := w.unit("甲局")
	mailOnly := w.user("a1", "unit", &a, false)
	w.contact(mailOnly, "a1@example.gov.cn", "13800000001", "email")
	both := w.user("a2", "unit", &a, false)
	w.contact(both, "a2@example.gov.cn", "13800000002", "email", "sms")
	none := w.user("a3", "unit", &a, false)
	w.contact(none, "a3@example.gov.cn", "13800000003")
	noAddress := w.user("a4", "unit", &a, false) // e-mail on by default, but no address
	office := w.user("o1", "office", nil, false)
	w.contact(office, "o1@example.gov.cn", "", "email")
	w.startWorker(r.senders)

	w.send(notice("case.sent:1", notify.ToUnit(a)), time.Now())
	w.send(notice("office:1", notify.ToOffice()), time.Now())
	ds := byChannel(w.settled(7))
	if len(ds["email"]) != 3 || len(ds["sms"]) != 1 || len(ds["webhook"]) != 2 || len(ds["wecom"]) != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	for _, d := range ds["email"] {
		if d.State != "sent" || d.Attempts != 1 || *d.UserID == none || *d.UserID == noAddress {
			t.Errorf("e-mail delivery %+v", d)
		}
	}
	mails := r.mailbox.Mails()
	if len(mails) != 3 {
		t.Fatalf("%d mails, want 3", len(mails))
	}
	for _, m := range mails {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		id := msg.Header.Get("X-Minyi-Delivery")
		if msg.Header.Get("Message-ID") != "<"+channels.MessageID(id, "minyi@example.gov.cn")+">" {
			t.Errorf("Message-ID %q for delivery %q", msg.Header.Get("Message-ID"), id)
		}
	}
	sms := r.sms.Got()
	if len(sms) != 1 || !strings.Contains(sms[0].Body, "13800000002") || !strings.Contains(sms[0].Body, "交办了整改案件") ||
		!strings.Contains(sms[0].Body, baseURL+"/console/cases/1") {
		t.Fatalf("sms %+v", sms)
	}
	hooks := r.webhook.Got()
	if len(hooks) != 2 {
		t.Fatalf("%d webhooks, want 2", len(hooks))
	}
	for _, h := range hooks {
		sig := hmac.New(sha256.New, []byte(webhookSecret))
		sig.Write([]byte(h.Header.Get("X-Minyi-Timestamp") + "." + h.Body))
		var p channels.WebhookPayload
		if err := json.Unmarshal([]byte(h.Body), &p); err != nil {
			t.Fatal(err)
		}
		if h.Header.Get("X-Minyi-Signature") != "sha256="+hex.EncodeToString(sig.Sum(nil)) ||
			h.Header.Get("X-Minyi-Delivery") != p.ID || p.Link != baseURL+"/console/cases/1" {
			t.Errorf("webhook %+v %+v", h.Header, p)
		}
	}
	if got := r.wecom.Got(); len(got) != 1 || !strings.Contains(got[0].Body, "新的整改案件") {
		t.Fatalf("wecom %+v", got)
	}
}

// A receiver that is down gets the message once it is back, exactly once;
// one that stays down past the last attempt is given up with the error.
func TestADownReceiverGetsTheMessageOnceItIsBack(t *testing.T) {
	w := newWorld(t)
	r := newReceivers(t)
	r.webhook.SetDown(true)
	w.startWorker(map[string]channels.Sender{channels.Webhook: r.senders[channels.Webhook]})
	w.send(notice("n1", notify.ToOffice()), time.Now())
	w.waitFor(func(ds []delivery) bool { return len(ds) == 1 && ds[0].Attempts >= 2 && r.webhook.Missed() >= 2 })
	r.webhook.SetDown(false)
	ds := w.settled(1)
	if got := r.webhook.Got(); len(got) != 1 || ds[0].State != "sent" || ds[0].LastError != "" {
		t.Fatalf("after coming back: %d received, delivery %+v", len(got), ds[0])
	}

	r.webhook.SetDown(true)
	w.send(notice("n2", notify.ToOffice()), time.Now())
	ds = w.settled(2)
	if d := ds[1]; d.State != "given_up" || d.Attempts != notify.SendAttempts || !strings.Contains(d.LastError, "503") {
		t.Fatalf("down for good: %+v", d)
	}
}

// Two instances, each with its own river client on the same database,
// deliver every message once.
func TestTwoInstancesDeliverEachMessageOnce(t *testing.T) {
	w := newWorld(t)
	r := newReceivers(t)
	a := w.unit("甲局")
	w.contact(w.user("a1", "unit", &a, false), "a1@example.gov.cn", "", "email")
	senders := map[string]channels.Sender{channels.Email: r.senders[channels.Email], channels.Webhook: r.senders[channels.Webhook]}
	w.startWorker(senders)
	w.startWorker(senders)
	const n = 12
	for i := range n {
		w.send(notice("many:"+string(rune('a'+i)), notify.ToUnit(a)), time.Now())
	}
	w.settled(2 * n)
	seen := map[string]int{}
	for _, h := range r.webhook.Got() {
		seen[h.Header.Get("X-Minyi-Delivery")]++
	}
	if len(seen) != n || len(r.webhook.Got()) != n || len(r.mailbox.Mails()) != n {
		t.Fatalf("webhook ids %v, %d mails; want %d of each, once", seen, len(r.mailbox.Mails()), n)
	}
}

// A delivery found sending (its instance died mid-send) is sent again on
// the webhook, whose receiver drops the repeat by its delivery id, and
// given up on SMS, which has no such key; the office's resend sends it.
func TestAnInterruptedSendIsRepeatedOnlyWhereTheReceiverCanDropIt(t *testing.T) {
	w := newWorld(t)
	r := newReceivers(t)
	a := w.unit("甲局")
	w.contact(w.user("a1", "unit", &a, false), "", "13800000001", "sms")
	office := w.user("o1", "office", nil, false)
	w.startWorker(map[string]channels.Sender{channels.SMS: r.senders[channels.SMS], channels.Webhook: r.senders[channels.Webhook]})
	w.send(notice("n1", notify.ToUnit(a)), time.Now())
	ds := byChannel(w.settled(2))
	if _, err := w.pool.Exec(w.ctx, `UPDATE notification_deliveries SET state = 'sending', sent_at = NULL`); err != nil {
		t.Fatal(err)
	}
	w.enqueueSend(ds["sms"][0].ID)
	w.enqueueSend(ds["webhook"][0].ID)
	after := byChannel(w.settled(2))
	if d := after["webhook"][0]; d.State != "sent" || d.Attempts != 2 {
		t.Errorf("webhook after the crash: %+v", d)
	}
	if hooks := r.webhook.Got(); len(hooks) != 2 || hooks[0].Header.Get("X-Minyi-Delivery") != hooks[1].Header.Get("X-Minyi-Delivery") {
		t.Errorf("webhook repeat without the same delivery id: %+v", hooks)
	}
	if d := after["sms"][0]; d.State != "given_up" || d.LastError != notify.Interrupted || len(r.sms.Got()) != 1 {
		t.Fatalf("sms after the crash: %+v, %d sent", d, len(r.sms.Got()))
	}

	smsID := after["sms"][0].ID
	if err := notify.Resend(w.ctx, w.pool, audit.Actor{ID: office, Name: "o1"}, smsID, time.Now()); err != nil {
		t.Fatal(err)
	}
	final := byChannel(w.waitFor(func(ds []delivery) bool { return byChannel(ds)["sms"][0].State == "sent" }))
	if len(r.sms.Got()) != 2 || final["sms"][0].LastError != "" {
		t.Fatalf("resent: %+v, %d sms", final["sms"], len(r.sms.Got()))
	}
	var audited int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM audit_log WHERE action = 'notification.resend'`).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("audit entries %d (%v)", audited, err)
	}
	if err := notify.Resend(w.ctx, w.pool, audit.Actor{ID: office, Name: "o1"}, smsID, time.Now()); err == nil {
		t.Fatal("resent a delivery that was sent")
	}
}
