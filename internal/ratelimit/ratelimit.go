// Package ratelimit applies Minyi's rate limits through Redis with
// ulule/limiter, so every instance behind the load balancer shares the same
// counters. When Redis is unreachable it lets requests through and says so,
// so that callers can store what they got and mark it as not rate-checked.
package ratelimit

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	redisstore "github.com/ulule/limiter/v3/drivers/store/redis"
)

// Decision is the outcome of one check.
type Decision struct {
	// Checked is false when Redis could not be asked; the request was let through.
	Checked bool
	// Limited is true when the limit was reached.
	Limited bool
	// RetryAfter is how long until the limit resets, when Limited.
	RetryAfter time.Duration
}

// Limiter checks named limits against Redis.
type Limiter struct {
	rdb    *pipelinedClient
	prefix string

	mu    sync.Mutex
	store limiter.Store
	// downUntil short-circuits checks for a moment after Redis failed, so an
	// outage costs each request nothing rather than a timeout. It is a local
	// optimisation only; no decision depends on it being shared.
	downUntil atomic.Int64

	// observer hears about each check (see SetObserver).
	observer atomic.Pointer[observerBox]
}

// New returns a limiter whose keys start with prefix.
func New(rdb redis.UniversalClient, prefix string) *Limiter {
	// A check gives up after 300 ms and lets the request through unchecked.
	return &Limiter{rdb: newPipelinedClient(rdb, 300*time.Millisecond), prefix: prefix}
}

func (l *Limiter) getStore(ctx context.Context) (limiter.Store, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.store != nil {
		return l.store, nil
	}
	// The store loads its Lua scripts when made, so it can only be made
	// while Redis answers; until then every check reports unchecked.
	s, err := redisstore.NewStoreWithOptions(l.rdb, limiter.StoreOptions{Prefix: l.prefix, MaxRetry: 1})
	if err != nil {
		return nil, err
	}
	l.store = s
	return s, nil
}

// Allow counts one request against rate for key.
func (l *Limiter) Allow(ctx context.Context, rate limiter.Rate, key string) Decision {
	if time.Now().UnixNano() < l.downUntil.Load() {
		l.observe(key, ResultFailedOpen)
		return Decision{}
	}
	// The check gives up after 300 ms: the pipelined client holds every
	// call to that deadline itself, so no timer is made per request.
	store, err := l.getStore(ctx)
	if err != nil {
		l.markDown()
		l.observe(key, ResultFailedOpen)
		return Decision{}
	}
	res, err := limiter.New(store, rate).Get(ctx, key)
	if err != nil {
		l.markDown()
		l.observe(key, ResultFailedOpen)
		return Decision{}
	}
	if !res.Reached {
		l.observe(key, ResultAllowed)
		return Decision{Checked: true}
	}
	l.observe(key, ResultLimited)
	return Decision{Checked: true, Limited: true, RetryAfter: max(time.Until(time.Unix(res.Reset, 0)), time.Second)}
}

func (l *Limiter) markDown() {
	l.downUntil.Store(time.Now().Add(time.Second).UnixNano())
}
