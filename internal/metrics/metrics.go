// Package metrics holds the Prometheus metrics of one Minyi instance: a
// registry of its own (so tests that start several servers in one process
// do not share counters) and small nil-safe methods the other packages call,
// so code paths without metrics (commands, tests) need no checks.
//
// Every label takes a value from a short fixed list (a route pattern, a
// channel, an outcome), never a URL, an address or a key, so the number of
// series stays bounded whatever clients send. docs/operations.md lists
// every metric.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of an instance's metrics.
type Metrics struct {
	Registry *prometheus.Registry

	componentUp         *prometheus.GaugeVec
	componentProbes     *prometheus.CounterVec
	maintenanceRuns     *prometheus.CounterVec
	maintenanceDuration prometheus.Histogram
	maintenanceLastOK   prometheus.Gauge

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec

	ratings       *prometheus.CounterVec
	batchRatings  prometheus.Histogram
	flushDuration prometheus.Histogram
	flushes       *prometheus.CounterVec

	limitChecks    *prometheus.CounterVec
	loginFallbacks prometheus.Counter
	sheetReads     *prometheus.CounterVec
	pools          *poolCollector
}

// New returns the metrics with the Go runtime and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{Registry: r}
	m.componentUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "minyi_component_up",
		Help: "1 when the component is healthy as /readyz reports it (debounced), 0 when it is down or degraded."},
		[]string{"component"})
	m.componentProbes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_component_probes_total",
		Help: "Readiness probes of each component by what they found before debouncing (ok, failed, hung: no answer within the probe's time)."},
		[]string{"component", "result"})
	m.maintenanceRuns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_maintenance_runs_total",
		Help: "Hourly maintenance runs this instance did, by result (ok, failed); runs another instance did are not counted."},
		[]string{"result"})
	m.maintenanceDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minyi_maintenance_duration_seconds",
		Help: "How long a maintenance run took.", Buckets: []float64{.1, .5, 1, 5, 15, 60, 300, 900}})
	m.maintenanceLastOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "minyi_maintenance_last_success_timestamp_seconds",
		Help: "When maintenance last succeeded for the deployment (any instance), as Unix time."})
	r.MustRegister(m.componentUp, m.componentProbes, m.maintenanceRuns, m.maintenanceDuration, m.maintenanceLastOK)
	m.initHTTP()
	m.initRatings()
	m.initLimits()
	m.pools = &poolCollector{}
	r.MustRegister(m.pools)
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// SetComponent records whether a component (postgres, redis, maintenance)
// is healthy.
func (m *Metrics) SetComponent(name string, up bool) {
	if m == nil {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	m.componentUp.WithLabelValues(name).Set(v)
}

// ComponentProbe counts one readiness probe of a component by its result:
// ok, failed or hung.
func (m *Metrics) ComponentProbe(name, result string) {
	if m == nil {
		return
	}
	m.componentProbes.WithLabelValues(name, oneOf(result, "ok", "failed", "hung")).Inc()
}

// MaintenanceRun records one maintenance run this instance did.
func (m *Metrics) MaintenanceRun(took time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.maintenanceRuns.WithLabelValues(result).Inc()
	m.maintenanceDuration.Observe(took.Seconds())
}

// MaintenanceLastOK records when maintenance last succeeded anywhere in the
// deployment.
func (m *Metrics) MaintenanceLastOK(at time.Time) {
	if m == nil || at.IsZero() {
		return
	}
	m.maintenanceLastOK.Set(float64(at.Unix()))
}

// oneOf returns v when it is one of allowed, else "other": a label never
// takes a value a client chose.
func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return "other"
}
