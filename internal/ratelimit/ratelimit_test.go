package ratelimit_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"

	"minyi/internal/ratelimit"
	"minyi/internal/testutil"
)

// Concurrent checks travel to Redis in shared pipelines; each must still be
// counted exactly once, so exactly the limit's worth get through.
func TestConcurrentChecksCountExactly(t *testing.T) {
	rdb, prefix := testutil.Redis(t)
	l := ratelimit.New(rdb, prefix+"rl")
	rate := limiter.Rate{Period: time.Minute, Limit: 150}
	var allowed, limited, unchecked atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				d := l.Allow(context.Background(), rate, "same-key")
				switch {
				case !d.Checked:
					unchecked.Add(1)
				case d.Limited:
					limited.Add(1)
					if d.RetryAfter < time.Second || d.RetryAfter > time.Minute {
						t.Errorf("RetryAfter %v, want 1s to 1m", d.RetryAfter)
					}
				default:
					allowed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if unchecked.Load() != 0 || allowed.Load() != 150 || limited.Load() != 640-150 {
		t.Fatalf("allowed %d, limited %d, unchecked %d; want 150, 490, 0", allowed.Load(), limited.Load(), unchecked.Load())
	}
	// Another key has its own count.
	if d := l.Allow(context.Background(), rate, "other-key"); !d.Checked || d.Limited {
		t.Fatalf("other key: %+v", d)
	}
}

// With Redis unreachable a check lets the request through and says it was
// not checked, so the caller can store the rating marked for review.
func TestRedisDownLetsThroughUnchecked(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	l := ratelimit.New(rdb, "minyi_test_down:")
	rate := limiter.Rate{Period: time.Minute, Limit: 1}
	for i := 0; i < 3; i++ {
		d := l.Allow(context.Background(), rate, "k")
		if d.Checked || d.Limited {
			t.Fatalf("check %d: %+v, want unchecked and allowed", i, d)
		}
	}
}
