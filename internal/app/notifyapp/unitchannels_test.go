package notifyapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/browsertest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/testutil/browser"
)

const robotOK = `{"errcode":0,"errmsg":"ok"}`

// channelWorld is a server whose allowed robot hosts include two local
// receivers (NOTIFY_ROBOT_HOSTS, as a private deployment lists its own)
// and whose e-mail goes to a real SMTP mailbox; units A and B each have
// an account, and there is a leader.
type channelWorld struct {
	*fixtures.APIWorld
	wecom, ding    *channelstest.Receiver
	mailbox        *channelstest.Mailbox
	unitB, leader  *apptest.Client
	pathA, pathB   string
	robotA, robotB string
}

func newChannelWorld(t *testing.T) *channelWorld {
	t.Helper()
	w := &channelWorld{wecom: channelstest.NewReceiver(t, 200, robotOK), ding: channelstest.NewReceiver(t, 200, robotOK),
		mailbox: channelstest.StartMailbox(t)}
	w.APIWorld = fixtures.NewAPIWorld(t, apptest.Options{Env: map[string]string{"NOTIFY_ROBOT_HOSTS": w.wecom.URL + "," + w.ding.URL},
		Senders: map[string]channels.Sender{channels.Email: w.mailbox.Sender("绩效办 <minyi@example.gov.cn>")}})
	w.App.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.B.ID)
	w.App.AddUser(t, "leader1", "leader-pass-1", "leader", nil)
	w.unitB, w.leader = w.App.Client(), w.App.Client()
	w.unitB.SignIn(t, "unit-b", "unit-pass-b")
	w.leader.SignIn(t, "leader1", "leader-pass-1")
	w.pathA = "/api/v1/units/" + apptest.Itoa(w.A.ID) + "/notify-channels"
	w.pathB = "/api/v1/units/" + apptest.Itoa(w.B.ID) + "/notify-channels"
	w.robotA = w.wecom.URL + "/cgi-bin/webhook/send?key=unit-a-key-0123456789"
	w.robotB = w.wecom.URL + "/cgi-bin/webhook/send?key=unit-b-key-0123456789"
	return w
}

type channelsReply struct {
	UnitID            int64  `json:"unit_id"`
	WeComEnabled      bool   `json:"wecom_enabled"`
	WeComURL          string `json:"wecom_url"`
	DingTalkSecretSet bool   `json:"dingtalk_secret_set"`
	EmailEnabled      bool   `json:"email_enabled"`
	DutyEmail         string `json:"duty_email"`
}

type probeReply struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Detail  string `json:"detail"`
}

// A unit account sets its own unit's channels and tests them; it cannot
// read or change another unit's, nor can a leader; the office can set
// any unit's.
func TestUnitSetsItsOwnChannelsOnly(t *testing.T) {
	w := newChannelWorld(t)
	body := map[string]any{"wecom_enabled": true, "wecom_url": w.robotA, "email_enabled": true, "duty_email": "zhiban-a@example.gov.cn"}
	for name, c := range map[string]*apptest.Client{"unit B": w.unitB, "leader": w.leader} {
		apptest.WantAPIError(t, apptest.APIJSON(t, c, "PUT", w.pathA, body), http.StatusForbidden, "forbidden")
		apptest.WantAPIError(t, apptest.APIDo(t, c, "GET", w.pathA, "", ""), http.StatusForbidden, "forbidden")
		apptest.WantAPIError(t, apptest.APIJSON(t, c, "POST", w.pathA+"/test", map[string]any{"channel": "wecom"}),
			http.StatusForbidden, "forbidden")
		if p := apptest.DoPage(t, c, "GET", "/console/units/"+apptest.Itoa(w.A.ID)+"/notify", nil); p.Status != http.StatusForbidden {
			t.Errorf("%s opened unit A's channel page: %d", name, p.Status)
		}
	}
	form := url.Values{"channels_form": {"1"}, "wecom_on": {"1"}, "wecom_url": {w.robotB}}
	form.Set("_csrf", apptest.CSRF(t, w.unitB, "/console/units/"+apptest.Itoa(w.B.ID)+"/notify"))
	if p := apptest.DoPage(t, w.unitB, "POST", "/console/units/"+apptest.Itoa(w.A.ID)+"/notify", form); p.Status != http.StatusForbidden {
		t.Errorf("unit B's form post to unit A: %d", p.Status)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM unit_notify_channels`); n != 0 {
		t.Fatalf("refused requests stored %d settings", n)
	}

	var got channelsReply
	apptest.APIJSON(t, w.UnitUser, "PUT", w.pathA, body).Decode(t, http.StatusOK, &got)
	if !got.WeComEnabled || strings.Contains(got.WeComURL, "unit-a-key") || !strings.HasSuffix(got.WeComURL, "key=****6789") ||
		got.DutyEmail != "zhiban-a@example.gov.cn" {
		t.Fatalf("saved %+v", got)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", w.pathA,
		map[string]any{"dingtalk_enabled": true, "dingtalk_url": "https://evil.example.com/robot/send?access_token=x"}),
		http.StatusUnprocessableEntity, "invalid", "dingtalk_url")

	var probe probeReply
	apptest.APIJSON(t, w.UnitUser, "POST", w.pathA+"/test", map[string]any{"channel": "wecom"}).Decode(t, http.StatusOK, &probe)
	if !probe.OK || len(w.wecom.Got()) != 1 || !strings.Contains(w.wecom.Got()[0].Body, "测试消息") ||
		!strings.Contains(w.wecom.Got()[0].Query, "unit-a-key") {
		t.Fatalf("probe %+v, robot got %+v", probe, w.wecom.Got())
	}
	apptest.APIJSON(t, w.UnitUser, "POST", w.pathA+"/test", map[string]any{"channel": "email"}).Decode(t, http.StatusOK, &probe)
	if mails := w.mailbox.Mails(); !probe.OK || len(mails) != 1 || mails[0].To[0] != "zhiban-a@example.gov.cn" {
		t.Fatalf("e-mail probe %+v, mails %+v", probe, mails)
	}

	// A 钉钉 robot that refuses the signature: the answer says why, in Chinese.
	w.ding.SetAnswer(200, `{"errcode":310000,"errmsg":"sign not match"}`)
	apptest.APIJSON(t, w.UnitUser, "PUT", w.pathA, map[string]any{"dingtalk_enabled": true,
		"dingtalk_url": w.ding.URL + "/robot/send?access_token=unit-a-token", "dingtalk_secret": "SECwrong"}).Decode(t, http.StatusOK, &got)
	apptest.APIJSON(t, w.UnitUser, "POST", w.pathA+"/test", map[string]any{"channel": "dingtalk"}).Decode(t, http.StatusOK, &probe)
	if probe.OK || !strings.Contains(probe.Message, "加签密钥不符") || !strings.Contains(probe.Detail, "310000") || !got.DingTalkSecretSet {
		t.Fatalf("refused probe %+v", probe)
	}

	apptest.APIJSON(t, w.Office, "PUT", w.pathB, map[string]any{"wecom_enabled": true, "wecom_url": w.robotB}).Decode(t, http.StatusOK, &got)
	if got.UnitID != w.B.ID || !got.WeComEnabled {
		t.Fatalf("office set unit B's: %+v", got)
	}
	if n := w.App.Count(t, `SELECT count(*) FROM audit_log WHERE action = 'unit.notify_channels'`); n != 3 {
		t.Errorf("%d audit entries, want 3", n)
	}

	// The page's 发送测试消息 shows the robot's refusal beside the channel.
	pageA := "/console/units/" + apptest.Itoa(w.A.ID) + "/notify"
	form = url.Values{"channels_form": {"1"}, "probe": {"dingtalk"}, "dingtalk_on": {"1"}, "wecom_on": {"1"},
		"email_on": {"1"}, "duty_email": {"zhiban-a@example.gov.cn"}}
	form.Set("_csrf", apptest.CSRF(t, w.UnitUser, pageA))
	p := apptest.DoPage(t, w.UnitUser, "POST", pageA+"/test", form)
	if p.Status != http.StatusOK || !apptest.HasText(p, "加签密钥不符") || !p.Has("probe-result") {
		t.Fatalf("refused test on the page: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if len(w.ding.Got()) != 2 {
		t.Errorf("钉钉 robot got %d posts, want 2", len(w.ding.Got()))
	}
}

// TestBrowserUnitChannelsPage: a unit account opens its channels from its
// unit's page, enters its 企业微信 robot and sends a test message (which
// saves the form first and arrives at the robot), sees the address masked
// afterwards, and gets the refusal of a host outside the allowed list.
func TestBrowserUnitChannelsPage(t *testing.T) {
	w := newChannelWorld(t)
	ctx := browser.New(t, browser.Options{Width: 1280, Height: 900, Timeout: 3 * time.Minute})
	browsertest.SignIn(t, ctx, w.App.URL, "unit-a", "unit-pass-1")
	browsertest.Do(t, ctx, "open the channels from the unit's page",
		chromedp.Navigate(w.App.URL+"/console/units/"+apptest.Itoa(w.A.ID)), chromedp.WaitVisible(chromedp.ID("unit-notify-link")),
		chromedp.Click(chromedp.ID("unit-notify-link")), chromedp.WaitVisible(chromedp.ID("unit-channels")))
	browsertest.Do(t, ctx, "enter the robot and test it",
		chromedp.Click(chromedp.CSS(`input[name=wecom_on]`)), chromedp.SendKeys(chromedp.ID("wecom_url"), w.robotA),
		chromedp.Click(chromedp.CSS(`button[name=probe][value=wecom]`)), chromedp.WaitVisible(chromedp.CSS(".alert-ok")))
	if got := browsertest.Text(t, ctx, ".alert-ok"); got != "测试消息已发送到企业微信群，请在群里查看。" {
		t.Errorf("after the test: %q", got)
	}
	if got := w.wecom.Got(); len(got) != 1 || !strings.Contains(got[0].Body, "测试消息") {
		t.Fatalf("robot got %+v", got)
	}
	if got := browsertest.Text(t, ctx, "#ch-wecom .saved-url code"); strings.Contains(got, "unit-a-key") || !strings.HasSuffix(got, "****6789") {
		t.Errorf("saved address shown as %q", got)
	}
	if !browsertest.Eval[bool](t, ctx, `document.querySelector("input[name=wecom_on]").checked`) {
		t.Error("企业微信 not shown as on after saving")
	}
	browsertest.Do(t, ctx, "enter a 钉钉 robot elsewhere",
		chromedp.SendKeys(chromedp.ID("dingtalk_url"), "https://evil.example.com/robot/send?access_token=x"),
		chromedp.Click(chromedp.ID("save-channels")), chromedp.WaitVisible(chromedp.CSS("#ch-dingtalk .err")))
	if got := browsertest.Text(t, ctx, "#ch-dingtalk .err"); !strings.Contains(got, "不在允许的范围内") {
		t.Errorf("refusal %q", got)
	}
}

// Test messages are bounded per unit and channel (RATE_PROBE): past the
// limit the API answers 429 in Chinese and the page says it beside the
// channel, and nothing more reaches the robot; another channel and
// another unit still have their own.
func TestTestMessagesAreRateLimited(t *testing.T) {
	wecom, ding := channelstest.NewReceiver(t, 200, robotOK), channelstest.NewReceiver(t, 200, robotOK)
	w := fixtures.NewAPIWorld(t, apptest.Options{Env: map[string]string{"NOTIFY_ROBOT_HOSTS": wecom.URL + "," + ding.URL,
		"RATE_PROBE": "2-H"}})
	pathA := "/api/v1/units/" + apptest.Itoa(w.A.ID) + "/notify-channels"
	pathB := "/api/v1/units/" + apptest.Itoa(w.B.ID) + "/notify-channels"
	apptest.APIJSON(t, w.Office, "PUT", pathA, map[string]any{"wecom_enabled": true,
		"wecom_url": wecom.URL + "/cgi-bin/webhook/send?key=unit-a-key-0123456789", "dingtalk_enabled": true,
		"dingtalk_url": ding.URL + "/robot/send?access_token=unit-a-token"}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "PUT", pathB, map[string]any{"wecom_enabled": true,
		"wecom_url": wecom.URL + "/cgi-bin/webhook/send?key=unit-b-key-0123456789"}).Decode(t, http.StatusOK, nil)
	var probe probeReply
	for range 2 {
		apptest.APIJSON(t, w.UnitUser, "POST", pathA+"/test", map[string]any{"channel": "wecom"}).Decode(t, http.StatusOK, &probe)
		if !probe.OK {
			t.Fatalf("probe within the limit: %+v", probe)
		}
	}
	r := apptest.APIJSON(t, w.UnitUser, "POST", pathA+"/test", map[string]any{"channel": "wecom"})
	apptest.WantAPIError(t, r, http.StatusTooManyRequests, "rate_limited")
	if !strings.Contains(string(r.Body), "测试消息发送过于频繁") {
		t.Errorf("429 body: %s", r.Body)
	}
	pageA := "/console/units/" + apptest.Itoa(w.A.ID) + "/notify"
	form := url.Values{"channels_form": {"1"}, "probe": {"wecom"}, "wecom_on": {"1"}, "dingtalk_on": {"1"}}
	form.Set("_csrf", apptest.CSRF(t, w.UnitUser, pageA))
	if p := apptest.DoPage(t, w.UnitUser, "POST", pageA+"/test", form); p.Status != http.StatusTooManyRequests ||
		!apptest.HasText(p, "测试消息发送过于频繁") || !p.Has("probe-result") {
		t.Fatalf("limited test on the page: %d %s", p.Status, apptest.PageText(p.Body))
	}
	if n := len(wecom.Got()); n != 2 {
		t.Errorf("the robot got %d test messages, want 2", n)
	}
	// The page's form was still saved; the other channel and unit B are not limited.
	apptest.APIJSON(t, w.UnitUser, "POST", pathA+"/test", map[string]any{"channel": "dingtalk"}).Decode(t, http.StatusOK, &probe)
	apptest.APIJSON(t, w.Office, "POST", pathB+"/test", map[string]any{"channel": "wecom"}).Decode(t, http.StatusOK, &probe)
	if !probe.OK || len(wecom.Got()) != 3 || len(ding.Got()) != 1 {
		t.Errorf("other channel/unit: %+v, wecom %d, dingtalk %d", probe, len(wecom.Got()), len(ding.Got()))
	}
}
