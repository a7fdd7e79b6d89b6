package channels

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// DefaultRobotHosts are the group robots' public hosts a unit may point its
// own robot at: 企业微信 and 钉钉, over https.
var DefaultRobotHosts = []string{"https://qyapi.weixin.qq.com", "https://oapi.dingtalk.com"}

// RobotHosts is the allow-list of origins (scheme, host and port) a unit's
// own robot address may have. The product posts to whatever address a
// unit enters, from inside the office's network, so an open list would let
// a unit account reach any internal service (SSRF): only the robots'
// hosts are accepted, plus those a private deployment (政务微信, 专有钉钉)
// lists in NOTIFY_ROBOT_HOSTS.
type RobotHosts struct{ origins []origin }

type origin struct{ scheme, host, port string }

// ParseRobotHosts returns the default hosts plus extra, a comma-separated
// list of origins such as "https://zwwx.example.gov.cn" or
// "http://10.1.2.3:8080" (a bare host means https).
func ParseRobotHosts(extra string) (RobotHosts, error) {
	var h RobotHosts
	var errs []error
	for _, raw := range append(append([]string(nil), DefaultRobotHosts...), strings.Split(extra, ",")...) {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		if !strings.Contains(raw, "://") {
			raw = "https://" + raw
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("%q is not an origin like https://host[:port]", raw))
			continue
		}
		h.origins = append(h.origins, originOf(u))
	}
	return h, errors.Join(errs...)
}

func originOf(u *url.URL) origin {
	port := u.Port()
	if port == "" {
		port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
	}
	return origin{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: port}
}

// ErrRobotHost is the refusal of an address outside the allow-list.
var ErrRobotHost = errors.New("机器人地址不在允许的范围内")

// Check reports whether raw is an address a unit's robot may have: an
// absolute http(s) URL without credentials on an allowed origin.
func (h RobotHosts) Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return ErrRobotHost
	}
	if h.origins == nil {
		h, _ = ParseRobotHosts("")
	}
	o := originOf(u)
	for _, allowed := range h.origins {
		if allowed == o {
			return nil
		}
	}
	return ErrRobotHost
}

// Origins lists the allowed origins, for the settings page.
func (h RobotHosts) Origins() []string {
	if h.origins == nil {
		h, _ = ParseRobotHosts("")
	}
	out := make([]string, len(h.origins))
	for i, o := range h.origins {
		out[i] = o.scheme + "://" + o.host
		if (o.scheme == "https" && o.port != "443") || (o.scheme == "http" && o.port != "80") {
			out[i] += ":" + o.port
		}
	}
	return out
}

// MaskURL shows a robot address without its key: the origin and path,
// each query value cut to its last four characters (…key=****3f2a), and
// any long path segment (a token in the path) likewise.
func MaskURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "****"
	}
	segs := strings.Split(u.EscapedPath(), "/")
	for i, s := range segs {
		if len(s) >= 20 {
			segs[i] = maskTail(s)
		}
	}
	out := u.Scheme + "://" + u.Host + strings.Join(segs, "/")
	if u.RawQuery != "" {
		var parts []string
		for _, kv := range strings.Split(u.RawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			parts = append(parts, k+"="+maskTail(v))
		}
		out += "?" + strings.Join(parts, "&")
	}
	return out
}

func maskTail(s string) string {
	if len(s) <= 8 {
		return "****"
	}
	return "****" + s[len(s)-4:]
}
