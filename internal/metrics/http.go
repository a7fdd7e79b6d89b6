package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// unmatched is the route label of a request no route matched.
const unmatched = "unmatched"

func (m *Metrics) initHTTP() {
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_http_requests_total",
		Help: "HTTP requests answered, by method, route pattern (\"unmatched\" when no route matched) and status code."},
		[]string{"method", "route", "status"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "minyi_http_request_duration_seconds",
		Help:    "How long HTTP requests took to answer, by method and route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
		[]string{"method", "route"})
	m.Registry.MustRegister(m.requests, m.requestDuration)
}

// Request records one answered HTTP request. route is the pattern the
// request matched (e.g. /q/:code), "" when none did; a method outside the
// standard ones counts as "other".
func (m *Metrics) Request(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	method = oneOf(method, "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
	if route == "" {
		route = unmatched
	}
	m.requests.WithLabelValues(method, route, statusText(status)).Inc()
	m.requestDuration.WithLabelValues(method, route).Observe(took.Seconds())
}

// statusText is the label of a status code; codes outside 100–599 (which
// net/http would not send) count as "other".
func statusText(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return strconv.Itoa(code)
}
