package channels

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Group robots post into a chat group the office coordinates in. Both take
// a markdown message and answer HTTP 200 with {"errcode":0,"errmsg":"ok"};
// any other errcode is a refusal (a bad key, a blocked keyword) except
// their rate limit, which is retried.

// WeComSender posts to a 企业微信 group robot: POST its webhook address
// (https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…) with
// {"msgtype":"markdown","markdown":{"content":"…"}}.
type WeComSender struct {
	URL    string
	Client *http.Client
}

// Channel is WeCom.
func (s *WeComSender) Channel() string { return WeCom }

// Send posts m as markdown, to m.RobotURL when it names a unit's robot.
func (s *WeComSender) Send(ctx context.Context, m Message) error {
	target := s.URL
	if m.RobotURL != "" {
		target = m.RobotURL
	}
	body := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": robotMarkdown(m)}}
	return postRobot(ctx, client(s.Client), WeCom, target, body, 45009)
}

// DingTalkSender posts to a 钉钉 custom robot: POST its webhook address
// (https://oapi.dingtalk.com/robot/send?access_token=…) with
// {"msgtype":"markdown","markdown":{"title":"…","text":"…"}}. With the
// robot's 加签 secret set, the address carries timestamp (milliseconds)
// and sign = base64(HMAC-SHA256(secret, timestamp + "\n" + secret)),
// URL-encoded.
type DingTalkSender struct {
	URL    string
	Secret string
	Client *http.Client
	Now    func() time.Time
}

// Channel is DingTalk.
func (s *DingTalkSender) Channel() string { return DingTalk }

// Send posts m as markdown to the signed address: m.RobotURL signed with
// m.RobotSecret when it names a unit's robot, else the configured one.
func (s *DingTalkSender) Send(ctx context.Context, m Message) error {
	target, secret := s.URL, s.Secret
	if m.RobotURL != "" {
		target, secret = m.RobotURL, m.RobotSecret
	}
	if secret != "" {
		ts := strconv.FormatInt(now(s.Now).UnixMilli(), 10)
		u, err := url.Parse(target)
		if err != nil {
			return fmt.Errorf("dingtalk: %w", err)
		}
		q := u.Query()
		q.Set("timestamp", ts)
		q.Set("sign", DingTalkSign(secret, ts))
		u.RawQuery = q.Encode()
		target = u.String()
	}
	body := map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": m.Title, "text": robotMarkdown(m)}}
	return postRobot(ctx, client(s.Client), DingTalk, target, body, 130101)
}

// RobotSender returns a sender for a unit's own robot on channel (WeCom
// or DingTalk) when no office group is configured: it posts only to the
// address each message carries. It returns nil for another channel.
func RobotSender(channel string) Sender {
	switch channel {
	case WeCom:
		return &WeComSender{Client: unitRobotClient}
	case DingTalk:
		return &DingTalkSender{Client: unitRobotClient}
	}
	return nil
}

// unitRobotClient follows no redirect: a unit's address is checked against
// the allowed hosts, and a redirect would lead the post elsewhere.
var unitRobotClient = &http.Client{Timeout: 15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// DingTalkSign is 钉钉's signature of a timestamp (milliseconds, as text).
func DingTalkSign(secret, timestamp string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "\n" + secret))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// robotMarkdown is the message as group markdown: the title in bold, the
// text, and the link.
func robotMarkdown(m Message) string {
	var b strings.Builder
	b.WriteString("**" + m.Title + "**\n\n" + m.Text)
	if m.Link != "" {
		b.WriteString("\n\n[查看详情](" + m.Link + ")")
	}
	return b.String()
}

// postRobot posts body and reads the robot's errcode; rateLimited is the
// errcode that means "too many messages", retried later.
func postRobot(ctx context.Context, c *http.Client, channel, target string, body any, rateLimited int) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", channel, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	res, answer, err := doHTTP(c, channel, req)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return httpStatusError(channel, res, answer)
	}
	var reply struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal([]byte(answer), &reply); err != nil || reply.ErrCode == nil {
		return fmt.Errorf("%s: unexpected answer: %s", channel, snippet(answer))
	}
	switch *reply.ErrCode {
	case 0:
		return nil
	case rateLimited:
		return temporary("%s: errcode %d: %s", channel, *reply.ErrCode, reply.ErrMsg)
	}
	return fmt.Errorf("%s: errcode %d: %s", channel, *reply.ErrCode, reply.ErrMsg)
}
