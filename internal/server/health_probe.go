package server

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// The readiness prober probes every component every probeInterval, each
// probe bounded by probeTimeout, and changes a component's reported state
// only when the new finding persists: worsenAfter probes in a row to report
// a worse state (1.5 s), recoverAfter in a row to report a better one (3 s).
// A flaky component therefore stays in its state instead of flapping, and
// one that has just come back must prove itself for longer than one that
// has just gone.
const (
	probeInterval = 500 * time.Millisecond
	probeTimeout  = time.Second
	worsenAfter   = 3
	recoverAfter  = 6
)

// componentState is how a component /readyz reports is doing.
type componentState string

const (
	// stateOK: the component works.
	stateOK componentState = "ok"
	// stateDegraded: the instance still serves, with less protection;
	// /readyz answers 200 "degraded".
	stateDegraded componentState = "degraded"
	// stateDown: the instance cannot serve; /readyz answers 503.
	stateDown componentState = "down"
)

// severity orders the states from ok to down.
func (st componentState) severity() int {
	switch st {
	case stateOK:
		return 0
	case stateDegraded:
		return 1
	}
	return 2
}

// observation is what one probe found.
type observation struct {
	state componentState
	// reason says, for operators, what is wrong and what it means for
	// the service; empty when ok. It is shown by /readyz, so it names no
	// address or credential.
	reason string
	// err is the probe's error; it is logged, never shown.
	err error
}

// healthCheck is one component /readyz reports: its name (the key in the
// reply), a probe that returns what it finds now, and fail, what a probe
// that fails with err stands for (used when a probe hangs; nil: a hung
// probe leaves the component as it is).
type healthCheck struct {
	name  string
	probe func(context.Context) observation
	fail  func(err error) observation
}

// componentStatus is a component's reported (debounced) state.
type componentStatus struct {
	State  componentState `json:"state"`
	Reason string         `json:"reason,omitempty"`
	// Since is when the observations leading to the state began.
	Since time.Time `json:"since"`
}

// componentHealth debounces one component's observations.
type componentHealth struct {
	check healthCheck
	first chan struct{} // closed once the first observation is recorded

	mu      sync.Mutex
	status  componentStatus
	seen    bool
	pending componentState // the differing state observed streak times in a row
	streak  int
	started time.Time // when the streak began
}

// observe folds one observation in. It reports whether the reported state
// changed and, if so, the state before (empty at the first observation).
func (c *componentHealth) observe(o observation, now time.Time) (changed bool, from componentState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seen {
		c.seen = true
		c.status = componentStatus{State: o.state, Reason: o.reason, Since: now}
		return true, ""
	}
	if o.state == c.status.State {
		c.streak = 0
		c.status.Reason = o.reason // the latest words for the same state
		return false, ""
	}
	if c.streak == 0 || o.state != c.pending {
		c.pending, c.streak, c.started = o.state, 0, now
	}
	c.streak++
	need := recoverAfter
	if o.state.severity() > c.status.State.severity() {
		need = worsenAfter
	}
	if c.streak < need {
		return false, ""
	}
	from = c.status.State
	c.status = componentStatus{State: o.state, Reason: o.reason, Since: c.started}
	c.streak = 0
	return true, from
}

// healthMonitor runs the probes of every component in the background.
type healthMonitor struct {
	components []*componentHealth
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

// startHealth starts probing s.healthChecks(); Close stops it.
func (s *Server) startHealth() *healthMonitor { return s.startProbes(s.healthChecks()) }

// startProbes starts probing checks; stop ends it.
func (s *Server) startProbes(checks []healthCheck) *healthMonitor {
	ctx, cancel := context.WithCancel(context.Background())
	h := &healthMonitor{cancel: cancel}
	for _, check := range checks {
		c := &componentHealth{check: check, first: make(chan struct{})}
		h.components = append(h.components, c)
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			s.probeLoop(ctx, c)
		}()
	}
	return h
}

// probeGrace is how long past probeTimeout a probe may take before the
// prober counts it hung. A probe should end with its context; one that
// does not (a client library waiting on something the context does not
// reach) must not freeze the component in its last reported state.
const probeGrace = 250 * time.Millisecond

// errProbeHung is the error of a probe that did not return in time.
var errProbeHung = fmt.Errorf("probe did not return within %v: %w", probeTimeout+probeGrace, context.DeadlineExceeded)

// probeLoop probes one component until ctx ends. Each probe runs in its own
// goroutine; while one has not returned, the next is not started, and
// every probeTimeout+probeGrace it has not is recorded as a failed finding
// (the check's fail observation), so that a hanging probe turns the
// component degraded or down like a failing one.
func (s *Server) probeLoop(ctx context.Context, c *componentHealth) {
	t := time.NewTicker(probeInterval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		done := make(chan observation, 1)
		go func() { done <- c.check.probe(pctx) }()
		for waiting := true; waiting; {
			hung := time.NewTimer(probeTimeout + probeGrace)
			select {
			case o := <-done:
				waiting = false
				result := "ok"
				if o.state != stateOK {
					result = "failed"
				}
				s.Metrics.ComponentProbe(c.check.name, result)
				if ctx.Err() == nil {
					s.record(c, o)
				}
			case <-hung.C:
				s.Metrics.ComponentProbe(c.check.name, "hung")
				if c.check.fail != nil {
					s.record(c, c.check.fail(errProbeHung))
				}
			case <-ctx.Done():
				hung.Stop()
				cancel()
				return
			}
			hung.Stop()
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// record folds one observation into c and reports a change.
func (s *Server) record(c *componentHealth, o observation) {
	if changed, from := c.observe(o, time.Now()); changed {
		s.componentChanged(c.check.name, from, o)
		if from == "" {
			close(c.first) // /readyz may answer: the metric is set too
		}
	}
}

// componentChanged logs a change of reported state and records it in the
// minyi_component_up metric.
func (s *Server) componentChanged(name string, from componentState, o observation) {
	s.Metrics.SetComponent(name, o.state == stateOK)
	args := []any{"component", name, "state", o.state, "was", from}
	if o.state != stateOK {
		args = append(args, "reason", o.reason, "err", o.err)
	}
	switch {
	case o.state.severity() > from.severity() || from == "" && o.state != stateOK:
		s.Log.Warn("component unhealthy", args...)
	default:
		s.Log.Info("component healthy", args...)
	}
}

// snapshot returns every component's reported state, waiting (at most
// until ctx ends) for the first probes of a server that has just started.
// A component not probed yet is reported down.
func (h *healthMonitor) snapshot(ctx context.Context) map[string]componentStatus {
	out := make(map[string]componentStatus, len(h.components))
	for _, c := range h.components {
		select {
		case <-c.first:
		case <-ctx.Done():
		}
		c.mu.Lock()
		st := c.status
		if !c.seen {
			st = componentStatus{State: stateDown, Reason: "not probed yet", Since: time.Now()}
		}
		c.mu.Unlock()
		out[c.check.name] = st
	}
	return out
}

// stop ends the probes and waits for them.
func (h *healthMonitor) stop() {
	h.cancel()
	h.wg.Wait()
}

// Close stops the server's background work (the readiness prober). Call
// it once the HTTP server has stopped; /readyz must not be served after.
func (s *Server) Close() {
	if s.health != nil {
		s.health.stop()
	}
	if s.ratings != nil {
		s.ratings.Close()
	}
}
