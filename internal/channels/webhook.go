package channels

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// WebhookSender posts each message as JSON to the office's own system,
// signed so the receiver can tell it comes from Minyi:
//
//	POST <url>
//	Content-Type: application/json; charset=utf-8
//	X-Minyi-Delivery: <message id>          (the same on a retry)
//	X-Minyi-Timestamp: <unix seconds>
//	X-Minyi-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
//	{"id":"…","kind":"case_sent","title":"…","text":"…","link":"https://…","created_at":"2026-12-03T10:00:00+08:00"}
//
// A receiver should refuse a timestamp more than five minutes old. The body
// carries no e-mail address or phone number.
type WebhookSender struct {
	URL    string
	Secret string
	Client *http.Client
	Now    func() time.Time
}

// WebhookPayload is the JSON body of a webhook.
type WebhookPayload struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Text      string    `json:"text"`
	Link      string    `json:"link,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Channel is Webhook.
func (s *WebhookSender) Channel() string { return Webhook }

// Send posts m; any 2xx answer is success.
func (s *WebhookSender) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(WebhookPayload{ID: m.ID, Kind: m.Kind, Title: m.Title, Text: m.Text, Link: m.Link, CreatedAt: m.At})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	ts := strconv.FormatInt(now(s.Now).Unix(), 10)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Minyi-Delivery", m.ID)
	req.Header.Set("X-Minyi-Timestamp", ts)
	req.Header.Set("X-Minyi-Signature", "sha256="+WebhookSignature(s.Secret, ts, body))
	res, answer, err := doHTTP(client(s.Client), Webhook, req)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return httpStatusError(Webhook, res, answer)
	}
	return nil
}

// WebhookSignature is the hex HMAC-SHA256 of timestamp + "." + body under
// secret.
func WebhookSignature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "."))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func now(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

// defaultClient bounds every send; a receiver that hangs is retried later.
var defaultClient = &http.Client{Timeout: 15 * time.Second}

func client(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return defaultClient
}
