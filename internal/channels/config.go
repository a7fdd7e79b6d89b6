package channels

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every outbound channel's settings, read from the environment
// (docs/operations.md lists them with examples). A channel whose address
// is empty is off.
type Config struct {
	SMTPHost     string `env:"SMTP_HOST"`
	SMTPPort     int    `env:"SMTP_PORT" envDefault:"587"`
	SMTPTLS      string `env:"SMTP_TLS" envDefault:"starttls"`
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	SMTPFrom     string `env:"SMTP_FROM"`

	WebhookURL    string `env:"NOTIFY_WEBHOOK_URL"`
	WebhookSecret string `env:"NOTIFY_WEBHOOK_SECRET"`

	WeComURL       string `env:"WECOM_ROBOT_URL"`
	DingTalkURL    string `env:"DINGTALK_ROBOT_URL"`
	DingTalkSecret string `env:"DINGTALK_ROBOT_SECRET"`
	// RobotHosts extends the hosts a unit's own robot may be on
	// (RobotHosts, ParseRobotHosts).
	RobotHosts string `env:"NOTIFY_ROBOT_HOSTS"`

	SMSURL    string `env:"SMS_GATEWAY_URL"`
	SMSMethod string `env:"SMS_GATEWAY_METHOD" envDefault:"POST"`
	// SMSHeaders is a JSON object of header names to values.
	SMSHeaders    string `env:"SMS_GATEWAY_HEADERS"`
	SMSBody       string `env:"SMS_GATEWAY_BODY"`
	SMSOK         string `env:"SMS_GATEWAY_OK"`
	SMSSignature  string `env:"SMS_SIGNATURE"`
	SMSQuietHours string `env:"SMS_QUIET_HOURS" envDefault:"21:00-08:00"`
}

// FromEnv reads the channels' settings from environ ("NAME=value" lines,
// as os.Environ gives them).
func FromEnv(environ map[string]string) (Config, error) {
	var c Config
	err := env.ParseWithOptions(&c, env.Options{Environment: environ})
	return c, err
}

// Senders builds the configured channels, keyed by channel name, and the
// quiet hours of SMS to citizens; it names every setting that is wrong.
func (c Config) Senders(loc *time.Location) (map[string]Sender, QuietHours, error) {
	out := map[string]Sender{}
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if c.SMTPHost != "" {
		if c.SMTPFrom == "" {
			bad("SMTP_FROM: required with SMTP_HOST")
		}
		if c.SMTPTLS != "starttls" && c.SMTPTLS != "tls" && c.SMTPTLS != "none" {
			bad("SMTP_TLS: %q is not starttls, tls or none", c.SMTPTLS)
		}
		if c.SMTPPort < 1 || c.SMTPPort > 65535 {
			bad("SMTP_PORT: %d is not a port", c.SMTPPort)
		}
		out[Email] = &EmailSender{Host: c.SMTPHost, Port: c.SMTPPort, TLS: c.SMTPTLS, Username: c.SMTPUsername,
			Password: c.SMTPPassword, From: c.SMTPFrom}
	}
	if c.WebhookURL != "" {
		checkURL(bad, "NOTIFY_WEBHOOK_URL", c.WebhookURL)
		if len(c.WebhookSecret) < 16 {
			bad("NOTIFY_WEBHOOK_SECRET: required with NOTIFY_WEBHOOK_URL, at least 16 characters")
		}
		out[Webhook] = &WebhookSender{URL: c.WebhookURL, Secret: c.WebhookSecret}
	}
	if c.WeComURL != "" {
		checkURL(bad, "WECOM_ROBOT_URL", c.WeComURL)
		out[WeCom] = &WeComSender{URL: c.WeComURL}
	}
	if c.DingTalkURL != "" {
		checkURL(bad, "DINGTALK_ROBOT_URL", c.DingTalkURL)
		out[DingTalk] = &DingTalkSender{URL: c.DingTalkURL, Secret: c.DingTalkSecret}
	}
	if c.SMSURL != "" {
		s := &SMSSender{Method: c.SMSMethod, OK: c.SMSOK, Signature: c.SMSSignature, Headers: map[string]string{}}
		var err error
		if s.URL, err = ParseSMSTemplate("SMS_GATEWAY_URL", c.SMSURL); err != nil {
			bad("SMS_GATEWAY_URL: %v", err)
		} else {
			checkURL(bad, "SMS_GATEWAY_URL", strings.SplitN(c.SMSURL, "{{", 2)[0]+"x")
		}
		if c.SMSBody != "" {
			if s.Body, err = ParseSMSTemplate("SMS_GATEWAY_BODY", c.SMSBody); err != nil {
				bad("SMS_GATEWAY_BODY: %v", err)
			}
		}
		if c.SMSHeaders != "" {
			if err := json.Unmarshal([]byte(c.SMSHeaders), &s.Headers); err != nil {
				bad("SMS_GATEWAY_HEADERS: want a JSON object of names to values: %v", err)
			}
		}
		if m := strings.ToUpper(c.SMSMethod); m != "GET" && m != "POST" && m != "PUT" {
			bad("SMS_GATEWAY_METHOD: %q is not GET, POST or PUT", c.SMSMethod)
		}
		out[SMS] = s
	}
	quiet, err := ParseQuietHours(c.SMSQuietHours, loc)
	if err != nil {
		bad("SMS_QUIET_HOURS: %v", err)
	}
	return out, quiet, errors.Join(errs...)
}

// AllowedRobotHosts is the allow-list of units' own robot addresses: the
// default hosts plus NOTIFY_ROBOT_HOSTS.
func (c Config) AllowedRobotHosts() (RobotHosts, error) {
	h, err := ParseRobotHosts(c.RobotHosts)
	if err != nil {
		return h, fmt.Errorf("NOTIFY_ROBOT_HOSTS: %w", err)
	}
	return h, nil
}

func checkURL(bad func(string, ...any), name, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("%s: %q is not an http(s) address", name, raw)
	}
}

// FromGetenv reads the channels' settings through getenv (os.Getenv, or a
// test's map), asking it for each variable Config names.
func FromGetenv(getenv func(string) string) (Config, error) {
	environ := map[string]string{}
	t := reflect.TypeOf(Config{})
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("env")
		if v := getenv(name); v != "" {
			environ[name] = v
		}
	}
	return FromEnv(environ)
}
