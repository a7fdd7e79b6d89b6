package config_test

import (
	"strings"
	"testing"
)

func TestMetricsSettings(t *testing.T) {
	c, err := load(map[string]string{"SECRET_KEY": goodSecret})
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "" || c.MetricsToken != "" {
		t.Errorf("metrics served by default: METRICS_ADDR=%q METRICS_TOKEN=%q", c.MetricsAddr, c.MetricsToken)
	}
	token := "scrape-token-0123456789"
	c, err = load(map[string]string{"SECRET_KEY": goodSecret, "METRICS_ADDR": "127.0.0.1:9090", "METRICS_TOKEN": token})
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" || c.MetricsToken != token {
		t.Errorf("METRICS_ADDR, METRICS_TOKEN read as %q, %q", c.MetricsAddr, c.MetricsToken)
	}
	if s := c.String(); !strings.Contains(s, "METRICS_ADDR=127.0.0.1:9090 METRICS_TOKEN=****") || strings.Contains(s, token) {
		t.Errorf("String() = %s, want METRICS_ADDR shown and METRICS_TOKEN masked", s)
	}
	if _, err := load(map[string]string{"SECRET_KEY": goodSecret, "METRICS_ADDR": ":9090"}); err != nil {
		t.Errorf("METRICS_ADDR=:9090: %v", err)
	}

	bad := []struct{ name, value string }{
		{"METRICS_ADDR", "9090"},
		{"METRICS_ADDR", "127.0.0.1"},
		{"METRICS_ADDR", "127.0.0.1:"},
		{"METRICS_ADDR", ":8080"}, // HTTP_ADDR's default
		{"METRICS_TOKEN", "short-token"},
		{"METRICS_TOKEN", "fifteen-chars15"},
		{"METRICS_TOKEN", "token with spaces inside"},
	}
	for _, tt := range bad {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := load(map[string]string{"SECRET_KEY": goodSecret, tt.name: tt.value})
			if err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("error %v, want one naming %s", err, tt.name)
			}
		})
	}
}
