package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a rating besides the writer's (created, duplicate,
// daily_limit, case_conflict, revoked, see package ratings).
const (
	// RatingInvalid is a rating refused by validation.
	RatingInvalid = "invalid"
	// RatingRateLimited is a rating refused by a rate limit.
	RatingRateLimited = "rate_limited"
	// RatingFailed is a rating not stored because storing failed
	// (Postgres unavailable); the client is asked to send it again.
	RatingFailed = "failed"
)

func (m *Metrics) initRatings() {
	m.ratings = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_ratings_total",
		Help: "Ratings received, by channel (qr, terminal), outcome (created, duplicate, rejected, failed) " +
			"and, for rejected ones, reason (invalid, rate_limited, daily_limit, case_conflict, revoked)."},
		[]string{"channel", "outcome", "reason"})
	m.batchRatings = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minyi_rating_writer_batch_ratings",
		Help:    "Ratings per statement the rating writer sent (its group-commit batch size).",
		Buckets: []float64{1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000}})
	m.flushDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "minyi_rating_writer_flush_duration_seconds",
		Help:    "How long the rating writer took to store one batch, commit included.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}})
	m.flushes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "minyi_rating_writer_flushes_total",
		Help: "Batches the rating writer sent, by result (ok, failed)."}, []string{"result"})
	m.Registry.MustRegister(m.ratings, m.batchRatings, m.flushDuration, m.flushes)
}

// Ratings records n ratings of channel (qr or terminal) that ended with
// status: one of the writer's outcomes or RatingInvalid,
// RatingRateLimited, RatingFailed.
func (m *Metrics) Ratings(channel, status string, n int) {
	if m == nil || n <= 0 {
		return
	}
	outcome, reason := "rejected", oneOf(status, RatingInvalid, RatingRateLimited, "daily_limit", "case_conflict", "revoked")
	switch status {
	case "created", "duplicate", RatingFailed:
		outcome, reason = status, ""
	}
	m.ratings.WithLabelValues(oneOf(channel, "qr", "terminal"), outcome, reason).Add(float64(n))
}

// RatingBatch records one batch the rating writer stored, or failed to
// (err not nil), with its number of ratings and how long it took. It makes
// *Metrics a ratings.Observer.
func (m *Metrics) RatingBatch(ratings int, took time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.flushes.WithLabelValues(result).Inc()
	m.batchRatings.Observe(float64(ratings))
	m.flushDuration.Observe(took.Seconds())
}
