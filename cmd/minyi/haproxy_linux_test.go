package main

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"minyi/internal/testutil"
)

// haproxy is a real HAProxy in front of two minyi instances, with two
// frontends on the same servers:
//   - documented: the settings of docs/operations.md § Rolling restarts —
//     health check on /readyz, retries of failed attempts on another server;
//   - noRetry: the same health check and no retry at all, so a request the
//     balancer sends to an instance that is going away fails — only the
//     drain can keep its clients from seeing errors.
type haproxy struct {
	proc                *process
	documented, noRetry string // base URLs of the frontends
	stats               string // URL of the CSV statistics
}

// haproxyConfig is the test's configuration; the first two %d are the
// frontends' ports, then the two servers' ports, then the statistics port.
// The health check is fast (300 ms) so the test is short; the instances
// drain for longer than a check takes to see them go.
const haproxyConfig = `global
    maxconn 2000

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout http-keep-alive 30s
    timeout check 2s
    option httpchk GET /readyz
    default-server check inter 300ms fall 1 rise 2

frontend documented
    bind 127.0.0.1:%[1]d
    default_backend documented

frontend no_retry
    bind 127.0.0.1:%[2]d
    default_backend no_retry

backend documented
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout 503
    server a 127.0.0.1:%[3]d
    server b 127.0.0.1:%[4]d

backend no_retry
    retries 0
    retry-on none
    server a 127.0.0.1:%[3]d
    server b 127.0.0.1:%[4]d

listen stats
    bind 127.0.0.1:%[5]d
    stats enable
    stats uri /stats
`

// haproxyPath finds the haproxy binary; without one the test is skipped,
// or fails where components are required (.ci/services installs it).
func haproxyPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	const msg = "no haproxy on PATH or in /usr/sbin (install Debian's haproxy package: apt-get install haproxy)"
	if testutil.ComponentsRequired() {
		t.Fatal(msg)
	}
	t.Skip("skipping: " + msg + " (set MINYI_REQUIRE_BROWSER=1 to make this a failure)")
	return ""
}

// startHAProxy starts HAProxy in front of the servers on portA and portB
// and waits until it answers.
func startHAProxy(t *testing.T, portA, portB int) *haproxy {
	t.Helper()
	bin := haproxyPath(t)
	doc, bare, stats := testutil.FreePorts(t, 1)[0], testutil.FreePorts(t, 1)[0], testutil.FreePorts(t, 1)[0]
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, haproxyConfig, doc, bare, portA, portB, stats), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-q", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy rejects the configuration: %v\n%s", err, out)
	}
	h := &haproxy{
		proc:       startProcess(t, "haproxy", bin, nil, "-db", "-f", cfg),
		documented: "http://127.0.0.1:" + strconv.Itoa(doc), noRetry: "http://127.0.0.1:" + strconv.Itoa(bare),
		stats: "http://127.0.0.1:" + strconv.Itoa(stats) + "/stats;csv",
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, err := h.serverStatus(); err == nil {
			return h
		}
		if h.proc.exited() || time.Now().After(deadline) {
			t.Fatal("haproxy did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// serverStatus returns HAProxy's view of each server, keyed by
// "backend/server" (e.g. "no_retry/a" → "UP").
func (h *haproxy) serverStatus() (map[string]string, error) {
	res, err := http.Get(h.stats)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	r := csv.NewReader(res.Body)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("reading haproxy statistics: %v", err)
	}
	header := rows[0]
	header[0] = "pxname" // the first heading is "# pxname"
	px, sv, st := slices.Index(header, "pxname"), slices.Index(header, "svname"), slices.Index(header, "status")
	if px < 0 || sv < 0 || st < 0 {
		return nil, fmt.Errorf("haproxy statistics without pxname, svname or status: %v", header)
	}
	out := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) > st {
			out[row[px]+"/"+row[sv]] = row[st]
		}
	}
	return out, nil
}

// waitServerUp waits until both backends route to server (a or b) again.
func (h *haproxy) waitServerUp(t *testing.T, server string) {
	t.Helper()
	var last map[string]string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		st, err := h.serverStatus()
		if err != nil {
			t.Fatal(err)
		}
		if st["documented/"+server] == "UP" && st["no_retry/"+server] == "UP" {
			return
		}
		last = st
	}
	t.Fatalf("haproxy does not see server %s up after 20 s: %v", server, last)
}
