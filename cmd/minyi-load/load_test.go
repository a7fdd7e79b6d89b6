package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCheckTargetOnlyLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8080", "http://127.0.0.2:1", "http://localhost:8080", "http://[::1]:8080"} {
		if _, err := checkTarget(ok); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1:8080", "http://192.168.1.2", "http://example.com", "https://127.0.0.1",
		"127.0.0.1:8080", "http://0.0.0.0:8080", ""} {
		if _, err := checkTarget(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if err := run([]string{"run", "-url", "http://10.1.2.3:8080", "-scenario", "healthz"}, nil, io.Discard); err == nil {
		t.Error("run accepted a non-loopback target")
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(lat, 0.50); p != 50*time.Millisecond {
		t.Errorf("p50 = %v", p)
	}
	if p := percentile(lat, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 = %v", p)
	}
	if p := percentile(lat[:1], 0.99); p != time.Millisecond {
		t.Errorf("p99 of one = %v", p)
	}
}

func TestTerminalBodyIsOneValidRating(t *testing.T) {
	var body struct {
		Ratings []map[string]any `json:"ratings"`
	}
	if err := json.Unmarshal(terminalBody("ab12", 3, 41, true), &body); err != nil {
		t.Fatal(err)
	}
	if len(body.Ratings) != 1 {
		t.Fatalf("%d ratings", len(body.Ratings))
	}
	r := body.Ratings[0]
	if r["id"] != "ab12-3-41" || r["case_no"] != "BJab123x41" || r["level"] != float64(4) {
		t.Errorf("rating %v", r)
	}
	if _, err := time.Parse(time.RFC3339, r["rated_at"].(string)); err != nil {
		t.Errorf("rated_at: %v", err)
	}
	var plain struct {
		Ratings []map[string]any `json:"ratings"`
	}
	if err := json.Unmarshal(terminalBody("ab12", 0, 0, false), &plain); err != nil || plain.Ratings[0]["case_no"] != nil {
		t.Errorf("without case numbers: %v %v", err, plain.Ratings)
	}
}

// TestRunStopsByItselfAndCounts drives a stand-in terminal API on loopback
// for a short, bounded run and checks the counts and the results file.
func TestRunStopsByItselfAndCounts(t *testing.T) {
	var calls atomic.Int64
	ids := make(chan string, 100_000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		var in struct {
			Ratings []struct {
				ID string `json:"id"`
			} `json:"ratings"`
		}
		if r.Header.Get("Authorization") != "Bearer mt_test" || json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if n%10 == 0 {
			w.Header().Set("Retry-After", "1")
			http.Error(w, `{"error":{"code":"rate_limited"}}`, http.StatusTooManyRequests)
			return
		}
		select {
		case ids <- in.Ratings[0].ID:
		default:
		}
		io.WriteString(w, `{"accepted":1,"duplicates":0,"rejected":0,"results":[{"id":"`+in.Ratings[0].ID+`","status":"created"}]}`)
	}))
	defer srv.Close()

	dir := t.TempDir()
	fixture := filepath.Join(dir, "fixture.json")
	if err := os.WriteFile(fixture, []byte(`{"terminals":["mt_test"],"codes":["c1"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tsv := filepath.Join(dir, "results.tsv")
	var out bytes.Buffer
	start := time.Now()
	err := run([]string{"run", "-url", srv.URL, "-scenario", "terminal", "-c", "4", "-d", "300ms", "-warmup", "100ms",
		"-fixture", fixture, "-tsv", tsv}, nil, &out)
	if err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("the run took %v", el)
	}
	rows, err := os.ReadFile(tsv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(rows)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "label\t") {
		t.Fatalf("results file:\n%s", rows)
	}
	f := strings.Split(lines[1], "\t")
	if len(f) != len(tsvHeader) {
		t.Fatalf("%d columns, want %d: %q", len(f), len(tsvHeader), lines[1])
	}
	if f[1] != "terminal" || f[2] != "4" || !strings.Contains(f[6], "429×") {
		t.Errorf("row %q", lines[1])
	}
	if total := calls.Load(); total < 10 || f[12] != strconv.FormatInt(total, 10) {
		t.Errorf("server saw %d requests, the tool counted %s in all", total, f[12])
	}
	seen := map[string]bool{}
	close(ids)
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %s sent twice", id)
		}
		seen[id] = true
	}

	out.Reset()
	if err := reportCmd(tsv, &out); err != nil || !strings.Contains(out.String(), "terminal c=4") {
		t.Errorf("report: %v\n%s", err, out.String())
	}
}

func TestPublicPostsSpreadOverAddresses(t *testing.T) {
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{nil, ""},
		{[]string{"-addresses", "3"}, "10.0.0.0 10.0.0.1 10.0.0.2"},
	} {
		var mu sync.Mutex
		seen := map[string]bool{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[r.Header.Get("X-Forwarded-For")] = true
			mu.Unlock()
			http.Redirect(w, r, "/q/c1/thanks", http.StatusSeeOther)
		}))
		fixture := filepath.Join(t.TempDir(), "fixture.json")
		if err := os.WriteFile(fixture, []byte(`{"terminals":["mt_test"],"codes":["c1"]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"run", "-url", srv.URL, "-scenario", "public", "-c", "2", "-n", "12", "-d", "2s",
			"-warmup", "0s", "-fixture", fixture}, tt.flags...)
		if err := run(args, nil, io.Discard); err != nil {
			t.Fatal(err)
		}
		srv.Close()
		var got []string
		for a := range seen {
			got = append(got, a)
		}
		sort.Strings(got)
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%v: X-Forwarded-For values %q, want %q", tt.flags, got, tt.want)
		}
	}
}
