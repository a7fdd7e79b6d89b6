package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// EstimateCache keeps the planner's estimates of list totals for a while.
// An EXPLAIN over years of monthly partitions costs tens of milliseconds of
// planning (about 50 ms over sixty), every time a page asks; an estimate
// only chooses how a total is counted and is shown as "约 N", so one a few
// minutes old serves as well. It also keeps, for less time, the totals
// whose count ran out of its budget (OverBudgetTTL). The server keeps them
// in Redis, shared by its instances; without a cache in the context every
// total asks the planner and counts.
type EstimateCache interface {
	// GetEstimate returns the number stored under key, if any.
	GetEstimate(ctx context.Context, key string) (int, bool)
	// SetEstimate stores n under key for ttl; a failure only costs the
	// next EXPLAIN (or count).
	SetEstimate(ctx context.Context, key string, n int, ttl time.Duration)
}

// EstimateTTL is how long a planner's estimate is reused.
const EstimateTTL = 10 * time.Minute

// OverBudgetTTL is how long a total whose count ran out of its budget is
// shown as it was then, without counting again (the count would spend its
// whole budget again, 40 ms of each page, to arrive at the same
// approximate total). A total shown as exact is never reused: it is
// counted on every page.
const OverBudgetTTL = 2 * time.Minute

type estimateCacheKey struct{}

// WithEstimateCache returns ctx carrying the cache CountCapped uses.
func WithEstimateCache(ctx context.Context, c EstimateCache) context.Context {
	return context.WithValue(ctx, estimateCacheKey{}, c)
}

// estimateKey is the context's cache and its key for the statement rows
// and its arguments; the cache is nil when the context has none (or the
// arguments do not encode).
func estimateKey(ctx context.Context, rows string, args []any) (EstimateCache, string) {
	c, _ := ctx.Value(estimateCacheKey{}).(EstimateCache)
	if c == nil {
		return nil, ""
	}
	b, err := json.Marshal(args)
	if err != nil {
		return nil, ""
	}
	sum := sha256.Sum256(append([]byte(rows+"\x00"), b...))
	return c, hex.EncodeToString(sum[:16])
}

// cachedEstimate is Estimate through the context's cache: the key is the
// statement and its arguments.
func cachedEstimate(ctx context.Context, q DBTX, rows string, args ...any) (int, error) {
	c, key := estimateKey(ctx, rows, args)
	if c == nil {
		return Estimate(ctx, q, rows, args...)
	}
	if n, ok := c.GetEstimate(ctx, key); ok {
		return n, nil
	}
	n, err := Estimate(ctx, q, rows, args...)
	if err == nil {
		c.SetEstimate(ctx, key, n, EstimateTTL)
	}
	return n, err
}

// overBudget returns the total stored for the statement rows and its
// arguments when its count last ran out of budget (within OverBudgetTTL).
func overBudget(ctx context.Context, rows string, args []any) (Total, bool) {
	c, key := estimateKey(ctx, rows, args)
	if c == nil {
		return Total{}, false
	}
	v, ok := c.GetEstimate(ctx, "over:"+key)
	if !ok || v < 0 {
		return Total{}, false
	}
	// v is 2N, plus 1 when N is the planner's estimate.
	return Total{N: v / 2, Estimated: v%2 == 1}, true
}

// rememberOverBudget stores t, a total whose count ran out of budget.
func rememberOverBudget(ctx context.Context, rows string, args []any, t Total) {
	if c, key := estimateKey(ctx, rows, args); c != nil {
		v := 2 * t.N
		if t.Estimated {
			v++
		}
		c.SetEstimate(ctx, "over:"+key, v, OverBudgetTTL)
	}
}
