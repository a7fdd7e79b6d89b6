package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
)

// A maintenance run that failed on any instance of the deployment turns
// every instance's /readyz degraded with the reason, and minyi_component_up
// {component="maintenance"} 0, until a run succeeds again.
func TestReadyzReportsFailingMaintenance(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	client := app.Client()
	waitFor := func(state string) readyReply {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, r := getReady(t, client)
			if r.Components["maintenance"].State == state {
				if code != http.StatusOK {
					t.Fatalf("readyz answered %d with maintenance %s", code, state)
				}
				return r
			}
			if time.Now().After(deadline) {
				t.Fatalf("maintenance never %s in readyz: %d %+v", state, code, r)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if r := waitFor("ok"); r.Status != "ready" {
		t.Fatalf("a new deployment: %+v", r)
	}
	// Another instance's run failed a minute ago.
	if _, err := app.Pool.Exec(ctx, `UPDATE maintenance_runs SET instance = 'other:1', runs = 1, failures = 1,
		started_at = now() - interval '61 seconds', finished_at = now() - interval '60 seconds', failed_at = now() - interval '60 seconds',
		last_error = 'ratings: could not create partition ratings_203001'`); err != nil {
		t.Fatal(err)
	}
	r := waitFor("degraded")
	m := r.Components["maintenance"]
	if r.Status != "degraded" || !strings.Contains(m.Reason, "maintenance failed at") || !strings.Contains(m.Reason, "ratings_203001") {
		t.Errorf("after a failed run: status %s, maintenance %+v", r.Status, m)
	}
	if up := componentUp(t, app.Server.Metrics.Registry, "maintenance"); up != 0 {
		t.Errorf("minyi_component_up{component=maintenance} = %v, want 0", up)
	}
	// The retry (five minutes later) succeeds on this instance.
	if _, err := app.Pool.Exec(ctx, `UPDATE maintenance_runs SET started_at = now() - interval '6 minutes',
		finished_at = now() - interval '6 minutes', failed_at = now() - interval '6 minutes'`); err != nil {
		t.Fatal(err)
	}
	if ran, err := app.Server.MaintainOnce(ctx, time.Hour); !ran || err != nil {
		t.Fatalf("retry: ran %v, %v", ran, err)
	}
	if r := waitFor("ok"); r.Status != "ready" {
		t.Errorf("after a good run: %+v", r)
	}
	if up := componentUp(t, app.Server.Metrics.Registry, "maintenance"); up != 1 {
		t.Errorf("minyi_component_up{component=maintenance} = %v, want 1", up)
	}
}
