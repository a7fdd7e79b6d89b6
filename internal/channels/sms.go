package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/template"
	"time"
)

// SMSSender sends a text message through an HTTP SMS gateway, as most
// 政务短信平台 and commercial gateways take one: the address, method,
// headers and body are configuration, the address and body being
// templates over {{.Phone}}, {{.Text}} (the message's text and link, with
// the signature 【…】 in front when one is set) and {{.ID}}. In the body,
// {{json .Text}} writes a JSON string and {{urlquery .Text}} a form value.
// Success is a 2xx answer that contains OK when OK is set (e.g.
// `"code":0`).
type SMSSender struct {
	Method  string
	URL     *template.Template
	Headers map[string]string
	Body    *template.Template
	OK      string
	// Signature is the sender name the gateway requires, e.g. 某市绩效办.
	Signature string
	Client    *http.Client
}

// smsFuncs are the functions SMS templates may use besides text/template's
// own (urlquery, html, js, print…).
var smsFuncs = template.FuncMap{
	"json": func(s string) (string, error) {
		b, err := json.Marshal(s)
		return string(b), err
	},
}

// ParseSMSTemplate parses an SMS address or body template.
func ParseSMSTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Funcs(smsFuncs).Option("missingkey=error").Parse(text)
}

// Channel is SMS.
func (s *SMSSender) Channel() string { return SMS }

type smsData struct{ Phone, Text, ID string }

// Send sends m to m.Phone.
func (s *SMSSender) Send(ctx context.Context, m Message) error {
	if m.Phone == "" {
		return fmt.Errorf("sms: no phone number")
	}
	text := m.Body()
	if s.Signature != "" {
		text = "【" + s.Signature + "】" + text
	}
	d := smsData{Phone: m.Phone, Text: text, ID: m.ID}
	var addr, body strings.Builder
	if err := s.URL.Execute(&addr, d); err != nil {
		return fmt.Errorf("sms: address template: %w", err)
	}
	if s.Body != nil {
		if err := s.Body.Execute(&body, d); err != nil {
			return fmt.Errorf("sms: body template: %w", err)
		}
	}
	method := strings.ToUpper(s.Method)
	if method == "" {
		method = http.MethodPost
	}
	var reader io.Reader
	if method != http.MethodGet {
		reader = strings.NewReader(body.String())
	}
	req, err := http.NewRequestWithContext(ctx, method, addr.String(), reader)
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	for k, v := range s.Headers {
		req.Header.Set(k, v)
	}
	res, answer, err := doHTTP(client(s.Client), SMS, req)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return httpStatusError(SMS, res, answer)
	}
	if s.OK != "" && !strings.Contains(answer, s.OK) {
		return fmt.Errorf("sms: the gateway refused: %s", snippet(answer))
	}
	return nil
}

// QuietHours is when no SMS goes to a citizen, e.g. 21:00–08:00 local time
// (Start after End: the quiet time spans midnight). Zero: never quiet.
type QuietHours struct {
	Start, End time.Duration // since local midnight
	Loc        *time.Location
}

// ParseQuietHours reads "21:00-08:00"; "" means never quiet.
func ParseQuietHours(s string, loc *time.Location) (QuietHours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return QuietHours{Loc: loc}, nil
	}
	from, to, ok := strings.Cut(s, "-")
	start, err1 := clock(from)
	end, err2 := clock(to)
	if !ok || err1 != nil || err2 != nil || start == end {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM", s)
	}
	return QuietHours{Start: start, End: end, Loc: loc}, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// NextAllowed is t when it lies outside the quiet hours, else when they
// end.
func (q QuietHours) NextAllowed(t time.Time) time.Time {
	if q.Start == q.End {
		return t
	}
	lt := t.In(q.Loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, q.Loc)
	since := lt.Sub(midnight)
	switch {
	case q.Start < q.End && since >= q.Start && since < q.End:
		return midnight.Add(q.End)
	case q.Start > q.End && since >= q.Start:
		return midnight.AddDate(0, 0, 1).Add(q.End)
	case q.Start > q.End && since < q.End:
		return midnight.Add(q.End)
	}
	return t
}
