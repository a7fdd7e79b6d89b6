package server_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"minyi/internal/testutil/apptest"
)

// lockUnits holds an ACCESS EXCLUSIVE lock on units from a connection of
// its own, so that every query reading units waits, until the returned
// release (or the end of the test).
func lockUnits(t *testing.T, app *apptest.App) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, app.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `LOCK TABLE units IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		}
	}
	t.Cleanup(release)
	return release
}

// lockWaiters counts the server's statements waiting for a lock in the
// test's database, as Postgres sees them.
func lockWaiters(t *testing.T, app *apptest.App) int {
	t.Helper()
	var n int
	if err := app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'minyi' AND state = 'active' AND wait_event_type = 'Lock'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitLockWaiters waits up to within for lockWaiters to be want, and
// reports how long it took; the test fails when it never is.
func waitLockWaiters(t *testing.T, app *apptest.App, want int, within time.Duration, what string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		n := lockWaiters(t, app)
		if n == want {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: %d statements still wait for the lock after %s, want %d", what, n, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// requestCount reads minyi_http_requests_total for the route and status.
func requestCount(t *testing.T, reg *prometheus.Registry, route, status string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "minyi_http_requests_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && (labels["status"] == status || status == "5xx" && labels["status"][0] == '5') {
				n += m.GetCounter().GetValue()
			}
		}
	}
	return n
}

// Issue 12: a console page and an API read whose query is blocked answer
// at REQUEST_TIMEOUT — the Chinese page, the JSON code timeout, both 504 —
// and their statements are cancelled in Postgres, not left waiting.
func TestTimedOutQueryIsCancelled(t *testing.T) {
	app := apptest.New(t, apptest.Options{Env: map[string]string{"REQUEST_TIMEOUT": "1s"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	page := apptest.SignedIn(t, app, "office1", "office-pass-1")
	api := app.Client()
	api.SignIn(t, "office1", "office-pass-1")
	release := lockUnits(t, app)

	start := time.Now()
	p := apptest.Get(t, page, "/console/units")
	took := time.Since(start)
	if p.Status != http.StatusGatewayTimeout || !p.Has("查询超时") || !p.Has("查询时间过长") {
		t.Fatalf("blocked units page: %d after %s\n%s", p.Status, took, p.Body)
	}
	if took < 900*time.Millisecond || took > 10*time.Second {
		t.Errorf("blocked units page answered after %s, want about REQUEST_TIMEOUT (1s)", took)
	}
	waitLockWaiters(t, app, 0, 5*time.Second, "after the page's timeout")

	var reply struct {
		Error struct{ Code, Message string }
	}
	start = time.Now()
	res := api.JSON(t, "GET", "/api/v1/units", nil, &reply)
	took = time.Since(start)
	if res.StatusCode != http.StatusGatewayTimeout || reply.Error.Code != "timeout" || reply.Error.Message == "" {
		t.Fatalf("blocked API read: %d %+v after %s", res.StatusCode, reply.Error, took)
	}
	if took > 10*time.Second {
		t.Errorf("blocked API read answered after %s, want about REQUEST_TIMEOUT (1s)", took)
	}
	if ra := res.Header.Get("Retry-After"); ra != "" {
		t.Errorf("timeout carries Retry-After %q: an automatic retry would run the same query again", ra)
	}
	waitLockWaiters(t, app, 0, 5*time.Second, "after the API's timeout")

	// The connections whose statements were cancelled are fine for the next.
	release()
	if p := apptest.Get(t, page, "/console/units"); p.Status != http.StatusOK {
		t.Errorf("units page after the lock: %d", p.Status)
	}
	if res := api.JSON(t, "GET", "/api/v1/units", nil, nil); res.StatusCode != http.StatusOK {
		t.Errorf("units API after the lock: %d", res.StatusCode)
	}
	if n := requestCount(t, app.Server.Metrics.Registry, "/console/units", "504"); n != 1 {
		t.Errorf("minyi_http_requests_total{route=/console/units,status=504} = %v, want 1", n)
	}
}

// A client that gives up before REQUEST_TIMEOUT (a reload, a closed tab)
// cancels its query at once, and the request is recorded as 499, not as a
// server error.
func TestAbandonedRequestCancelsItsQuery(t *testing.T) {
	app := apptest.New(t, apptest.Options{Env: map[string]string{"REQUEST_TIMEOUT": "1m"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	page := apptest.SignedIn(t, app, "office1", "office-pass-1")
	lockUnits(t, app)

	impatient := *page.C
	impatient.Timeout = 2 * time.Second
	gaveUp := make(chan time.Time, 1)
	go func() {
		res, err := impatient.Get(app.URL + "/console/units")
		if err == nil {
			res.Body.Close()
			t.Errorf("the impatient client got an answer: %d", res.StatusCode)
		}
		gaveUp <- time.Now()
	}()
	waitLockWaiters(t, app, 1, 2*time.Second, "while the client waits") // the page's query is blocked
	at := <-gaveUp
	took := waitLockWaiters(t, app, 0, 10*time.Second, "after the client gave up")
	t.Logf("the abandoned query was cancelled %s after the client gave up", took)
	if took > 5*time.Second {
		t.Errorf("the abandoned query was cancelled %s after the client gave up", took)
	}
	reg := app.Server.Metrics.Registry
	for n := 0.0; n != 1; n = requestCount(t, reg, "/console/units", "499") {
		if time.Since(at) > 10*time.Second {
			t.Fatalf("minyi_http_requests_total{route=/console/units,status=499} = %v, want 1", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := requestCount(t, reg, "/console/units", "5xx"); n != 0 {
		t.Errorf("the abandoned request counted as %v server errors", n)
	}
}

// The routes that take or give a file are registered routes, and include
// the exports and uploads; a page is not one.
func TestFileRoutesAreRoutes(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	var routes []string
	for _, r := range app.Server.Handler().(*gin.Engine).Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	files := app.Server.FileRoutes()
	for _, f := range files {
		if !slices.Contains(routes, f) {
			t.Errorf("file route %s is not registered", f)
		}
	}
	for _, want := range []string{"GET /api/v1/cycles/:id/scores.xlsx", "GET /console/cycles/:id/scores.xlsx",
		"POST /console/agencies/:id/uploads", "POST /api/v1/agency/responses/file", "GET /console/evidence/:id"} {
		if !slices.Contains(files, want) {
			t.Errorf("%s is not a file route", want)
		}
	}
	for _, not := range []string{"GET /console/units", "POST /api/v1/terminal/ratings"} {
		if slices.Contains(files, not) {
			t.Errorf("%s is a file route", not)
		}
	}
}
