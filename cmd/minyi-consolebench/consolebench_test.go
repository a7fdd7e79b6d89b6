package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// staffGETRoutes reads the GET routes of the staff's route groups from the
// route table (internal/server/routes.go, routes_assessment.go, routes_assessors.go, routes_instruments.go, routes_selfeval.go and routes_approvals.go): the console's (g, console) and the API's (authed, under
// /api/v1), registered directly (g.GET) or as file routes with their
// longer deadline (s.file(g, http.MethodGet, ...)).
func staffGETRoutes(t *testing.T) map[string]bool {
	t.Helper()
	var src []byte
	// Every file of the route table (routes.go and routes_<area>.go).
	names, err := filepath.Glob("../../internal/server/routes*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src = append(src, b...)
	}
	re := regexp.MustCompile(`\b(?:(g|console|authed)\.GET\(|s\.file\((g|console|authed), http\.MethodGet, )"([^"]*)"`)
	routes := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		path := m[3]
		if m[1] == "" {
			m[1] = m[2]
		}
		if m[1] == "authed" {
			path = "/api/v1" + path
		}
		routes[path] = true
	}
	if len(routes) < 100 {
		t.Fatalf("only %d staff GET routes found in routes.go and routes_assessment.go: has the table moved?", len(routes))
	}
	return routes
}

func TestCatalogueCoversRoutes(t *testing.T) {
	table := staffGETRoutes(t)
	timed := map[string]bool{}
	for _, r := range routesOf(catalogue()) {
		timed[r] = true
		if !table[r] {
			t.Errorf("the catalogue times %s, which is not a staff GET route of the route table", r)
		}
	}
	for r := range table {
		if !timed[r] && notTimed[r] == "" {
			t.Errorf("the route table has GET %s, neither timed nor listed in notTimed", r)
		}
	}
}

func TestCatalogueFillsEveryPlaceholder(t *testing.T) {
	v := ids{}
	for _, l := range lookups {
		v[l.name] = "1"
	}
	v["unit"] = "1"
	for k := range clockIDs(time.Now()) {
		v[k] = "1"
	}
	for _, s := range catalogue() {
		if _, missing := v.fill(s.path); missing != "" {
			t.Errorf("%s: placeholder {%s} is never looked up", s.path, missing)
		}
		if s.who == 0 {
			t.Errorf("%s: no audience", s.path)
		}
	}
	if got, missing := (ids{"unit": "7"}).fill("/a/{unit}/b/{cycle}"); missing != "cycle" || got != "/a/7/b/{cycle}" {
		t.Errorf("fill: %q, missing %q", got, missing)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 20; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 10 * time.Millisecond}, {0.99, 20 * time.Millisecond}, {0.95, 19 * time.Millisecond}, {0.01, time.Millisecond}} {
		if got := percentile(s, c.p); got != c.want {
			t.Errorf("p%.0f of 1..20 ms = %s, want %s", c.p*100, got, c.want)
		}
	}
	if percentile(nil, 0.5) != 0 || percentile(s[:1], 0.99) != time.Millisecond {
		t.Error("empty or single")
	}
}

func TestNextHrefTakesTheLastPager(t *testing.T) {
	body := `<nav><a class="btn" href="/console/feedback?hpage=2" rel="next">下一页</a></nav>
	<table></table><nav><a class="btn btn-sm" href="/console/feedback?page=2&amp;unit_id=3" rel="next">下一页</a></nav>`
	if got := nextHref([]byte(body)); got != "/console/feedback?page=2&unit_id=3" {
		t.Errorf("next: %q", got)
	}
	if nextHref([]byte(`<span class="btn disabled">下一页</span>`)) != "" {
		t.Error("a disabled pager has no next link")
	}
	if !offsetPaged("/console/ratings?has_comment=1&page=2&unit_id=3", "cursor") {
		t.Error("offset paging not seen")
	}
	if offsetPaged("/console/ratings?before=abc&unit_id=3", "cursor") ||
		offsetPaged("/console/ratings?page=2&unit_id=3&after=x", "cursor") ||
		offsetPaged("/console/ratings?page=2&k=x", "k") || offsetPaged("/console/ratings?page=3", "cursor") {
		t.Error("a cursor taken for offset paging")
	}
}

// listServer answers lists of 10,000 items paged four ways: console pages
// with page numbers (/pages) or with a cursor link (/cursor), API answers
// with offsets (/api/offset) or with next_cursor (/api/cursor). hits
// counts the requests of each.
func listServer(t *testing.T, hits map[string]int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits[r.URL.Path]++
		q := r.URL.Query()
		switch r.URL.Path {
		case "/pages":
			n, _ := strconv.Atoi(q.Get("page"))
			fmt.Fprintf(w, `<strong id="total">10000</strong> page %d <a href="/pages?page=%d" rel="next">next</a>`, max(n, 1), max(n, 1)+1)
		case "/cursor":
			n, _ := strconv.Atoi(q.Get("after"))
			fmt.Fprintf(w, `<p>page %d</p><a class="btn" href="?after=%d" rel="next">next</a>`, n+1, n+1)
		case "/api/offset":
			json.NewEncoder(w).Encode(map[string]any{"total": 10000, "items": []int{}})
		case "/api/cursor":
			n, _ := strconv.Atoi(q.Get("cursor"))
			next := strconv.Itoa(n + 1)
			if n+1 >= 120 {
				next = ""
			}
			json.NewEncoder(w).Encode(map[string]any{"items": []int{}, "next_cursor": next})
		}
	}))
}

func TestHundredthPage(t *testing.T) {
	hits := map[string]int{}
	srv := listServer(t, hits)
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c := newClient(base, 5*time.Second)
	s := settings{cursorParam: "cursor"}
	for _, tc := range []struct {
		path string
		api  bool
		want string
		hits int
	}{
		{"/pages", false, "/pages?page=100", 1},
		{"/cursor", false, "/cursor?after=99", 99},
		{"/api/offset?limit=50", true, "/api/offset?limit=50&offset=4950", 1},
		{"/api/cursor?limit=50", true, "/api/cursor?cursor=99&limit=50", 99},
	} {
		got, note, err := hundredth(c, s, tc.path, tc.api)
		p := strings.SplitN(tc.path, "?", 2)[0]
		if err != nil || got != tc.want || hits[p] != tc.hits {
			t.Errorf("%s: %q (%s), %v after %d requests; want %q after %d", tc.path, got, note, err, hits[p], tc.want, tc.hits)
		}
	}
}

func TestMeasureStopsAfterTimeoutsInARow(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path == "/slow" {
			time.Sleep(300 * time.Millisecond)
		}
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		if r.URL.Path == "/cold" && calls == 1 {
			time.Sleep(60 * time.Millisecond)
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c := newClient(base, 100*time.Millisecond)
	s := settings{reps: 20, timeout: 100 * time.Millisecond, maxTimeouts: 2, budget: time.Minute, target: 100 * time.Millisecond}

	// The first request is kept apart from the repetitions.
	cold := &result{path: "/cold"}
	measure(c, s, cold)
	if _, _, mx := cold.quantiles(); cold.first < 60*time.Millisecond || len(cold.times) != 20 || mx >= 60*time.Millisecond || calls != 21 {
		t.Errorf("cold: first %s, %d times up to %s, %d calls", cold.first, len(cold.times), mx, calls)
	}
	calls = 0
	slow := &result{path: "/slow"}
	measure(c, s, slow)
	if !slow.timedOut || slow.timeouts != 2 || calls != 2 || slow.ok() || !strings.HasPrefix(slow.status(), "timeout") {
		t.Errorf("slow: %d calls, %+v, status %s", calls, slow, slow.status())
	}
	fast := &result{path: "/fast"}
	measure(c, s, fast)
	if len(fast.times) != 20 || !fast.ok() || fast.status() != "200" {
		t.Errorf("fast: %d times, status %s", len(fast.times), fast.status())
	}
	missing := &result{path: "/missing"}
	measure(c, s, missing)
	if missing.ok() || missing.status() != "404" || len(missing.bad) == 0 {
		t.Errorf("missing: status %s, answers %v", missing.status(), missing.bad)
	}
}
