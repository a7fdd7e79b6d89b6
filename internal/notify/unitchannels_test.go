package notify_test

import (
	"bytes"
	"context"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
	"minyi/internal/db"
	"minyi/internal/notify"
	"minyi/internal/secure"
)

const robotOK = `{"errcode":0,"errmsg":"ok"}`

func testKeys(t *testing.T) *secure.Keys {
	t.Helper()
	k, err := secure.NewKeys("test-secret-key-0123456789abcdef-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func hostsOf(t *testing.T, rs ...*channelstest.Receiver) channels.RobotHosts {
	t.Helper()
	var list []string
	for _, r := range rs {
		list = append(list, r.URL)
	}
	h, err := channels.ParseRobotHosts(strings.Join(list, ","))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (w *world) saveUnitChannels(keys *secure.Keys, hosts channels.RobotHosts, unit int64, in notify.UnitChannelsInput) (notify.UnitChannels, error) {
	w.t.Helper()
	var out notify.UnitChannels
	err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		out, err = notify.SaveUnitChannels(w.ctx, tx, keys, hosts, audit.Actor{Name: "test"}, unit, in, time.Now())
		return err
	})
	return out, err
}

func yes() *bool           { v := true; return &v }
func str(s string) *string { return &s }
func channelCounts(ds []delivery) map[string]int {
	m := map[string]int{}
	for _, d := range ds {
		m[d.Channel]++
	}
	return m
}

// A notification addressed to unit A reaches A's own 企业微信 and 钉钉
// robots (the 钉钉 post signed with A's secret) and A's duty mailbox, and
// nothing of unit B's; B's own notification goes to B's robot, which
// refuses it, and the office's list names B with the robot's address
// masked.
func TestAUnitsOwnChannelsReceiveItsNotifications(t *testing.T) {
	w := newWorld(t)
	keys := testKeys(t)
	mailbox := channelstest.StartMailbox(t)
	wecomA := channelstest.NewReceiver(t, 200, robotOK)
	dingA := channelstest.NewReceiver(t, 200, robotOK)
	wecomB := channelstest.NewReceiver(t, 200, `{"errcode":93000,"errmsg":"invalid webhook url"}`)
	hosts := hostsOf(t, wecomA, dingA, wecomB)
	a, b := w.unit("甲局"), w.unit("乙局")
	w.contact(w.user("a1", "unit", &a, false), "", "") // an account with no channel of its own
	const secret = "SEC0123456789abcdef-unit-a"
	if _, err := w.saveUnitChannels(keys, hosts, a, notify.UnitChannelsInput{
		WeComOn: yes(), WeComURL: str(wecomA.URL + "/cgi-bin/webhook/send?key=unit-a-key-0123456789"),
		DingTalkOn: yes(), DingTalkURL: str(dingA.URL + "/robot/send?access_token=unit-a-token-0123456789"),
		DingTalkSecret: str(secret), EmailOn: yes(), DutyEmail: str("zhiban-a@example.gov.cn"),
		DutyMobile: str("13900000001"), // saved but switched off
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.saveUnitChannels(keys, hosts, b, notify.UnitChannelsInput{
		WeComOn: yes(), WeComURL: str(wecomB.URL + "/cgi-bin/webhook/send?key=unit-b-key-0123456789"),
		EmailOn: yes(), DutyEmail: str("zhiban-b@example.gov.cn"),
	}); err != nil {
		t.Fatal(err)
	}
	w.startWorkerWith(notify.Options{Senders: map[string]channels.Sender{
		channels.Email: mailbox.Sender("绩效办 <minyi@example.gov.cn>"),
		channels.SMS:   &channels.SMSSender{}, // configured, yet A's duty mobile is off
	}, Keys: keys, RobotHosts: hosts})

	n := notice("case.sent:1", notify.ToUnit(a))
	w.send(n, time.Now())
	ds := w.settled(3)
	if got := channelCounts(ds); got["wecom"] != 1 || got["dingtalk"] != 1 || got["email"] != 1 {
		t.Fatalf("deliveries %+v", ds)
	}
	for _, d := range ds {
		if d.State != "sent" || d.UserID != nil {
			t.Errorf("delivery %+v", d)
		}
	}
	if n := w.count(`SELECT count(*) FROM notification_deliveries WHERE unit_id = $1`, a); n != 3 {
		t.Errorf("%d deliveries keyed to unit A, want 3", n)
	}
	if got := wecomA.Got(); len(got) != 1 || !strings.Contains(got[0].Body, "交办了整改案件") ||
		!strings.Contains(got[0].Body, baseURL+"/console/cases/1") || !strings.Contains(got[0].Query, "unit-a-key") {
		t.Fatalf("unit A's 企业微信 robot got %+v", got)
	}
	got := dingA.Got()
	if len(got) != 1 || !strings.Contains(got[0].Body, "交办了整改案件") {
		t.Fatalf("unit A's 钉钉 robot got %+v", got)
	}
	q, _ := url.ParseQuery(got[0].Query)
	if q.Get("access_token") != "unit-a-token-0123456789" || q.Get("timestamp") == "" ||
		q.Get("sign") != channels.DingTalkSign(secret, q.Get("timestamp")) {
		t.Errorf("钉钉 signature: query %q", got[0].Query)
	}
	mails := mailbox.Mails()
	if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "zhiban-a@example.gov.cn" {
		t.Fatalf("mails %+v", mails)
	}
	if msg, err := mail.ReadMessage(bytes.NewReader(mails[0].Data)); err != nil || msg.Header.Get("X-Minyi-Delivery") == "" {
		t.Errorf("duty mail: %v", err)
	}
	if len(wecomB.Got()) != 0 {
		t.Fatalf("unit B's robot got unit A's notification: %+v", wecomB.Got())
	}

	// B's own notification: its robot refuses it for good; its duty mail arrives.
	w.send(notice("case.sent:2", notify.ToUnit(b)), time.Now())
	w.settled(5)
	if n := w.count(`SELECT count(*) FROM notification_deliveries WHERE unit_id = $1`, b); n != 2 {
		t.Errorf("%d deliveries keyed to unit B, want 2", n)
	}
	if len(wecomB.Got()) != 1 || len(mailbox.Mails()) != 2 || mailbox.Mails()[1].To[0] != "zhiban-b@example.gov.cn" {
		t.Fatalf("unit B: robot %d, mails %+v", len(wecomB.Got()), mailbox.Mails())
	}
	if len(wecomA.Got()) != 1 || len(dingA.Got()) != 1 {
		t.Fatal("unit A's robots got unit B's notification")
	}
	items, total, err := notify.Failures(w.ctx, w.pool, 10, 0)
	if err != nil || total != 1 {
		t.Fatalf("failures %+v %d %v", items, total, err)
	}
	f := items[0]
	if f.Recipient != "乙局" || f.Channel != "wecom" || f.State != "given_up" || strings.Contains(f.Address, "unit-b-key") ||
		!strings.Contains(f.Address, "****6789") || !strings.Contains(f.Reason, "机器人地址无效") {
		t.Fatalf("failure as listed: %+v", f)
	}
}

// A robot address outside the allowed hosts is refused when saved, and a
// stored one whose host is no longer allowed is given up at send time,
// the receiver never called.
func TestARobotOutsideTheAllowedHostsIsRefused(t *testing.T) {
	w := newWorld(t)
	keys := testKeys(t)
	a := w.unit("甲局")
	var defaults channels.RobotHosts
	for _, bad := range []string{"https://evil.example.com/robot/send?access_token=x", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
		"https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=x", "https://user:pw@qyapi.weixin.qq.com/x", "not a url"} {
		_, err := w.saveUnitChannels(keys, defaults, a, notify.UnitChannelsInput{WeComOn: yes(), WeComURL: str(bad)})
		if e := apperr.From(err); !apperr.Is(err, apperr.Invalid) || e.Fields["wecom_url"] == "" {
			t.Errorf("%q: %v", bad, err)
		}
	}
	ok, err := w.saveUnitChannels(keys, defaults, a, notify.UnitChannelsInput{WeComOn: yes(),
		WeComURL: str("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693axxx6-7aoc-4bc4-97a0-0ec2sifa5aaa")})
	if err != nil || ok.WeComURL != "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=****5aaa" {
		t.Fatalf("the public 企业微信 host: %+v %v", ok, err)
	}

	robot := channelstest.NewReceiver(t, 200, robotOK)
	if _, err := w.pool.Exec(w.ctx, `UPDATE unit_notify_channels SET wecom_url = $2 WHERE unit_id = $1`,
		a, robot.URL+"/hook"); err != nil {
		t.Fatal(err)
	}
	w.startWorkerWith(notify.Options{Keys: keys}) // the default hosts only
	w.send(notice("n1", notify.ToUnit(a)), time.Now())
	ds := w.settled(1)
	if ds[0].State != "given_up" || ds[0].LastError != channels.ErrRobotHost.Error() || len(robot.Got()) != 0 {
		t.Fatalf("delivery %+v, robot got %d", ds[0], len(robot.Got()))
	}
}

// The settings are audited with masked addresses and never the secret,
// which is stored sealed; saving the same values again records nothing.
func TestUnitChannelChangesAreAuditedWithoutTheSecret(t *testing.T) {
	w := newWorld(t)
	keys := testKeys(t)
	a := w.unit("甲局")
	in := notify.UnitChannelsInput{DingTalkOn: yes(),
		DingTalkURL:    str("https://oapi.dingtalk.com/robot/send?access_token=abcdef0123456789abcdef"),
		DingTalkSecret: str("SECsupersecret0123456789"), SMSOn: yes(), DutyMobile: str("13912345678")}
	out, err := w.saveUnitChannels(keys, channels.RobotHosts{}, a, in)
	if err != nil || !out.DingTalkSecretSet || !strings.Contains(out.DingTalkURL, "****cdef") {
		t.Fatalf("saved %+v %v", out, err)
	}
	if _, err := w.saveUnitChannels(keys, channels.RobotHosts{}, a, in); err != nil {
		t.Fatal(err)
	}
	var before, after string
	if err := w.pool.QueryRow(w.ctx, `SELECT before::text, after::text FROM audit_log WHERE action = 'unit.notify_channels'`).
		Scan(&before, &after); err != nil {
		t.Fatalf("one audit entry: %v", err)
	}
	for _, leak := range []string{"supersecret", "abcdef0123456789", "13912345678"} {
		if strings.Contains(after, leak) {
			t.Errorf("audit shows %q: %s", leak, after)
		}
	}
	if !strings.Contains(after, `"dingtalk_secret": "changed"`) || !strings.Contains(after, "139****5678") {
		t.Errorf("audit after: %s", after)
	}
	var sealed []byte
	if err := w.pool.QueryRow(w.ctx, `SELECT dingtalk_secret FROM unit_notify_channels WHERE unit_id = $1`, a).Scan(&sealed); err != nil ||
		bytes.Contains(sealed, []byte("supersecret")) {
		t.Fatalf("stored secret %q %v", sealed, err)
	}
	// Removing the address removes the secret with it.
	out, err = w.saveUnitChannels(keys, channels.RobotHosts{}, a, notify.UnitChannelsInput{DingTalkOn: new(bool), DingTalkURL: str("")})
	if err != nil || out.DingTalkSecretSet || out.DingTalkURL != "" {
		t.Fatalf("after removing: %+v %v", out, err)
	}
}

func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// startWorkerWith runs a delivery worker with o (quick retries) until the
// test ends.
func (w *world) startWorkerWith(o notify.Options) {
	w.t.Helper()
	o.BaseURL, o.RetryPolicy, o.PollInterval, o.Workers = baseURL, quickRetry{}, 100*time.Millisecond, 3
	worker, err := notify.NewWorker(w.pool, o)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := worker.Start(w.ctx); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = worker.Stop(ctx)
	})
}
