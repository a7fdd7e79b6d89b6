package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"minyi/internal/testutil"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// readyReply is /readyz's body.
type readyReply struct {
	Status, Postgres, Redis string
	Components              map[string]struct {
		State, Reason string
		Since         time.Time
	}
}

func getReady(t *testing.T, c *apptest.Client) (int, readyReply) {
	t.Helper()
	var r readyReply
	res := c.JSON(t, "GET", "/readyz", nil, &r)
	return res.StatusCode, r
}

// componentUp reads minyi_component_up{component=name} from the server's
// registry; -1 when it is not set.
func componentUp(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != "minyi_component_up" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "component" && l.GetValue() == name {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	return -1
}

// probeCounts reads minyi_component_probes_total{component=name} by result.
func probeCounts(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "minyi_component_probes_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["component"] == name {
				out[labels["result"]] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// With Redis gone the instance is degraded, says why, and the metric says
// Redis is not up.
func TestReadyzRedisDownIsDegradedWithReasonAndMetric(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	app := apptest.New(t, apptest.Options{Redis: rdb})
	code, r := getReady(t, app.Client())
	red, pg := r.Components["redis"], r.Components["postgres"]
	if code != http.StatusOK || r.Status != "degraded" || r.Redis != "degraded" || r.Postgres != "ok" ||
		red.State != "degraded" || pg.State != "ok" || pg.Reason != "" || red.Since.IsZero() {
		t.Fatalf("readyz: %d %+v", code, r)
	}
	if !strings.HasPrefix(red.Reason, "Redis unreachable") || !strings.Contains(red.Reason, "Postgres") ||
		strings.Contains(red.Reason, "127.0.0.1") {
		t.Fatalf("reason %q: want it to name Redis and the Postgres fallback, and no address", red.Reason)
	}
	reg := app.Server.Metrics.Registry
	if up := componentUp(t, reg, "redis"); up != 0 {
		t.Fatalf("minyi_component_up{component=redis} = %v, want 0", up)
	}
	if up := componentUp(t, reg, "postgres"); up != 1 {
		t.Fatalf("minyi_component_up{component=postgres} = %v, want 1", up)
	}
	if n := probeCounts(t, reg, "redis"); n["failed"] < 1 {
		t.Fatalf("minyi_component_probes_total{component=redis}: %v, want failed probes counted", n)
	}
}

// When a master of a Redis Cluster dies, /readyz turns degraded once,
// naming Redis, and ready once its replica has taken over: no flapping
// in between, as a PING to a random node would give. The node timeout
// (how long until the replica takes over) is 6 s so that the outage
// outlasts the debouncing even when the whole suite loads the machine (at
// 3 s a full `make test` sometimes saw the failover finish first); in
// production it is 15 s by default.
func TestReadyzSteadyWhenAClusterMasterDies(t *testing.T) {
	rc := testutil.StartRedisCluster(t, testutil.ClusterOptions{Replicas: 1, NodeTimeout: 6 * time.Second})
	rdb, _ := clusterClient(t, rc)
	app := apptest.New(t, apptest.Options{Redis: rdb})
	c := app.Client()
	if code, r := getReady(t, c); code != http.StatusOK || r.Status != "ready" {
		t.Fatalf("before: %d %+v", code, r)
	}
	rc.Kill(t, rc.Masters(t)[0])
	killed := time.Now()

	seen := []string{"ready"}
	var reason string
	var upWhileDegraded float64 = -1
	var recovered time.Time
	// Watch for 20 s at most, and for 2 s once ready again.
	for time.Since(killed) < 20*time.Second && (recovered.IsZero() || time.Since(recovered) < 2*time.Second) {
		code, r := getReady(t, c)
		if code != http.StatusOK || r.Postgres != "ok" {
			t.Fatalf("%v after the kill: %d %+v, want 200 with Postgres ok", time.Since(killed), code, r)
		}
		if r.Status != seen[len(seen)-1] {
			seen = append(seen, r.Status)
			t.Logf("%v after the kill: %s %+v", time.Since(killed).Round(time.Millisecond), r.Status, r.Components["redis"])
			switch r.Status {
			case "degraded":
				reason = r.Components["redis"].Reason
				upWhileDegraded = componentUp(t, app.Server.Metrics.Registry, "redis")
			case "ready":
				recovered = time.Now()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Join(seen, " ") != "ready degraded ready" {
		t.Fatalf("readyz went %q in %v, want ready, degraded once, ready again once the replica took over (Redis probes: %v)",
			seen, time.Since(killed), probeCounts(t, app.Server.Metrics.Registry, "redis"))
	}
	if !strings.HasPrefix(reason, "Redis unreachable") {
		t.Fatalf("reason while degraded %q, want it to name Redis", reason)
	}
	if upWhileDegraded != 0 || componentUp(t, app.Server.Metrics.Registry, "redis") != 1 {
		t.Fatalf("minyi_component_up{component=redis} %v while degraded, %v after, want 0 then 1",
			upWhileDegraded, componentUp(t, app.Server.Metrics.Registry, "redis"))
	}
}

func TestPostgresDownIsNotReady(t *testing.T) {
	app := apptest.New(t, apptest.Options{DatabaseURLOverride: apptest.UnreachableDB})
	c := app.Client()
	var ready struct{ Status, Postgres, Redis string }
	if res := c.JSON(t, "GET", "/readyz", nil, &ready); res.StatusCode != http.StatusServiceUnavailable ||
		ready.Postgres != "down" || ready.Redis != "ok" {
		t.Fatalf("readyz: status %d, %+v", res.StatusCode, ready)
	}
	if res := c.JSON(t, "GET", "/healthz", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: status %d, want 200 while the process lives", res.StatusCode)
	}
	d := (&fixtures.PubFixture{App: app}).Device("A")
	res, body := d.Do(t, "GET", "/q/some-code", nil)
	fixtures.WantPublicPage(t, res, body, http.StatusServiceUnavailable, "系统繁忙")
}
