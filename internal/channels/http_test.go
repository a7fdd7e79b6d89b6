package channels_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/channels"
)

// receiver is a real HTTP server that records what arrives and answers
// with status and body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []*http.Request
	bodies []string
	status int
	answer string
}

func newReceiver(t *testing.T, status int, answer string) *receiver {
	r := &receiver{status: status, answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got, r.bodies = append(r.got, req), append(r.bodies, string(b))
		status, answer := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(r.Close)
	return r
}

var msg = channels.Message{ID: "d-42", Kind: "case_sent", Title: "新的整改案件", Text: "市民政局：案件“窗口排队时间长”待答复，5个工作日内（12月10日前）。",
	Link: "https://minyi.example.gov.cn/console/cases/7", Phone: "13800138000", At: time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)}

var fixedNow = func() time.Time { return time.Unix(1764756000, 123e6) }

func TestWebhookIsSignedAndRetriable(t *testing.T) {
	r := newReceiver(t, 204, "")
	s := &channels.WebhookSender{URL: r.URL + "/hook", Secret: "0123456789abcdef-secret", Now: fixedNow}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	req, body := r.got[0], r.bodies[0]
	mac := hmac.New(sha256.New, []byte("0123456789abcdef-secret"))
	mac.Write([]byte("1764756000." + body))
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); req.Header.Get("X-Minyi-Signature") != want ||
		req.Header.Get("X-Minyi-Timestamp") != "1764756000" || req.Header.Get("X-Minyi-Delivery") != "d-42" {
		t.Fatalf("headers %v", req.Header)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(body), &p); err != nil || p["title"] != msg.Title || p["link"] != msg.Link || p["id"] != "d-42" {
		t.Fatalf("body %s", body)
	}
	if strings.Contains(body, msg.Phone) {
		t.Fatal("the webhook carries a phone number")
	}
	// Busy or down: try again later. A refusal: final.
	r.status = 503
	if err := s.Send(context.Background(), msg); !channels.IsTemporary(err) {
		t.Fatalf("503: %v", err)
	}
	r.status = 400
	if err := s.Send(context.Background(), msg); err == nil || channels.IsTemporary(err) {
		t.Fatalf("400: %v", err)
	}
	r.Close()
	if err := s.Send(context.Background(), msg); !channels.IsTemporary(err) {
		t.Fatalf("down: %v", err)
	}
}

func TestWeComRobot(t *testing.T) {
	r := newReceiver(t, 200, `{"errcode":0,"errmsg":"ok"}`)
	s := &channels.WeComSender{URL: r.URL + "/cgi-bin/webhook/send?key=k-1"}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	var p struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Content string }
	}
	if err := json.Unmarshal([]byte(r.bodies[0]), &p); err != nil || p.MsgType != "markdown" ||
		!strings.Contains(p.Markdown.Content, "**新的整改案件**") || !strings.Contains(p.Markdown.Content, "[查看详情]("+msg.Link+")") ||
		r.got[0].URL.Query().Get("key") != "k-1" {
		t.Fatalf("wecom got %s %s", r.got[0].URL, r.bodies[0])
	}
	r.answer = `{"errcode":45009,"errmsg":"api freq out of limit"}`
	if err := s.Send(context.Background(), msg); !channels.IsTemporary(err) {
		t.Fatalf("rate limited: %v", err)
	}
	r.answer = `{"errcode":93000,"errmsg":"invalid webhook url"}`
	if err := s.Send(context.Background(), msg); err == nil || channels.IsTemporary(err) || !strings.Contains(err.Error(), "93000") {
		t.Fatalf("refused: %v", err)
	}
}

func TestDingTalkRobotSignsItsAddress(t *testing.T) {
	r := newReceiver(t, 200, `{"errcode":0,"errmsg":"ok"}`)
	s := &channels.DingTalkSender{URL: r.URL + "/robot/send?access_token=tok", Secret: "SEC-abc", Now: fixedNow}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	q := r.got[0].URL.Query()
	mac := hmac.New(sha256.New, []byte("SEC-abc"))
	mac.Write([]byte("1764756000123\nSEC-abc"))
	if q.Get("access_token") != "tok" || q.Get("timestamp") != "1764756000123" ||
		q.Get("sign") != base64.StdEncoding.EncodeToString(mac.Sum(nil)) {
		t.Fatalf("address %s", r.got[0].URL)
	}
	// The sign is URL-encoded in the address (base64 has + / =).
	if raw := r.got[0].URL.RawQuery; strings.Contains(raw, "+") || strings.Contains(raw, "/") {
		t.Fatalf("sign not encoded: %s", raw)
	}
	var p struct {
		MsgType  string `json:"msgtype"`
		Markdown struct{ Title, Text string }
	}
	if err := json.Unmarshal([]byte(r.bodies[0]), &p); err != nil || p.MsgType != "markdown" || p.Markdown.Title != msg.Title ||
		!strings.Contains(p.Markdown.Text, msg.Link) {
		t.Fatalf("body %s", r.bodies[0])
	}
	r.answer = `{"errcode":310000,"errmsg":"sign not match"}`
	if err := s.Send(context.Background(), msg); err == nil || channels.IsTemporary(err) {
		t.Fatalf("refused: %v", err)
	}
}

func TestSMSGatewayFromConfiguration(t *testing.T) {
	r := newReceiver(t, 200, `{"code":0,"msg":"提交成功"}`)
	cfg, err := channels.FromEnv(map[string]string{
		"SMS_GATEWAY_URL":     r.URL + "/sms/send",
		"SMS_GATEWAY_HEADERS": `{"Authorization":"Bearer gw-token","Content-Type":"application/json"}`,
		"SMS_GATEWAY_BODY":    `{"mobile":"{{.Phone}}","content":{{json .Text}},"bizId":"{{.ID}}"}`,
		"SMS_GATEWAY_OK":      `"code":0`,
		"SMS_SIGNATURE":       "某市绩效办",
	})
	if err != nil {
		t.Fatal(err)
	}
	senders, _, err := cfg.Senders(time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	s := senders[channels.SMS]
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	var p struct{ Mobile, Content, BizID string }
	if err := json.Unmarshal([]byte(r.bodies[0]), &p); err != nil || p.Mobile != msg.Phone || p.BizID != "d-42" ||
		p.Content != "【某市绩效办】"+msg.Text+"\n"+msg.Link || r.got[0].Header.Get("Authorization") != "Bearer gw-token" {
		t.Fatalf("gateway got %s %v", r.bodies[0], r.got[0].Header)
	}
	r.answer = `{"code":1001,"msg":"余额不足"}`
	if err := s.Send(context.Background(), msg); err == nil || channels.IsTemporary(err) || !strings.Contains(err.Error(), "余额不足") {
		t.Fatalf("refused: %v", err)
	}

	// A gateway taking everything in the address (GET).
	g := newReceiver(t, 200, "OK")
	get := &channels.SMSSender{Method: "GET", OK: "OK"}
	get.URL, _ = channels.ParseSMSTemplate("u", g.URL+"/send?to={{urlquery .Phone}}&text={{urlquery .Text}}")
	if err := get.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	if q, _ := url.ParseQuery(g.got[0].URL.RawQuery); q.Get("to") != msg.Phone || q.Get("text") != msg.Body() {
		t.Fatalf("GET gateway got %s", g.got[0].URL)
	}
}

func TestConfigNamesWhatIsWrong(t *testing.T) {
	cfg, _ := channels.FromEnv(map[string]string{
		"SMTP_HOST": "mail.example.gov.cn", "SMTP_TLS": "ssl", "NOTIFY_WEBHOOK_URL": "ftp://x", "NOTIFY_WEBHOOK_SECRET": "short",
		"SMS_GATEWAY_URL": "https://sms.example/{{.Nope", "SMS_GATEWAY_HEADERS": "Authorization: x", "SMS_QUIET_HOURS": "late",
	})
	_, _, err := cfg.Senders(time.UTC)
	for _, want := range []string{"SMTP_FROM", "SMTP_TLS", "NOTIFY_WEBHOOK_URL", "NOTIFY_WEBHOOK_SECRET", "SMS_GATEWAY_URL",
		"SMS_GATEWAY_HEADERS", "SMS_QUIET_HOURS"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("no complaint about %s: %v", want, err)
		}
	}
	none, _ := channels.FromEnv(map[string]string{})
	if s, q, err := none.Senders(time.UTC); err != nil || len(s) != 0 || q.Start != 21*time.Hour || q.End != 8*time.Hour {
		t.Fatalf("nothing configured: %v %v %+v", s, err, q)
	}
}

func TestQuietHours(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	q, err := channels.ParseQuietHours("21:00-08:00", sh)
	if err != nil {
		t.Fatal(err)
	}
	at := func(h, m int) time.Time { return time.Date(2026, 12, 3, h, m, 0, 0, sh) }
	for _, c := range []struct{ in, want time.Time }{
		{at(10, 0), at(10, 0)}, {at(20, 59), at(20, 59)}, {at(21, 0), time.Date(2026, 12, 4, 8, 0, 0, 0, sh)}, {at(23, 30), time.Date(2026, 12, 4, 8, 0, 0, 0, sh)},
		{at(3, 0), at(8, 0)}, {at(8, 0), at(8, 0)},
	} {
		if got := q.NextAllowed(c.in); !got.Equal(c.want) {
			t.Errorf("%s → %s, want %s", c.in.Format("15:04"), got.Format("01-02 15:04"), c.want.Format("01-02 15:04"))
		}
	}
	day, _ := channels.ParseQuietHours("12:00-14:00", sh)
	if got := day.NextAllowed(at(13, 0)); !got.Equal(at(14, 0)) {
		t.Errorf("midday quiet: %s", got)
	}
}
