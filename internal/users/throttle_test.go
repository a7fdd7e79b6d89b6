package users_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

func TestBackoffWait(t *testing.T) {
	b := users.LoginBackoff
	want := map[int]time.Duration{0: 0, 1: 0, 5: 0, 6: time.Second, 7: 2 * time.Second, 8: 4 * time.Second,
		15: 512 * time.Second, 16: 15 * time.Minute, 17: 15 * time.Minute, 1000: 15 * time.Minute, 1 << 30: 15 * time.Minute}
	for n, w := range want {
		if got := b.Wait(n); got != w {
			t.Errorf("Wait(%d) = %v, want %v", n, got, w)
		}
	}
}

// FuzzBackoffWait checks that the wait never goes negative or past Max,
// is zero for the free failures and never shrinks as failures grow.
func FuzzBackoffWait(f *testing.F) {
	f.Add(5, int64(time.Second), int64(15*time.Minute), 7)
	f.Add(0, int64(1), int64(1<<62), 1<<30)
	f.Add(3, int64(time.Hour), int64(time.Second), 100)
	f.Add(0, int64(1), int64(math.MaxInt64), 100)
	f.Fuzz(func(t *testing.T, free int, base, max int64, n int) {
		if base <= 0 || max <= 0 || free < 0 || free > 1000 || n < 0 || n > 1<<20 {
			return
		}
		b := users.Backoff{Free: free, Base: time.Duration(base), Max: time.Duration(max)}
		w, next := b.Wait(n), b.Wait(n+1)
		switch {
		case w < 0 || w > b.Max:
			t.Fatalf("%+v Wait(%d) = %v", b, n, w)
		case n <= free && w != 0:
			t.Fatalf("%+v Wait(%d) = %v within the free failures", b, n, w)
		case n > free && w == 0:
			t.Fatalf("%+v Wait(%d) = 0 past the free failures", b, n)
		case next < w:
			t.Fatalf("%+v Wait(%d) = %v shrank from Wait(%d) = %v", b, n+1, next, n, w)
		}
	})
}

// claim runs ClaimLoginAttempt in its own transaction.
func claim(t *testing.T, pool *pgxpool.Pool, key string, now time.Time) time.Duration {
	t.Helper()
	var wait time.Duration
	err := db.Tx(context.Background(), pool, func(tx pgx.Tx) (err error) {
		wait, err = users.ClaimLoginAttempt(context.Background(), tx, []byte(key), users.LoginBackoff, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return wait
}

func TestClaimLoginAttempt(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= 6; i++ {
		if w := claim(t, pool, "a", now); w != 0 {
			t.Fatalf("attempt %d waits %v", i, w)
		}
	}
	if w := claim(t, pool, "a", now.Add(400*time.Millisecond)); w != 600*time.Millisecond {
		t.Fatalf("attempt 7 during the wait: %v, want the 600ms left", w)
	}
	if w := claim(t, pool, "b", now); w != 0 {
		t.Fatalf("another key waits %v", w)
	}
	// The refused attempt did not count: after the first wait the next one is 2 s.
	now = now.Add(time.Second)
	if w := claim(t, pool, "a", now); w != 0 {
		t.Fatalf("attempt after the wait: %v", w)
	}
	if w := claim(t, pool, "a", now); w != 2*time.Second {
		t.Fatalf("second wait %v, want 2s", w)
	}
	// A success clears the key.
	if err := users.ClearLoginFailures(ctx, pool, []byte("a")); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 6; i++ {
		if w := claim(t, pool, "a", now); w != 0 {
			t.Fatalf("attempt %d after a success waits %v", i, w)
		}
	}
	// A quiet day forgets the failures, and the hourly maintenance prunes them.
	later := now.Add(25 * time.Hour)
	if w := claim(t, pool, "b", later); w != 0 {
		t.Fatalf("b after a quiet day waits %v", w)
	}
	if n, err := users.PruneLoginThrottle(ctx, pool, users.LoginBackoff, later); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want a's row only", n, err)
	}
	if w := claim(t, pool, "a", later); w != 0 {
		t.Fatalf("a after pruning waits %v", w)
	}
}

func TestClaimLoginAttemptInParallel(t *testing.T) {
	pool := testutil.DB(t)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	const n = 24
	waits := make([]time.Duration, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waits[i] = claim(t, pool, "target", now)
		}()
	}
	wg.Wait()
	allowed := 0
	for _, w := range waits {
		if w == 0 {
			allowed++
		}
	}
	// Sent at once, they get the five free attempts and the one that starts
	// the wait, no more.
	if allowed != 6 {
		t.Errorf("%d of %d parallel attempts allowed, want 6", allowed, n)
	}
}

func TestCountAddressAttempt(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	count := func(key string, at time.Time) time.Duration {
		t.Helper()
		w, err := users.CountAddressAttempt(ctx, pool, []byte(key), 3, time.Minute, at)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	for i := range 3 {
		if w := count("x", start.Add(time.Duration(i)*time.Second)); w != 0 {
			t.Fatalf("attempt %d limited, %v", i+1, w)
		}
	}
	if w := count("x", start.Add(45*time.Second)); w != 15*time.Second {
		t.Fatalf("fourth attempt: %v, want the 15s left in the window", w)
	}
	if w := count("y", start.Add(45*time.Second)); w != 0 {
		t.Fatalf("another address limited: %v", w)
	}
	if w := count("x", start.Add(time.Minute)); w != 0 {
		t.Fatalf("next window limited: %v", w)
	}
	if n, err := users.PruneLoginThrottle(ctx, pool, users.LoginBackoff, start.Add(90*time.Second)); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the two ended windows", n, err)
	}
}
