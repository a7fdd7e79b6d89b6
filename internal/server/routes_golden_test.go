package server_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/testutil/apptest"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/routes.golden from the route walk")

const goldenFile = "testdata/routes.golden"

// TestRouteWalkGolden walks every registered route as each persona
// (anonymous, office, unit user, survey agency, terminal) and compares
// status, Content-Type and the shape of each reply with
// testdata/routes.golden. It pins the behaviour of the whole HTTP layer so
// that moving code between packages can be checked to change nothing.
//
// The routes come from the engine itself: a registered route missing from
// the walk table (goldenAPIRoutes and goldenPageRoutes), or an entry that is
// not registered, fails the test. Reads get real ids of the demo data and
// the fixtures; writes get a deliberately invalid body (see goldenRequest)
// so that the walk changes nothing and its order does not matter, which
// the test checks by comparing a fingerprint of the database before and
// after the walk. Writes whose handler acts without reading a body are
// sent to an id that names nothing ("ghost" in the table). The clock is
// fixed (goldenWalkAt) and every line is free of ids, tokens, times and
// counts: see goldenShape for what is recorded of a reply.
//
// After a deliberate change of behaviour, regenerate the file with
//
//	go test ./internal/server -run TestRouteWalkGolden -update-golden
//
// or MINYI_UPDATE_GOLDEN=1 in the environment, and review the diff.
func TestRouteWalkGolden(t *testing.T) {
	w := newGoldenWorld(t)
	table := goldenTable(t)
	checkRouteSet(t, w.app, table)
	personas := w.personas(t)
	before := goldenFingerprint(t, w.app)
	var lines []string
	for _, e := range table {
		for _, p := range personas {
			lines = append(lines, w.walk(t, e, p))
		}
	}
	if changed := diffFingerprints(before, goldenFingerprint(t, w.app)); changed != "" {
		t.Errorf("the walk changed data (tables %s): a write in the table acts without reading its body; mark it ghost", changed)
	}
	got := strings.Join(lines, "\n") + "\n"
	if *updateGolden || os.Getenv("MINYI_UPDATE_GOLDEN") == "1" {
		goldenMust(t, os.MkdirAll(filepath.Dir(goldenFile), 0o755))
		goldenMust(t, os.WriteFile(goldenFile, []byte(got), 0o644))
		t.Logf("wrote %s: %d routes, %d requests", goldenFile, len(table), len(lines))
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (create it with -update-golden or MINYI_UPDATE_GOLDEN=1)", err)
	}
	if d := goldenDiff(string(want), got); d != "" {
		t.Errorf("the route walk differs from %s (- golden, + now); if the change is meant, "+
			"regenerate with -update-golden or MINYI_UPDATE_GOLDEN=1:\n%s", goldenFile, d)
	}
}

// checkRouteSet fails for a registered route the table lacks and for a
// table entry that is not registered.
func checkRouteSet(t *testing.T, app *apptest.App, table []goldenEntry) {
	t.Helper()
	engine, ok := app.Server.Handler().(interface{ Routes() gin.RoutesInfo })
	if !ok {
		t.Fatalf("the server's handler %T does not list its routes", app.Server.Handler())
	}
	registered := map[string]bool{}
	for _, r := range engine.Routes() {
		registered[r.Method+" "+r.Path] = true
	}
	walked := map[string]bool{}
	for _, e := range table {
		walked[e.route] = true
		if !registered[e.route] {
			t.Errorf("the walk table names %q, which is not registered: remove it from goldenAPIRoutes or goldenPageRoutes", e.route)
		}
	}
	var missing []string
	for r := range registered {
		if !walked[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("route %q is registered but not walked: add it to goldenAPIRoutes (routes_golden_table_test.go) or goldenPageRoutes (routes_golden_pages_test.go) and regenerate %s", r, goldenFile)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// goldenPersona is who sends a request: a session cookie (with its CSRF
// token for console forms) or a bearer token, or nothing.
type goldenPersona struct {
	name    string
	session string
	csrf    string
	bearer  string
	// fresh signs in again for a route that ends the session, so the
	// persona's own session survives.
	fresh func(t *testing.T) (session, csrf string)
}

func (w *goldenWorld) personas(t *testing.T) []goldenPersona {
	t.Helper()
	signIn := func(user, pass string) func(t *testing.T) (string, string) {
		return func(t *testing.T) (string, string) {
			c := w.app.Client()
			c.SignIn(t, user, pass)
			return goldenSessionCookie(t, c), goldenCSRF(t, c)
		}
	}
	return []goldenPersona{
		{name: "anonymous"},
		{name: "office", session: goldenSessionCookie(t, w.office), csrf: w.officeCSRF, fresh: signIn("office", "office-demo-2026")},
		{name: "unit", session: goldenSessionCookie(t, w.unit), csrf: w.unitCSRF, fresh: signIn("unit-hrss", "unit-demo-2026")},
		{name: "leader", session: goldenSessionCookie(t, w.leader), csrf: w.leaderCSRF, fresh: signIn("leader", "leader-demo-2026")},
		{name: "agency", bearer: w.agencyToken},
		{name: "terminal", bearer: w.terminalToken},
	}
}

// goldenSessionCookie is the session token in the client's cookie jar.
func goldenSessionCookie(t *testing.T, c *apptest.Client) string {
	t.Helper()
	u, _ := url.Parse(c.App.URL)
	for _, ck := range c.C.Jar.Cookies(u) {
		if ck.Name == "minyi_session" {
			return ck.Value
		}
	}
	t.Fatal("no session cookie after signing in")
	return ""
}

// walk sends the entry's request as the persona and returns its golden line.
func (w *goldenWorld) walk(t *testing.T, e goldenEntry, p goldenPersona) string {
	t.Helper()
	session, csrf := p.session, p.csrf
	if e.endsSession && p.fresh != nil {
		session, csrf = p.fresh(t)
	}
	method, path := e.method(), w.fill(t, e)
	ctype, body := goldenRequest(method, path, csrf)
	var headers []string
	if session != "" {
		headers = append(headers, "Cookie", "minyi_session="+session)
	}
	if p.bearer != "" {
		headers = append(headers, "Authorization", "Bearer "+p.bearer)
	}
	// No cookie jar: every request stands alone, whatever came before.
	c := &apptest.Client{App: w.app, C: &http.Client{Timeout: w.office.C.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	r := goldenDo(t, c, method, path, ctype, body, headers...)
	return fmt.Sprintf("%s %s %d %s", p.name, e.route, r.res.StatusCode, goldenShape(r.res, r.body))
}

// goldenRequest is the body of a request. Reads send none. API writes
// send malformed JSON with the JSON Content-Type (so authentication, the
// role checks and the parsing of the body all run); DELETEs send nothing.
// Form posts (console, sign-in, public pages) send an empty form holding
// only the session's CSRF token.
func goldenRequest(method, path, csrf string) (string, []byte) {
	switch {
	case method == "GET" || method == "HEAD" || method == "DELETE":
		return "", nil
	case strings.HasPrefix(path, "/api/"):
		return "application/json", []byte("{")
	case csrf != "":
		return "application/x-www-form-urlencoded", []byte(url.Values{"_csrf": {csrf}}.Encode())
	}
	return "application/x-www-form-urlencoded", nil
}

// goldenDiff shows, for each request whose line changed, the golden line
// (-) above the new one (+); "" when nothing changed.
func goldenDiff(want, got string) string {
	if want == got {
		return ""
	}
	index := func(text string) (map[string]string, []string) {
		lines, order := map[string]string{}, []string(nil)
		for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			f := strings.SplitN(l, " ", 4) // persona, method, route: the request
			k := strings.Join(f[:min(3, len(f))], " ")
			lines[k] = l
			order = append(order, k)
		}
		return lines, order
	}
	wl, worder := index(want)
	gl, gorder := index(got)
	var b strings.Builder
	seen := map[string]bool{}
	for _, k := range append(gorder, worder...) {
		if seen[k] || wl[k] == gl[k] {
			continue
		}
		seen[k] = true
		if l, ok := wl[k]; ok {
			b.WriteString("- " + l + "\n")
		}
		if l, ok := gl[k]; ok {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "(the same lines in another order)\n"
	}
	return b.String()
}

// goldenVolatile are the tables the walk may change without changing
// data: sign-ins, their throttles and the maintenance bookkeeping.
var goldenVolatile = map[string]bool{
	"sessions": true, "login_backoff": true, "login_address_windows": true, "maintenance_runs": true,
}

// goldenVolatileColumns are columns the walk may change: an agency's
// requests record when its token was last used, a sign-in when the
// account last signed in.
var goldenVolatileColumns = map[string][]string{"survey_agency_tokens": {"last_used_at"}, "users": {"last_sign_in_at"}}

// goldenFingerprint is a digest of every table's rows (partitions through
// their parent), by table.
func goldenFingerprint(t *testing.T, app *apptest.App) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := app.Pool.Query(ctx, `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname`)
	goldenMust(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	goldenMust(t, err)
	out := map[string]string{}
	for _, table := range tables {
		if goldenVolatile[table] {
			continue
		}
		row := "to_jsonb(t)"
		for _, col := range goldenVolatileColumns[table] {
			row += " - '" + col + "'"
		}
		var sum string
		err := app.Pool.QueryRow(ctx, `SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), ''))
			FROM (SELECT `+row+` AS r FROM `+pgx.Identifier{table}.Sanitize()+` t) x`).Scan(&sum)
		goldenMust(t, err)
		out[table] = sum
	}
	return out
}

// diffFingerprints names the tables whose digest differs.
func diffFingerprints(before, after map[string]string) string {
	var changed []string
	for table, sum := range after {
		if before[table] != sum {
			changed = append(changed, table)
		}
	}
	for table := range before {
		if _, ok := after[table]; !ok {
			changed = append(changed, table)
		}
	}
	sort.Strings(changed)
	return strings.Join(changed, ", ")
}
