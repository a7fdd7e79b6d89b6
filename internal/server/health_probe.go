package server

import (
	"context"
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
// reply) and a probe that returns what it finds now.
type healthCheck struct {
	name  string
	probe func(context.Context) observation
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
func (s *Server) startHealth() *healthMonitor {
	ctx, cancel := context.WithCancel(context.Background())
	h := &healthMonitor{cancel: cancel}
	for _, check := range s.healthChecks() {
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

// probeLoop probes one component until ctx ends.
func (s *Server) probeLoop(ctx context.Context, c *componentHealth) {
	t := time.NewTicker(probeInterval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		o := c.check.probe(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if changed, from := c.observe(o, time.Now()); changed {
			s.componentChanged(c.check.name, from, o)
			if from == "" {
				close(c.first) // /readyz may answer: the metric is set too
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
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
}
