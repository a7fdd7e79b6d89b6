package db

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// EstimateCache keeps the planner's estimates of list totals for a while.
// An EXPLAIN over years of monthly partitions costs tens of milliseconds of
// planning (about 50 ms over sixty), every time a page asks; an estimate
// only chooses how a total is counted and is shown as "约 N", so one a few
// minutes old serves as well. The server keeps them in Redis, shared by its
// instances; without a cache in the context every total asks the planner.
type EstimateCache interface {
	// GetEstimate returns the estimate stored under key, if any.
	GetEstimate(ctx context.Context, key string) (int, bool)
	// SetEstimate stores n under key; a failure only costs the next
	// EXPLAIN.
	SetEstimate(ctx context.Context, key string, n int)
}

type estimateCacheKey struct{}

// WithEstimateCache returns ctx carrying the cache CountCapped uses.
func WithEstimateCache(ctx context.Context, c EstimateCache) context.Context {
	return context.WithValue(ctx, estimateCacheKey{}, c)
}

// cachedEstimate is Estimate through the context's cache: the key is the
// statement and its arguments.
func cachedEstimate(ctx context.Context, q DBTX, rows string, args ...any) (int, error) {
	c, _ := ctx.Value(estimateCacheKey{}).(EstimateCache)
	if c == nil {
		return Estimate(ctx, q, rows, args...)
	}
	b, err := json.Marshal(args)
	if err != nil {
		return Estimate(ctx, q, rows, args...)
	}
	sum := sha256.Sum256(append([]byte(rows+"\x00"), b...))
	key := hex.EncodeToString(sum[:16])
	if n, ok := c.GetEstimate(ctx, key); ok {
		return n, nil
	}
	n, err := Estimate(ctx, q, rows, args...)
	if err == nil {
		c.SetEstimate(ctx, key, n)
	}
	return n, err
}
