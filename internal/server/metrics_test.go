package server_test

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/sheet/sheettest"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

const metricsToken = "metrics-token-0123456789abcdef"

// withMetricsToken adds METRICS_TOKEN to the options.
func withMetricsToken(opt apptest.Options) apptest.Options {
	env := map[string]string{"METRICS_TOKEN": metricsToken}
	for k, v := range opt.Env {
		env[k] = v
	}
	opt.Env = env
	return opt
}

// getMetrics GETs /metrics on the app's listener with the given
// Authorization header ("" for none).
func getMetrics(t *testing.T, app *apptest.App, authorization string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", app.URL+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// scrape returns the app's metrics, fetched with the token, as series →
// value.
func scrape(t *testing.T, app *apptest.App) map[string]float64 {
	t.Helper()
	res, body := getMetrics(t, app, "Bearer "+metricsToken)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics with the token: %d %.300s", res.StatusCode, body)
	}
	values := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		values[line[:i]] = v
	}
	return values
}

// wantSeries checks the value of each series (absent counts as 0).
func wantSeries(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
}

// Without METRICS_TOKEN the main listener has no /metrics; with it, only a
// request bearing the token gets them.
func TestMetricsEndpointNeedsToken(t *testing.T) {
	open := apptest.New(t, apptest.Options{})
	if res, _ := getMetrics(t, open, "Bearer "+metricsToken); res.StatusCode != http.StatusNotFound {
		t.Errorf("no METRICS_TOKEN configured: /metrics answered %d, want 404", res.StatusCode)
	}

	app := apptest.New(t, withMetricsToken(apptest.Options{}))
	if res := app.Client().JSON(t, "GET", "/readyz", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("readyz: %d", res.StatusCode)
	}
	for _, auth := range []string{"", "Bearer wrong-token-0123456789abcdef", "Bearer " + metricsToken + "x",
		"Bearer " + metricsToken[:len(metricsToken)-1], "Basic " + metricsToken, metricsToken} {
		res, body := getMetrics(t, app, auth)
		if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %d (WWW-Authenticate %q), want 401 asking for a bearer token",
				auth, res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
		if strings.Contains(body, "minyi_") {
			t.Errorf("Authorization %q: metrics given away: %.200s", auth, body)
		}
	}
	res, body := getMetrics(t, app, "bearer "+metricsToken)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/plain") ||
		!strings.Contains(body, "# TYPE minyi_http_requests_total counter") {
		t.Fatalf("with the token: %d %q %.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	m := scrape(t, app)
	wantSeries(t, m, map[string]float64{
		`minyi_http_requests_total{method="GET",route="/metrics",status="401"}`: 6,
		`minyi_http_requests_total{method="GET",route="/metrics",status="200"}`: 1,
	})
	if m["minyi_db_pool_max_connections"] != float64(app.Config.DBMaxConns) {
		t.Errorf("minyi_db_pool_max_connections = %v, want DB_MAX_CONNS %d", m["minyi_db_pool_max_connections"], app.Config.DBMaxConns)
	}
	// /readyz took a connection from each pool.
	if m["minyi_db_pool_acquires_total"] < 1 || m[`minyi_db_pool_connections{state="idle"}`] < 1 ||
		m[`minyi_redis_pool_connections{state="idle"}`]+m[`minyi_redis_pool_connections{state="in_use"}`] < 1 {
		t.Errorf("pool state not reported: acquires %v, idle %v; redis idle %v, in use %v", m["minyi_db_pool_acquires_total"],
			m[`minyi_db_pool_connections{state="idle"}`], m[`minyi_redis_pool_connections{state="idle"}`],
			m[`minyi_redis_pool_connections{state="in_use"}`])
	}
}

// Requests count by route pattern and status, and ratings by channel and
// outcome, from the QR form and the terminal API alike.
func TestMetricsCountRequestsAndRatings(t *testing.T) {
	f := fixtures.NewPubFixture(t, withMetricsToken(apptest.Options{Env: map[string]string{"RATE_PUBLIC_CODE": "4-M"}}))
	a, b := f.Device("A"), f.Device("B")
	res, body := a.Rate(t, f.Code, fixtures.RatingForm("5", "token", "qr-token-1"))
	fixtures.WantThanks(t, res, body)
	res, body = b.Rate(t, f.Code, fixtures.RatingForm("5", "token", "qr-token-1")) // the same form sent again
	fixtures.WantThanks(t, res, body)
	res, body = a.Rate(t, f.Code, fixtures.RatingForm("4", "token", "qr-token-2"))
	fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
	res, body = b.Rate(t, f.Code, fixtures.RatingForm("9", "token", "qr-token-3"))
	fixtures.WantPublicPage(t, res, body, http.StatusUnprocessableEntity)
	res, body = f.Device("C").Rate(t, f.Code, fixtures.RatingForm("5")) // the code's fifth post this minute
	fixtures.WantPublicPage(t, res, body, http.StatusTooManyRequests)

	token := f.Terminal(t, "1号窗口")
	batch := map[string]any{"ratings": []map[string]any{{"id": "t-1", "level": 4}, {"id": "t-2", "level": 9}}}
	for range 2 { // the second time, t-1 is a duplicate
		if res := f.App.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+token); res.StatusCode != http.StatusOK {
			t.Fatalf("terminal batch: %d", res.StatusCode)
		}
	}
	if res, _ := a.Do(t, "GET", "/no/such/page/"+f.Code, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown page: %d", res.StatusCode)
	}

	m := scrape(t, f.App)
	wantSeries(t, m, map[string]float64{
		`minyi_ratings_total{channel="qr",outcome="created",reason=""}`:                             1,
		`minyi_ratings_total{channel="qr",outcome="duplicate",reason=""}`:                           1,
		`minyi_ratings_total{channel="qr",outcome="rejected",reason="daily_limit"}`:                 1,
		`minyi_ratings_total{channel="qr",outcome="rejected",reason="invalid"}`:                     1,
		`minyi_ratings_total{channel="qr",outcome="rejected",reason="rate_limited"}`:                1,
		`minyi_ratings_total{channel="terminal",outcome="created",reason=""}`:                       1,
		`minyi_ratings_total{channel="terminal",outcome="duplicate",reason=""}`:                     1,
		`minyi_ratings_total{channel="terminal",outcome="rejected",reason="invalid"}`:               2,
		`minyi_http_requests_total{method="POST",route="/q/:code",status="303"}`:                    2,
		`minyi_http_requests_total{method="POST",route="/q/:code",status="409"}`:                    1,
		`minyi_http_requests_total{method="POST",route="/q/:code",status="422"}`:                    1,
		`minyi_http_requests_total{method="POST",route="/q/:code",status="429"}`:                    1,
		`minyi_http_requests_total{method="GET",route="unmatched",status="404"}`:                    1,
		`minyi_http_request_duration_seconds_count{method="POST",route="/q/:code"}`:                 5,
		`minyi_http_request_duration_seconds_count{method="POST",route="/api/v1/terminal/ratings"}`: 2,
		// Two QR ratings and two terminal batches reached the writer, one rating each.
		`minyi_rating_writer_flushes_total{result="ok"}`:            4,
		`minyi_rating_writer_batch_ratings_count`:                   4,
		`minyi_rating_writer_batch_ratings_sum`:                     4,
		`minyi_rating_writer_flush_duration_seconds_count`:          4,
		`minyi_ratelimit_checks_total{limit="qc",result="allowed"}`: 5,
		`minyi_ratelimit_checks_total{limit="qk",result="allowed"}`: 4,
		`minyi_ratelimit_checks_total{limit="qk",result="limited"}`: 1,
		`minyi_ratelimit_checks_total{limit="t",result="allowed"}`:  2,
	})
	for series := range m {
		if strings.Contains(series, f.Code) || strings.Contains(series, "no/such") {
			t.Errorf("a URL leaked into a label: %s", series)
		}
	}
}

// With Redis unreachable the limiter lets requests through and says so;
// the sign-in limit falls back to Postgres.
func TestMetricsCountLimiterFailingOpen(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	f := fixtures.NewPubFixture(t, withMetricsToken(apptest.Options{Redis: rdb}))
	res, body := f.Device("A").Rate(t, f.Code, fixtures.RatingForm("3"))
	fixtures.WantThanks(t, res, body)
	m := scrape(t, f.App)
	wantSeries(t, m, map[string]float64{
		`minyi_ratelimit_checks_total{limit="qc",result="failed_open"}`: 1,
		`minyi_ratelimit_checks_total{limit="qk",result="failed_open"}`: 1,
		`minyi_ratelimit_checks_total{limit="qc",result="allowed"}`:     0,
		`minyi_login_throttle_postgres_total`:                           1, // the fixture's sign-in
		`minyi_ratings_total{channel="qr",outcome="created",reason=""}`: 1,
	})
}

// A rating the writer cannot store counts as failed, with the failed batch.
func TestMetricsCountWriterFailures(t *testing.T) {
	f := fixtures.NewPubFixture(t, withMetricsToken(apptest.Options{WriterDatabaseURL: apptest.UnreachableDB}))
	res, body := f.Device("A").Rate(t, f.Code, fixtures.RatingForm("5"))
	fixtures.WantPublicPage(t, res, body, http.StatusServiceUnavailable, "系统繁忙")
	if res := f.PostTerminal(t, f.Terminal(t, "1号窗口"), "r-1", nil); res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("terminal post with the writer down: %d", res.StatusCode)
	}
	wantSeries(t, scrape(t, f.App), map[string]float64{
		`minyi_rating_writer_flushes_total{result="failed"}`:                 1 + 1,
		`minyi_rating_writer_flushes_total{result="ok"}`:                     0,
		`minyi_ratings_total{channel="qr",outcome="failed",reason=""}`:       1,
		`minyi_ratings_total{channel="terminal",outcome="failed",reason=""}`: 1,
	})
}

// Uploaded spreadsheets count as parsed or refused, by reason.
func TestMetricsCountSheetReads(t *testing.T) {
	w := fixtures.NewAgencyWorld(t)
	w.App.Server.Config.MetricsToken = metricsToken
	header := []string{"答卷编号", "单位", "受访群体", "总体满意度"}
	w.PostFile(t, w.Token, "long.xlsx", sheettest.HugeCellXLSX(t, header, 100<<10)).
		Decode(t, http.StatusUnprocessableEntity, nil)
	w.PostFile(t, w.Token, "old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}).
		Decode(t, http.StatusUnprocessableEntity, nil)
	w.PostFile(t, w.Token, "ok.csv", []byte("答卷编号,单位,受访群体,总体满意度\nB1,ZWZX,人大代表,5\n")).
		Decode(t, http.StatusOK, nil)
	wantSeries(t, scrape(t, w.App), map[string]float64{
		`minyi_sheet_reads_total{outcome="too_large"}`:  1,
		`minyi_sheet_reads_total{outcome="bad_format"}`: 1,
		`minyi_sheet_reads_total{outcome="parsed"}`:     1,
		`minyi_sheet_reads_total{outcome="bomb"}`:       0,
	})
}

// An upload large enough to be spooled to disk leaves no temporary file,
// although the metrics have the form read through a request of their own.
func TestMetricsUploadLeavesNoTempFiles(t *testing.T) {
	w := fixtures.NewSurveyWorld(t, withMetricsToken(apptest.Options{}))
	sv := w.CreateSurvey(t, map[string]any{"groups": []map[string]any{{"key": "npc_deputies"}}})
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	big := "姓名,群体\n张三," + strings.Repeat("x", 9<<20) + "\n" // over the 8 MiB of a form kept in memory
	if p := apptest.PostFile(t, w.Office, "/console/surveys/"+apptest.Itoa(sv.ID)+"/respondents/import", "名单.csv", []byte(big)); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("import: %d %.300s", p.Status, apptest.PageText(p.Body))
	}
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		left = left[:0]
		for _, e := range entries {
			left = append(left, e.Name())
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	wantSeries(t, scrape(t, w.App), map[string]float64{`minyi_sheet_reads_total{outcome="too_large"}`: 1})
}
