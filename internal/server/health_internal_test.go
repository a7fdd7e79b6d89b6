package server

import (
	"testing"
	"time"
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
