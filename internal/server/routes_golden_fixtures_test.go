package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"minyi/internal/demo"
	"minyi/internal/testutil/apptest"
)

func goldenTime(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, goldenLoc) }

func goldenMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var goldenLoc, _ = time.LoadLocation("Asia/Shanghai")

// The walk's clock (an apptest.Clock): the data is made at goldenSeedAt and
// the walk runs at goldenWalkAt, after the review window of the preliminary
// results has closed.
var (
	goldenSeedAt = goldenTime(4, 10)  // Wednesday 2026-11-04 10:00
	goldenWalkAt = goldenTime(18, 10) // Wednesday 2026-11-18 10:00
)

// goldenWorld is a server with the demo data and, made through the API,
// everything the demo lacks for the routes to answer with content: a
// terminal, an agency with a token and an upload, a hall network, an
// approved target sheet with a pending change request, reports and a
// self-evaluation, evidence, a bonus claim, a deduction, an adjustment, a
// real-name rectification case (answered, done, closed, released, marked
// for carrying, called back, with a follow-up link), a rating appeal and
// final results with an answered application for review. p holds the
// values the walk puts into route parameters.
type goldenWorld struct {
	app           *apptest.App
	clock         *apptest.Clock
	office, unit  *apptest.Client
	leader        *apptest.Client
	officeCSRF    string
	unitCSRF      string
	leaderCSRF    string
	terminalToken string
	agencyToken   string
	p             map[string]string
}

// goldenReply is a reply read whole.
type goldenReply struct {
	res  *http.Response
	body []byte
}

// goldenDo sends one request; headers are name, value pairs.
func goldenDo(t *testing.T, c *apptest.Client, method, path, ctype string, body []byte, headers ...string) goldenReply {
	t.Helper()
	req, err := http.NewRequest(method, c.App.URL+path, bytes.NewReader(body))
	goldenMust(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.C.Do(req)
	goldenMust(t, err)
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	goldenMust(t, err)
	return goldenReply{res: res, body: data}
}

// call sends in as JSON and decodes the reply into out, failing the test
// unless the status is want.
func (w *goldenWorld) call(t *testing.T, c *apptest.Client, method, path string, in any, want int, out any, headers ...string) {
	t.Helper()
	var body []byte
	if in != nil {
		var err error
		body, err = json.Marshal(in)
		goldenMust(t, err)
	}
	r := goldenDo(t, c, method, path, "application/json", body, headers...)
	if r.res.StatusCode != want {
		t.Fatalf("fixture %s %s: status %d, want %d: %s", method, path, r.res.StatusCode, want, r.body)
	}
	if out != nil {
		dec := json.NewDecoder(bytes.NewReader(r.body))
		dec.UseNumber()
		goldenMust(t, dec.Decode(out))
	}
}

var goldenCSRFRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// goldenCSRF reads the session's CSRF token from the console overview.
func goldenCSRF(t *testing.T, c *apptest.Client) string {
	t.Helper()
	r := goldenDo(t, c, "GET", "/console", "", nil)
	m := goldenCSRFRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF token on /console (status %d)", r.res.StatusCode)
	}
	return string(m[1])
}

// goldenPNG is a small valid PNG for evidence uploads.
func goldenPNG(t *testing.T) []byte {
	var buf bytes.Buffer
	goldenMust(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))))
	return buf.Bytes()
}

type goldenObj struct {
	ID json.Number `json:"id"`
}

type goldenList struct {
	Items []map[string]any `json:"items"`
}

// newGoldenWorld seeds the demo at goldenSeedAt, adds the fixtures and
// sets the clock to goldenWalkAt.
func newGoldenWorld(t *testing.T) *goldenWorld {
	t.Helper()
	clock := apptest.NewClock(goldenSeedAt)
	many := "100000-M"
	app := apptest.New(t, apptest.Options{Now: clock.Now, Env: map[string]string{
		"RATE_PUBLIC_PAGE": many, "RATE_PUBLIC_CLIENT": many, "RATE_PUBLIC_CODE": many, "RATE_TERMINAL": many,
		"RATE_LOGIN": many, "RATE_AGENCY": many, "RATE_PROBE": many, "RATE_PUBLIC_DAILY_PER_ADDRESS": "100000",
		"METRICS_TOKEN": "golden-metrics-token-0123456789"}})
	ctx := context.Background()
	if _, err := demo.Seed(ctx, app.Pool, app.Config, app.Keys, goldenSeedAt); err != nil {
		t.Fatal(err)
	}
	w := &goldenWorld{app: app, clock: clock, office: app.Client(), unit: app.Client(), leader: app.Client(), p: map[string]string{}}
	w.office.SignIn(t, "office", "office-demo-2026")
	w.unit.SignIn(t, "unit-hrss", "unit-demo-2026")
	w.leader.SignIn(t, "leader", "leader-demo-2026")
	w.officeCSRF, w.unitCSRF, w.leaderCSRF = goldenCSRF(t, w.office), goldenCSRF(t, w.unit), goldenCSRF(t, w.leader)
	w.p["user"] = strconv.Itoa(app.Count(t, `SELECT id FROM users WHERE username = 'unit-hrss'`))
	w.p["session"] = "0000000000000000"
	w.register(t)
	w.surveyFixtures(t)
	w.targetFixtures(t)
	w.assessmentFixtures(t)
	w.caseFixtures(t)
	w.resultFixtures(t)
	w.instrumentFixtures(t)
	// A finished background export of the unit's user, one piece long
	// (the exports' status and download routes): others get 404.
	w.p["export"] = strconv.Itoa(app.Count(t, `WITH j AS (
		INSERT INTO export_jobs (user_id, kind, format, title, state, rows_total, rows_done, file_size, finished_at, expires_at)
		SELECT id, 'ratings', 'csv', '评价记录', 'done', 1, 1, 3, now(), now() + interval '3 days'
		FROM users WHERE username = 'unit-hrss' RETURNING id
	), c AS (INSERT INTO export_chunks (job_id, seq, data) SELECT id, 0, '\xefbbbf'::bytea FROM j)
	SELECT id FROM j`))
	// A business system of the unit (window requests); no request exists.
	w.p["business_system"] = strconv.Itoa(app.Count(t, `INSERT INTO business_systems (name, unit_ids)
		VALUES ('巡检业务系统', ARRAY[$1::bigint]) RETURNING id`, w.p["unit"]))
	w.p["window_request"] = "00000000-0000-4000-8000-000000000000"
	w.p["wtoken"] = "nope"
	// No suspicious-pattern flag nor held group exists (the walk's rate
	// limits are generous, the demo has no pattern): their ids, only
	// used by writes, name nothing; the held key is well formed.
	for k, v := range map[string]string{"version": "1", "year": "2026", "kind": "rating", "tkind": "case.sent", "file": "console.css",
		"flag": "999999999", "held": w.p["unit"] + "-20261118-0a000001", "link_integration": "999999999", "link_key": "nope"} {
		w.p[k] = v
	}
	return w
}
