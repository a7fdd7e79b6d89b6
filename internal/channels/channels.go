// Package channels sends a notification out of the product, on the
// channels Chinese offices use (issue 14): e-mail over SMTP, a signed JSON
// webhook for the office's own systems, the 企业微信 and 钉钉 group robots,
// and SMS through the HTTP gateway of a 政务短信平台. Each channel is
// optional and configured by environment variables (Config). A send either
// succeeds, fails for now (Temporary: the receiver is down or busy, try
// again later) or fails for good (the receiver refused the message as
// such); the caller's job queue retries the first kind.
package channels

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Message is one notification to send.
type Message struct {
	// ID identifies the delivery; a receiver sees the same ID again only
	// when a send is retried, so it can drop the repeat.
	ID    string
	Kind  string
	Title string
	Text  string
	// Link is the absolute address of the page the message is about.
	Link string
	// Email and Phone address one person, for the e-mail and SMS channels.
	Email, Phone string
	// RobotURL and RobotSecret address a unit's own group robot (its
	// webhook address and, for 钉钉, its 加签 secret); empty, a robot
	// sender posts to the group it was configured with.
	RobotURL, RobotSecret string
	At                    time.Time
}

// Body is the message's text with its link, as plain text.
func (m Message) Body() string {
	if m.Link == "" {
		return m.Text
	}
	return m.Text + "\n" + m.Link
}

// Channel names, as accounts and units choose them.
const (
	Email    = "email"
	Webhook  = "webhook"
	WeCom    = "wecom"
	DingTalk = "dingtalk"
	SMS      = "sms"
)

// Sender sends on one channel.
type Sender interface {
	Channel() string
	Send(ctx context.Context, m Message) error
}

// TemporaryError is a failure worth retrying: the receiver could not be
// reached, timed out, or answered that it is busy or failing (HTTP 5xx,
// 429, an SMTP 4xx).
type TemporaryError struct{ Err error }

func (e *TemporaryError) Error() string { return e.Err.Error() }
func (e *TemporaryError) Unwrap() error { return e.Err }

// IsTemporary reports whether err is worth retrying.
func IsTemporary(err error) bool {
	var t *TemporaryError
	return errors.As(err, &t)
}

// Outcome is what a send's result means for an outbox message sent at
// most once (internal/notify, internal/citizensms): the state to record
// ("sent", "failed" while tries remain, "given_up"), the error to keep
// with it, and the error for the job queue — non-nil exactly when a
// temporary failure should be tried again after its back-off. attempt and
// maxAttempts count the job's tries.
func Outcome(sendErr error, attempt, maxAttempts int) (state, lastError string, retry error) {
	switch {
	case sendErr == nil:
		return "sent", "", nil
	case IsTemporary(sendErr) && attempt < maxAttempts:
		return "failed", sendErr.Error(), sendErr
	}
	return "given_up", sendErr.Error(), nil
}

func temporary(format string, a ...any) error {
	return &TemporaryError{Err: fmt.Errorf(format, a...)}
}

// httpStatusError classifies an HTTP answer that is not 2xx.
func httpStatusError(channel string, res *http.Response, body string) error {
	err := fmt.Errorf("%s: HTTP %d: %s", channel, res.StatusCode, snippet(body))
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout {
		return &TemporaryError{Err: err}
	}
	return err
}

// snippet shortens a receiver's answer for an error message.
func snippet(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 200 {
		return string(r[:200]) + "…"
	}
	return s
}

// doHTTP sends req and returns the answer's body (at most 64 KiB read),
// classifying a transport failure as temporary.
func doHTTP(client *http.Client, channel string, req *http.Request) (*http.Response, string, error) {
	res, err := client.Do(req)
	if err != nil {
		return nil, "", temporary("%s: %w", channel, err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for b.Len() < 64<<10 {
		n, rerr := res.Body.Read(buf)
		b.Write(buf[:n])
		if rerr != nil {
			break
		}
	}
	return res, b.String(), nil
}
