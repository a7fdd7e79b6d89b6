package ratelimit_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"

	"minyi/internal/ratelimit"
	"minyi/internal/testutil"
)

// heard is an Observer that remembers every check.
type heard struct {
	mu     sync.Mutex
	checks map[string]int // "limit result" → count
}

func (h *heard) RateLimitCheck(limit, result string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.checks == nil {
		h.checks = map[string]int{}
	}
	h.checks[limit+" "+result]++
}

func (h *heard) count(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.checks[key]
}

// The observer hears each check under the key's prefix: allowed, limited,
// and failed_open while Redis cannot be asked.
func TestObserverHearsEveryCheck(t *testing.T) {
	rdb, prefix := testutil.Redis(t)
	l := ratelimit.New(rdb, prefix+"rl")
	h := &heard{}
	l.SetObserver(h)
	rate := limiter.Rate{Period: time.Minute, Limit: 2}
	for range 3 {
		l.Allow(context.Background(), rate, "qc:0123abcd")
	}
	if h.count("qc allowed") != 2 || h.count("qc limited") != 1 || len(h.checks) != 2 {
		t.Errorf("heard %v, want qc allowed 2 and limited 1", h.checks)
	}

	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	l = ratelimit.New(down, "minyi_test_down:")
	h = &heard{}
	l.SetObserver(h)
	for range 2 { // the second is short-circuited while Redis is marked down
		if d := l.Allow(context.Background(), rate, "login:0123abcd"); d.Checked {
			t.Fatalf("checked with Redis down: %+v", d)
		}
	}
	if h.count("login failed_open") != 2 || len(h.checks) != 1 {
		t.Errorf("heard %v, want login failed_open 2", h.checks)
	}
	l.SetObserver(nil)
	l.Allow(context.Background(), rate, "login:0123abcd")
	if h.count("login failed_open") != 2 {
		t.Errorf("heard a check after the observer was removed: %v", h.checks)
	}
}

func TestLimitName(t *testing.T) {
	for key, want := range map[string]string{
		"qc:0123abcd": "qc", "t:ff": "t", "login:ab": "login", "qk:ABC:def": "qk",
		"no-colon": "other", ":x": "other", "QC:ab": "other", "toolongprefix:ab": "other", "q-c:ab": "other",
	} {
		if got := ratelimit.LimitName(key); got != want {
			t.Errorf("LimitName(%q) = %q, want %q", key, got, want)
		}
	}
}
