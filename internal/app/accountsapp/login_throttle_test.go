package accountsapp_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/testutil/apptest"
)

// clock is a test clock the server reads through apptest.Options.Now: it
// stands still (so a back-off cannot run out while a test is slow) until
// the test advances it.
type clock struct{ offset atomic.Int64 }

var clockStart = time.Now()

func (c *clock) now() time.Time          { return clockStart.Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// wantAccountBackoff checks a sign-in refused by the account's back-off.
func wantAccountBackoff(t *testing.T, what string, res *http.Response, e apptest.APIError) {
	t.Helper()
	if res.StatusCode != http.StatusTooManyRequests || e.Error.Code != "rate_limited" || !strings.HasPrefix(e.Error.Message, "该账号登录失败次数过多，请") {
		t.Fatalf("%s: status %d, %+v; want 429 with the account back-off message", what, res.StatusCode, e.Error)
	}
	apptest.WantRetryAfter(t, res, 15*60)
}

func TestAccountBackoffAcrossAddresses(t *testing.T) {
	var clk clock
	app := apptest.New(t, apptest.Options{Now: clk.now, Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	// Each attempt comes from its own address, so only a per-account limit
	// can stop them; an account that does not exist behaves the same.
	for _, username := range []string{"office1", "nobody"} {
		for i := 1; i <= 13; i++ {
			c := app.Client()
			res, e := apptest.APILogin(t, c, "198.51.100."+strconv.Itoa(i), username, "wrong-pass-"+strconv.Itoa(i))
			switch {
			case i <= 6:
				if res.StatusCode != http.StatusUnauthorized {
					t.Fatalf("%s attempt %d: status %d %+v, want 401 (five failures are free, the sixth starts the back-off)", username, i, res.StatusCode, e.Error)
				}
			default:
				wantAccountBackoff(t, username+" attempt "+strconv.Itoa(i), res, e)
			}
		}
	}
	// The right password waits too, or the back-off would tell it apart.
	res, e := apptest.APILogin(t, app.Client(), "198.51.100.200", "office1", "office-pass-1")
	wantAccountBackoff(t, "right password during the back-off", res, e)
	// The console says so in Chinese, with the same status.
	c := app.Client()
	p := apptest.FormLogin(t, c, "OFFICE1", "wrong-pass-x", "")
	if p.Status != http.StatusTooManyRequests || !p.Has("该账号登录失败次数过多") || !p.Has("秒后再试") {
		t.Fatalf("console during the back-off: %d, message shown %v", p.Status, p.Has("该账号登录失败次数过多"))
	}
	// The back-off is a delay, not a lock: once it passes, the right
	// password works and a success starts the count again.
	clk.advance(2 * time.Second)
	if res, e := apptest.APILogin(t, app.Client(), "198.51.100.201", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
		t.Fatalf("right password after the back-off: status %d %+v", res.StatusCode, e.Error)
	}
	for i := 1; i <= 5; i++ {
		if res, _ := apptest.APILogin(t, app.Client(), "198.51.100."+strconv.Itoa(20+i), "office1", "wrong"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d after a success: status %d, want 401", i, res.StatusCode)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	var clk clock
	app := apptest.New(t, apptest.Options{Now: clk.now, Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}})
	retry := func(i int) int {
		res, e := apptest.APILogin(t, app.Client(), "203.0.113."+strconv.Itoa(i%250+1), "target", "wrong")
		if res.StatusCode == http.StatusUnauthorized {
			return 0
		}
		wantAccountBackoff(t, "attempt "+strconv.Itoa(i), res, e)
		n, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return n
	}
	var waits []int
	for i := 1; len(waits) < 14 && i <= 40; i++ {
		if n := retry(i); n > 0 {
			waits = append(waits, n)
			clk.advance(time.Duration(n) * time.Second)
		}
	}
	want := []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900}
	if !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
}

func TestKnownDeviceIsNotLockedOut(t *testing.T) {
	var clk clock
	app := apptest.New(t, apptest.Options{Now: clk.now, Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	app.AddUser(t, "office2", "office-pass-2", "office", nil)
	// The owner signed in from this browser before.
	owner := app.Client()
	if res, e := apptest.APILogin(t, owner, "192.0.2.1", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
		t.Fatalf("first sign-in: %d %+v", res.StatusCode, e.Error)
	}
	// Someone else keeps the account in back-off.
	for i := 1; i <= 12; i++ {
		apptest.APILogin(t, app.Client(), "198.51.100."+strconv.Itoa(i), "office1", "guess-"+strconv.Itoa(i))
	}
	res, e := apptest.APILogin(t, app.Client(), "198.51.100.99", "office1", "office-pass-1")
	wantAccountBackoff(t, "a new browser", res, e)
	// The owner's browser is not held up by them.
	if res, e := apptest.APILogin(t, owner, "192.0.2.1", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
		t.Fatalf("the owner's known browser: %d %+v", res.StatusCode, e.Error)
	}
	// Its own mistakes have their own back-off.
	for i := 1; i <= 7; i++ {
		res, e := apptest.APILogin(t, owner, "192.0.2.1", "office1", "typo-"+strconv.Itoa(i))
		if i <= 6 && res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("owner's typo %d: %d %+v", i, res.StatusCode, e.Error)
		}
		if i == 7 {
			wantAccountBackoff(t, "owner's seventh typo", res, e)
		}
	}
	// The browser is known for the account it signed in to, not for others.
	for i := 1; i <= 12; i++ {
		apptest.APILogin(t, app.Client(), "198.51.100."+strconv.Itoa(i), "office2", "guess-"+strconv.Itoa(i))
	}
	res, e = apptest.APILogin(t, owner, "192.0.2.1", "office2", "office-pass-2")
	wantAccountBackoff(t, "the owner's browser for another account", res, e)
}

func TestLoginLimitsHoldWithRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	var clk clock
	app := apptest.New(t, apptest.Options{Redis: rdb, Now: clk.now,
		Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "RATE_LOGIN": "3-M"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	t.Run("per address", func(t *testing.T) {
		for i := 1; i <= 4; i++ {
			res, e := apptest.APILogin(t, app.Client(), "192.0.2.7", "user"+strconv.Itoa(i), "wrong")
			if i <= 3 && res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d %+v", i, res.StatusCode, e.Error)
			}
			if i == 4 {
				if res.StatusCode != http.StatusTooManyRequests || e.Error.Message != "登录尝试过于频繁，请稍后再试" {
					t.Fatalf("fourth attempt from one address with Redis down: %d %+v, want 429", res.StatusCode, e.Error)
				}
				apptest.WantRetryAfter(t, res, 60)
			}
		}
		// Another address is not held up.
		if res, e := apptest.APILogin(t, app.Client(), "192.0.2.8", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
			t.Fatalf("another address: %d %+v", res.StatusCode, e.Error)
		}
	})
	t.Run("per account", func(t *testing.T) {
		for i := 1; i <= 13; i++ {
			res, e := apptest.APILogin(t, app.Client(), "198.51.100."+strconv.Itoa(i), "office1", "wrong")
			if i <= 6 && res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d %+v", i, res.StatusCode, e.Error)
			}
			if i > 6 {
				wantAccountBackoff(t, "attempt "+strconv.Itoa(i)+" with Redis down", res, e)
			}
		}
		clk.advance(2 * time.Second)
		if res, e := apptest.APILogin(t, app.Client(), "198.51.100.77", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
			t.Fatalf("right password after the back-off: %d %+v", res.StatusCode, e.Error)
		}
	})
}

func TestForgedRealIPDoesNotChangeTheAddress(t *testing.T) {
	app := apptest.New(t, apptest.Options{Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "RATE_LOGIN": "3-M"}})
	// Behind a trusted proxy that passes X-Real-IP through, a client could
	// choose its address with it; only X-Forwarded-For is believed.
	for i := 1; i <= 4; i++ {
		res, e := apptest.APILogin(t, app.Client(), "", "user"+strconv.Itoa(i), "wrong", "X-Real-IP", "203.0.113."+strconv.Itoa(i))
		if limited := res.StatusCode == http.StatusTooManyRequests; limited != (i == 4) {
			t.Fatalf("attempt %d with a forged X-Real-IP: %d %+v", i, res.StatusCode, e.Error)
		}
	}
	// X-Forwarded-For from the trusted proxy still names the client.
	if res, e := apptest.APILogin(t, app.Client(), "203.0.113.50", "user5", "wrong"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("another client through the proxy: %d %+v", res.StatusCode, e.Error)
	}
}
