package notifyapp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
	"minyi/internal/notify"
	"minyi/internal/testutil/apptest"
)

const hookSecret = "0123456789abcdef-hook-secret"

type soonRetry struct{}

func (soonRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(10 * time.Millisecond) }

// deliverWith runs a delivery worker (an instance's) on the app's database
// until the test ends.
func (w *world) deliverWith(t *testing.T, senders map[string]channels.Sender) {
	t.Helper()
	worker, err := notify.NewWorker(w.App.Pool, notify.Options{Senders: senders, BaseURL: w.App.Config.PublicBaseURL,
		RetryPolicy: soonRetry{}, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = worker.Stop(ctx)
	})
}

// waitStates waits until the deliveries in each state number as wanted;
// it fails the test after a minute (a bound against hanging).
func (w *world) waitStates(t *testing.T, want map[string]int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		got := map[string]int{}
		rows, _ := w.App.Pool.Query(context.Background(), `SELECT state, count(*)::int FROM notification_deliveries GROUP BY state`)
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			got[s] = n
		}
		rows.Close()
		same := len(got) == len(want)
		for s, n := range want {
			same = same && got[s] == n
		}
		if same {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries by state %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *world) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := w.App.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// A case sent to a unit reaches each account of the unit by e-mail (over
// a real SMTP server with STARTTLS) and the office's webhook, once each,
// with the text, the absolute link and the signature, and without the
// citizen's phone number.
func TestACaseSentReachesTheUnitsMailboxAndTheWebhookOnce(t *testing.T) {
	box := channelstest.StartMailbox(t)
	hook := channelstest.NewReceiver(t, 204, "")
	w := newWorld(t)
	w.exec(t, `UPDATE users SET email = username || '@example.gov.cn' WHERE role = 'unit'`)
	w.deliverWith(t, map[string]channels.Sender{channels.Email: box.Sender("绩效办 <minyi@example.gov.cn>"),
		channels.Webhook: &channels.WebhookSender{URL: hook.URL, Secret: hookSecret}})
	w.waitStates(t, map[string]int{"sent": 3}) // unit A's two accounts, the webhook
	link := w.App.Config.PublicBaseURL + "/console/cases/" + w.caseID
	mails := box.Mails()
	to := map[string]bool{}
	for _, m := range mails {
		to[m.To[0]] = true
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if !strings.Contains(string(body), "交办了整改案件") || !strings.Contains(string(body), link) ||
			strings.Contains(string(body), "13812345678") {
			t.Errorf("mail to %v: %s", m.To, body)
		}
	}
	if len(mails) != 2 || !to["unit-a@example.gov.cn"] || !to["unit-a2@example.gov.cn"] {
		t.Fatalf("mails to %v, want one to each account of unit A", to)
	}
	got := hook.Got()
	if len(got) != 1 {
		t.Fatalf("%d webhooks, want 1", len(got))
	}
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(got[0].Header.Get("X-Minyi-Timestamp") + "." + got[0].Body))
	if got[0].Header.Get("X-Minyi-Signature") != "sha256="+hex.EncodeToString(mac.Sum(nil)) ||
		!strings.Contains(got[0].Body, link) || strings.Contains(got[0].Body, "13812345678") {
		t.Fatalf("webhook %v %s", got[0].Header, got[0].Body)
	}
}

// The office sees a refused SMS with its recipient masked and the reason
// in Chinese, and its 重新发送 sends it again; units may not see the list.
func TestTheOfficeSeesFailuresAndResends(t *testing.T) {
	gateway := channelstest.NewReceiver(t, 400, `{"code":41,"msg":"bad sign"}`)
	w := newWorld(t)
	w.exec(t, `UPDATE users SET name = '李四', mobile = '13900000002', notify_channels = '{sms}' WHERE username = 'unit-a2'`)
	url, _ := channels.ParseSMSTemplate("url", gateway.URL+"/send?to={{.Phone}}")
	w.deliverWith(t, map[string]channels.Sender{channels.SMS: &channels.SMSSender{Method: "POST", URL: url}})
	w.waitStates(t, map[string]int{"given_up": 1})

	page := apptest.Get(t, w.Office, "/console/deliveries")
	for _, want := range []string{"短信", "李四", "139****0002", "接收方拒绝了消息", "重新发送", "已放弃"} {
		if !apptest.HasText(page, want) {
			t.Errorf("the failures page lacks %q", want)
		}
	}
	if page.Has("13900000002") {
		t.Error("the failures page shows the whole number")
	}
	if p := apptest.Get(t, w.Office, "/console"); !apptest.HasText(p, "条消息发送失败") {
		t.Error("the overview does not count the failure")
	}
	var list struct {
		Items []notify.Delivery `json:"items"`
		Total int               `json:"total"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/notification-deliveries", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].Channel != "sms" || list.Items[0].State != "given_up" || list.Items[0].Address != "139****0002" {
		t.Fatalf("API list %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/notification-deliveries", "", ""), http.StatusForbidden, "forbidden")

	gateway.SetAnswer(200, `{"code":0}`)
	apptest.Post(t, w.Office, "/console/deliveries/"+apptest.Itoa(list.Items[0].ID)+"/resend", nil)
	w.waitStates(t, map[string]int{"sent": 1})
	if n := len(gateway.Got()); n != 2 {
		t.Fatalf("gateway got %d requests, want the refused one and the resend", n)
	}
	if page := apptest.Get(t, w.Office, "/console/deliveries"); !apptest.HasText(page, "没有发送失败的消息") {
		t.Error("the failure is still listed after the resend")
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/notification-deliveries/"+apptest.Itoa(list.Items[0].ID)+"/resend", map[string]any{}),
		http.StatusConflict, "conflict")
}

// An account chooses its channels on its own page and the office on the
// account's page and through the API; deliveries follow the choice.
func TestAccountsChooseTheirChannels(t *testing.T) {
	w := newWorld(t)
	var id int64
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT id FROM users WHERE username = 'unit-a2'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	channelsOf := func() string {
		var s string
		if err := w.App.Pool.QueryRow(context.Background(), `SELECT array_to_string(notify_channels, ',') FROM users WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := channelsOf(); got != "email" {
		t.Fatalf("default channels %q, want e-mail only", got)
	}
	page := apptest.Get(t, w.unitA2, "/console/password")
	if !apptest.HasText(page, "接收通知的方式") || !apptest.HasText(page, "短信") {
		t.Fatal("the own account page has no channel choice")
	}
	apptest.Post(t, w.unitA2, "/console/notify-channels", map[string][]string{"channels_form": {"1"}, "notify_channels": {"sms", "email"}})
	if got := channelsOf(); got != "email,sms" {
		t.Fatalf("after choosing both: %q", got)
	}
	apptest.Post(t, w.unitA2, "/console/notify-channels", map[string][]string{"channels_form": {"1"}})
	if got := channelsOf(); got != "" {
		t.Fatalf("after choosing none: %q", got)
	}
	if p := apptest.Post(t, w.unitA2, "/console/notify-channels", map[string][]string{"channels_form": {"1"}, "notify_channels": {"fax"}}); !apptest.HasText(p, "通知渠道只能选") {
		t.Error("an unknown channel is not refused with a Chinese message")
	}
	var out struct {
		User struct {
			NotifyChannels []string `json:"notify_channels"`
		} `json:"user"`
	}
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/users/"+apptest.Itoa(id), map[string]any{"notify_channels": []string{"sms"}}).
		Decode(t, http.StatusOK, &out)
	if len(out.User.NotifyChannels) != 1 || out.User.NotifyChannels[0] != "sms" || channelsOf() != "sms" {
		t.Fatalf("API patch: %+v, stored %q", out, channelsOf())
	}
	if p := apptest.Get(t, w.Office, "/console/accounts/"+apptest.Itoa(id)); !strings.Contains(p.Body, `value="sms" checked`) {
		t.Error("the office's account page does not show the choice")
	}
}
