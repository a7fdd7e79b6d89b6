package config

import (
	"net"
	"strings"
	"unicode"
)

// MinMetricsToken is the shortest METRICS_TOKEN taken: the token guards
// the metrics on the public listener, so it must not be guessable.
const MinMetricsToken = 16

// validateMetrics checks METRICS_ADDR and METRICS_TOKEN.
func (c *Config) validateMetrics(bad func(name, format string, a ...any)) {
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			bad("METRICS_ADDR", "must be host:port or :port (e.g. 127.0.0.1:9090), got %q", c.MetricsAddr)
		} else if c.MetricsAddr == c.HTTPAddr {
			bad("METRICS_ADDR", "must differ from HTTP_ADDR (%s)", c.HTTPAddr)
		}
	}
	if c.MetricsToken == "" {
		return
	}
	if len(c.MetricsToken) < MinMetricsToken {
		bad("METRICS_TOKEN", "must be at least %d characters (e.g. `openssl rand -hex 24`)", MinMetricsToken)
	}
	if strings.ContainsFunc(c.MetricsToken, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		bad("METRICS_TOKEN", "must not contain spaces or control characters")
	}
}
