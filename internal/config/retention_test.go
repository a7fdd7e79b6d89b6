package config_test

import (
	"strings"
	"testing"
)

func TestRatingsRetentionMonths(t *testing.T) {
	c, err := load(map[string]string{"SECRET_KEY": goodSecret})
	if err != nil || c.RatingsRetentionMonths != 0 {
		t.Fatalf("default RATINGS_RETENTION_MONTHS = %d (%v), want 0: keep every month", c.RatingsRetentionMonths, err)
	}
	for _, v := range []string{"0", "3", "36", "1200"} {
		c, err := load(map[string]string{"SECRET_KEY": goodSecret, "RATINGS_RETENTION_MONTHS": v})
		if err != nil {
			t.Errorf("RATINGS_RETENTION_MONTHS=%s refused: %v", v, err)
		} else if !strings.Contains(c.String(), "RATINGS_RETENTION_MONTHS="+v) {
			t.Errorf("String() = %s, want it to show RATINGS_RETENTION_MONTHS=%s", c.String(), v)
		}
	}
	for _, v := range []string{"-1", "1", "2", "1201", "3y", "36.5"} {
		_, err := load(map[string]string{"SECRET_KEY": goodSecret, "RATINGS_RETENTION_MONTHS": v})
		if err == nil || !strings.Contains(err.Error(), "RATINGS_RETENTION_MONTHS") {
			t.Errorf("RATINGS_RETENTION_MONTHS=%s: %v, want an error naming it", v, err)
		}
	}
}
