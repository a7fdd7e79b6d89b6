package metrics_test

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"minyi/internal/metrics"
)

// exposition returns the metrics as a scraper reads them.
func exposition(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 200 {
		t.Fatalf("metrics handler: %d %s", rec.Code, body)
	}
	return string(body)
}

// series returns the lines of the exposition of the named metric.
func series(text, name string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			out = append(out, line)
		}
	}
	return out
}

// Code paths without metrics call the methods on nil.
func TestNilMetricsDoNothing(t *testing.T) {
	var m *metrics.Metrics
	m.SetComponent("redis", true)
	m.MaintenanceRun(time.Second, nil)
	m.MaintenanceLastOK(time.Now())
	m.Request("GET", "/", 200, time.Millisecond)
	m.Ratings("qr", "created", 1)
	m.RatingBatch(3, time.Millisecond, nil)
	m.RateLimitCheck("qc", "allowed")
	m.LoginFallback()
	m.SheetRead("parsed")
	m.WatchPools(nil, nil)
}

// A label takes only values from its list: whatever a client sends, the
// number of series stays bounded.
func TestLabelsAreBounded(t *testing.T) {
	m := metrics.New()
	m.Request("BREW", "", 999, time.Millisecond)
	m.Request("GET", "/q/:code", 200, time.Millisecond)
	m.Ratings("sms", "created", 1)
	m.Ratings("qr", "something-new", 2)
	m.Ratings("terminal", "failed", 3)
	m.Ratings("terminal", "case_conflict", 0) // nothing to count
	m.RateLimitCheck("qc", "maybe")
	m.SheetRead("exploded")
	m.RatingBatch(5, 20*time.Millisecond, errors.New("down"))
	text := exposition(t, m)
	want := map[string][]string{
		"minyi_http_requests_total": {`minyi_http_requests_total{method="GET",route="/q/:code",status="200"} 1`,
			`minyi_http_requests_total{method="other",route="unmatched",status="other"} 1`},
		"minyi_ratings_total": {`minyi_ratings_total{channel="other",outcome="created",reason=""} 1`,
			`minyi_ratings_total{channel="qr",outcome="rejected",reason="other"} 2`,
			`minyi_ratings_total{channel="terminal",outcome="failed",reason=""} 3`},
		"minyi_ratelimit_checks_total":          {`minyi_ratelimit_checks_total{limit="qc",result="other"} 1`},
		"minyi_sheet_reads_total":               {`minyi_sheet_reads_total{outcome="other"} 1`},
		"minyi_rating_writer_flushes_total":     {`minyi_rating_writer_flushes_total{result="failed"} 1`},
		"minyi_rating_writer_batch_ratings_sum": {"minyi_rating_writer_batch_ratings_sum 5"},
	}
	for name, lines := range want {
		if got := series(text, name); strings.Join(got, "\n") != strings.Join(lines, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(lines, "\n"))
		}
	}
}

// Without pools to watch, the pool metrics are absent rather than zero.
func TestPoolsAbsentUntilWatched(t *testing.T) {
	text := exposition(t, metrics.New())
	if strings.Contains(text, "minyi_db_pool_") || strings.Contains(text, "minyi_redis_pool_") {
		t.Errorf("pool metrics before WatchPools:\n%s", text)
	}
}
