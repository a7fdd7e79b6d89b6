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

// totalCache is the context's cache with the key of one statement and its
// arguments, worked out once for a total's estimate and its stored total;
// its zero value (no cache in the context, or arguments that do not
// encode) keeps nothing.
type totalCache struct {
	c   EstimateCache
	key string
}

func cacheFor(ctx context.Context, rows string, args []any) totalCache {
	c, _ := ctx.Value(estimateCacheKey{}).(EstimateCache)
	if c == nil {
		return totalCache{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return totalCache{}
	}
	sum := sha256.Sum256(append([]byte(rows+"\x00"), b...))
	return totalCache{c: c, key: hex.EncodeToString(sum[:16])}
}

// estimate is Estimate through the cache.
func (tc totalCache) estimate(ctx context.Context, q DBTX, rows string, args []any) (int, error) {
	if tc.c == nil {
		return Estimate(ctx, q, rows, args...)
	}
	if n, ok := tc.c.GetEstimate(ctx, tc.key); ok {
		return n, nil
	}
	n, err := Estimate(ctx, q, rows, args...)
	if err == nil {
		tc.c.SetEstimate(ctx, tc.key, n, EstimateTTL)
	}
	return n, err
}

// overBudget returns the total stored when the count last ran out of
// budget (within OverBudgetTTL).
func (tc totalCache) overBudget(ctx context.Context) (Total, bool) {
	if tc.c == nil {
		return Total{}, false
	}
	v, ok := tc.c.GetEstimate(ctx, "over:"+tc.key)
	if !ok || v < 0 {
		return Total{}, false
	}
	// v is 2N, plus 1 when N is the planner's estimate.
	return Total{N: v / 2, Estimated: v%2 == 1}, true
}

// rememberOverBudget stores t, a total whose count ran out of budget.
func (tc totalCache) rememberOverBudget(ctx context.Context, t Total) {
	if tc.c == nil {
		return
	}
	v := 2 * t.N
	if t.Estimated {
		v++
	}
	tc.c.SetEstimate(ctx, "over:"+tc.key, v, OverBudgetTTL)
}
