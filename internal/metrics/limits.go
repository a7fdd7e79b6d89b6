package metrics

import "github.com/prometheus/client_golang/prometheus"

func (m *Metrics) initLimits() {
	m.limitChecks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_ratelimit_checks_total",
		Help: "Rate-limit checks, by limit (the key prefix, e.g. qc) and result (allowed, limited, " +
			"failed_open: Redis could not be asked and the request was let through)."},
		[]string{"limit", "result"})
	m.loginFallbacks = prometheus.NewCounter(prometheus.CounterOpts{Name: "minyi_login_throttle_postgres_total",
		Help: "Sign-in attempts whose per-address limit was counted in Postgres because Redis could not be asked."})
	m.sheetReads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_sheet_reads_total",
		Help: "Uploaded spreadsheets read, by outcome: parsed, or refused as too_large (over a row, column, " +
			"cell or text limit), bomb (unpacks too large), busy (every parse slot taken), timeout, bad_format."},
		[]string{"outcome"})
	m.Registry.MustRegister(m.limitChecks, m.loginFallbacks, m.sheetReads)
}

// RateLimitCheck records one rate-limit check of limit with its result
// (allowed, limited or failed_open). It makes *Metrics a
// ratelimit.Observer.
func (m *Metrics) RateLimitCheck(limit, result string) {
	if m == nil {
		return
	}
	m.limitChecks.WithLabelValues(limit, oneOf(result, "allowed", "limited", "failed_open")).Inc()
}

// LoginFallback records a sign-in's address limit counted in Postgres.
func (m *Metrics) LoginFallback() {
	if m == nil {
		return
	}
	m.loginFallbacks.Inc()
}

// SheetRead records the outcome of reading one uploaded spreadsheet (see
// sheet.Observer).
func (m *Metrics) SheetRead(outcome string) {
	if m == nil {
		return
	}
	m.sheetReads.WithLabelValues(oneOf(outcome, "parsed", "too_large", "bomb", "busy", "timeout", "bad_format")).Inc()
}
