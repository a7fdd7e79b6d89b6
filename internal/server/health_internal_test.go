package server

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minyi/internal/httpx"
)

// A component's reported state changes only when the new finding
// persists: worsenAfter probes in a row to get worse, recoverAfter to get
// better; findings that keep changing leave it where it was.
func TestComponentStateIsDebounced(t *testing.T) {
	// o, d and x stand for ok, degraded and down, found and reported.
	states := map[byte]componentState{'o': stateOK, 'd': stateDegraded, 'x': stateDown}
	cases := []struct{ name, found, reported string }{
		{"the first finding counts at once", "d", "d"},
		{"worse after three in a row", "oddd", "oood"},
		{"two failures in a row are not enough", "oddoddo", "ooooooo"},
		{"better after six in a row", "doooooo", "ddddddo"},
		{"flapping findings change nothing", "odododododododododododo", "ooooooooooooooooooooooo"},
		{"degraded to down is worse", "dxxx", "dddx"},
		{"down to degraded is better", "xdddddd", "xxxxxxd"},
		{"a different finding restarts the count", "oddxxx", "ooooox"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &componentHealth{first: make(chan struct{})}
			t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
			for i := range len(tc.found) {
				c.observe(observation{state: states[tc.found[i]], reason: "r"}, t0.Add(time.Duration(i)*time.Second))
				if want := states[tc.reported[i]]; c.status.State != want {
					t.Fatalf("found %s, reported %s after finding %d, want %s", tc.found, c.status.State, i, want)
				}
			}
		})
	}
	ok := observation{state: stateOK}
	// Since is when the streak that changed the state began; the reason is
	// the latest finding's.
	c := &componentHealth{first: make(chan struct{})}
	t0 := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	c.observe(ok, t0)
	for i := 1; i <= worsenAfter; i++ {
		c.observe(observation{state: stateDegraded, reason: "reason " + string(rune('0'+i))}, t0.Add(time.Duration(i)*time.Second))
	}
	if c.status.State != stateDegraded || !c.status.Since.Equal(t0.Add(time.Second)) || c.status.Reason != "reason 3" {
		t.Fatalf("status %+v, want degraded since t0+1s with the third reason", c.status)
	}
	c.observe(observation{state: stateDegraded, reason: "later"}, t0.Add(time.Minute))
	if c.status.Reason != "later" || !c.status.Since.Equal(t0.Add(time.Second)) {
		t.Fatalf("status %+v, want the latest reason, the same since", c.status)
	}
}

// A probe that does not return (a client ignoring its context) counts as a
// failure after probeTimeout+probeGrace, again and again, so the component
// turns degraded instead of staying ok; once the probe returns, probing
// goes on.
func TestHungProbeTurnsTheComponentDegraded(t *testing.T) {
	s := &Server{App: &httpx.App{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	release := make(chan struct{})
	var calls atomic.Int32
	probe := func(ctx context.Context) observation {
		if calls.Add(1) == 2 {
			<-release // the second probe hangs until released
		}
		return observation{state: stateOK}
	}
	h := s.startProbes([]healthCheck{{name: "slow", probe: probe, fail: redisFailed}})
	t.Cleanup(func() { close(release); h.stop() })
	state := func() componentState {
		return h.snapshot(context.Background())["slow"].State
	}
	if st := state(); st != stateOK {
		t.Fatalf("first probe: %s, want ok", st)
	}
	deadline := time.Now().Add(worsenAfter*(probeTimeout+probeGrace) + 3*time.Second)
	for state() != stateDegraded {
		if time.Now().After(deadline) {
			t.Fatalf("a hung probe left the component %s after %v", state(), worsenAfter*(probeTimeout+probeGrace)+3*time.Second)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("%d probes started while the second hung, want no new one", n)
	}
	if r := h.snapshot(context.Background())["slow"].Reason; !strings.Contains(r, "(timeout)") {
		t.Fatalf("reason %q, want the timeout named", r)
	}
}
