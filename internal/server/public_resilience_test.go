package server_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/testutil/apptest"
)

// unreachableDB is a Postgres URL on a closed port.
const unreachableDB = "postgres://postgres@127.0.0.1:1/x?connect_timeout=1&sslmode=disable"

// wantRetryAfter checks a 429's Retry-After: whole seconds, within the window.
func wantRetryAfter(t *testing.T, res *http.Response, max int) {
	t.Helper()
	v := res.Header.Get("Retry-After")
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		t.Fatalf("Retry-After %q, want whole seconds from 1 to %d", v, max)
	}
}

// terminal registers a terminal for the fixture's unit and returns its token.
func (f *pubFixture) terminal(t *testing.T, name string) string {
	t.Helper()
	var term struct{ Token string }
	res := f.office.JSON(t, "POST", "/api/v1/units/"+itoa(f.unitID)+"/terminals", map[string]string{"name": name}, &term)
	if res.StatusCode != http.StatusCreated || term.Token == "" {
		t.Fatalf("create terminal: status %d", res.StatusCode)
	}
	return term.Token
}

type pubAPIError struct {
	Error struct {
		Code, Message string
		Fields        map[string]string
	}
}

// postTerminal sends one rating with the token.
func (f *pubFixture) postTerminal(t *testing.T, token, id string, out any) *http.Response {
	t.Helper()
	batch := map[string]any{"ratings": []map[string]any{{"id": id, "level": 4, "window": "3号窗口"}}}
	return f.app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, out, "Authorization", "Bearer "+token)
}

func TestPublicRateLimitPerClient(t *testing.T) {
	f := newPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M"}})
	for i := 1; i <= 3; i++ {
		res, body := f.device("d"+strconv.Itoa(i)).rate(t, f.code, ratingForm("4"))
		if res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("post %d limited: %.300s", i, body)
		}
	}
	res, body := f.device("d4").rate(t, f.code, ratingForm("2", "reasons", "等候时间长", "comment", "排队两小时", "phone", "13712345678"))
	wantPublicPage(t, res, body, http.StatusTooManyRequests, "提交过于频繁", "排队两小时", `value="13712345678"`, `value="等候时间长" checked`)
	wantRetryAfter(t, res, 60)
}

func TestPublicRateLimitPerCode(t *testing.T) {
	f := newPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CODE": "3-M", "TRUSTED_PROXIES": "127.0.0.1"}})
	for i := 1; i <= 4; i++ {
		d := f.device("d" + strconv.Itoa(i))
		d.headers["X-Forwarded-For"] = "198.51.100." + strconv.Itoa(i)
		res, body := d.rate(t, f.code, ratingForm("5"))
		switch {
		case i <= 3 && res.StatusCode != http.StatusSeeOther:
			t.Fatalf("post %d from its own address: status %d: %.300s", i, res.StatusCode, body)
		case i == 4:
			wantPublicPage(t, res, body, http.StatusTooManyRequests, "提交过于频繁")
			wantRetryAfter(t, res, 60)
		}
	}
	// The ceiling is per code: another unit still takes ratings.
	_, code2 := f.addUnit(t, "市税务局")
	d := f.device("other")
	d.headers["X-Forwarded-For"] = "198.51.100.99"
	res, body := d.rate(t, code2, ratingForm("5"))
	wantThanks(t, res, body)
}

func TestTerminalRateLimitPerToken(t *testing.T) {
	f := newPubFixture(t, apptest.Options{Env: map[string]string{"RATE_TERMINAL": "3-M"}})
	token, other := f.terminal(t, "1号窗口"), f.terminal(t, "2号窗口")
	for i := 1; i <= 3; i++ {
		if res := f.postTerminal(t, token, "r-"+strconv.Itoa(i), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("post %d: status %d", i, res.StatusCode)
		}
	}
	var e pubAPIError
	res := f.postTerminal(t, token, "r-4", &e)
	if res.StatusCode != http.StatusTooManyRequests || e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Fatalf("4th post: status %d, %+v", res.StatusCode, e)
	}
	wantRetryAfter(t, res, 60)
	if res := f.postTerminal(t, other, "r-1", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("another terminal's token was limited too: status %d", res.StatusCode)
	}
	if n := f.stored(t, f.unitID); n != 4 {
		t.Fatalf("stored %d ratings, want 4", n)
	}
}

func TestForgedForwardedForDoesNotDodgeLimits(t *testing.T) {
	post := func(t *testing.T, f *pubFixture, i int, xff string) int {
		d := f.device("d" + strconv.Itoa(i))
		d.headers["X-Forwarded-For"] = xff
		res, _ := d.rate(t, f.code, ratingForm("5"))
		return res.StatusCode
	}
	t.Run("no trusted proxies", func(t *testing.T) {
		f := newPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M"}})
		for i := 1; i <= 4; i++ {
			status := post(t, f, i, "203.0.113."+strconv.Itoa(i))
			if limited := status == http.StatusTooManyRequests; limited != (i == 4) {
				t.Fatalf("post %d with a forged X-Forwarded-For: status %d", i, status)
			}
		}
	})
	t.Run("trusted loopback proxy", func(t *testing.T) {
		f := newPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M", "TRUSTED_PROXIES": "127.0.0.1"}})
		for i := 1; i <= 4; i++ {
			if status := post(t, f, i, "203.0.113."+strconv.Itoa(i)); status == http.StatusTooManyRequests {
				t.Fatalf("post %d from its own address was limited", i)
			}
		}
		// One address still has its own limit: three more make four.
		for i := 5; i <= 7; i++ {
			status := post(t, f, i, "203.0.113.1")
			if limited := status == http.StatusTooManyRequests; limited != (i == 7) {
				t.Fatalf("post %d from 203.0.113.1: status %d", i, status)
			}
		}
	})
}

func TestRedisDownLosesNoRating(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	f := newPubFixture(t, apptest.Options{Redis: rdb})
	a := f.device("A")
	res, body := a.rate(t, f.code, ratingForm("1", "reasons", "服务态度差", "comment", "Redis 挂了也要记下"))
	wantThanks(t, res, body)
	var out struct{ Accepted int }
	if res := f.postTerminal(t, f.terminal(t, "1号窗口"), "t-1", &out); res.StatusCode != http.StatusOK || out.Accepted != 1 {
		t.Fatalf("terminal post: status %d, %+v", res.StatusCode, out)
	}
	// The once-a-day rule still holds: Postgres keeps it.
	res, body = a.rate(t, f.code, ratingForm("5"))
	wantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")

	rows, err := f.app.Pool.Query(context.Background(), `SELECT channel, rate_checked FROM ratings ORDER BY channel`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var ch string
		var checked bool
		if err := rows.Scan(&ch, &checked); err != nil {
			t.Fatal(err)
		}
		got = append(got, ch+"="+strconv.FormatBool(checked))
	}
	if rows.Err() != nil || strings.Join(got, ",") != "qr=false,terminal=false" {
		t.Fatalf("stored %v (%v), want one qr and one terminal rating, both not rate-checked", got, rows.Err())
	}
	if n, items := f.ratings(t, f.office, f.unitID, "rate_checked=false"); n != 2 || items[0].RateChecked {
		t.Fatalf("rate_checked=false lists %d: %+v", n, items)
	}
	if n, _ := f.ratings(t, f.office, f.unitID, "rate_checked=true"); n != 0 {
		t.Fatalf("rate_checked=true lists %d, want 0", n)
	}

	var ready struct{ Status, Postgres, Redis string }
	if res := f.office.JSON(t, "GET", "/readyz", nil, &ready); res.StatusCode != http.StatusOK ||
		ready.Status != "degraded" || ready.Redis != "degraded" || ready.Postgres != "ok" {
		t.Fatalf("readyz: status %d, %+v", res.StatusCode, ready)
	}
}

func TestPostgresDownIsNotReady(t *testing.T) {
	app := apptest.New(t, apptest.Options{DatabaseURLOverride: unreachableDB})
	c := app.Client()
	var ready struct{ Status, Postgres, Redis string }
	if res := c.JSON(t, "GET", "/readyz", nil, &ready); res.StatusCode != http.StatusServiceUnavailable ||
		ready.Postgres != "down" || ready.Redis != "ok" {
		t.Fatalf("readyz: status %d, %+v", res.StatusCode, ready)
	}
	if res := c.JSON(t, "GET", "/healthz", nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: status %d, want 200 while the process lives", res.StatusCode)
	}
	d := (&pubFixture{app: app}).device("A")
	res, body := d.do(t, "GET", "/q/some-code", nil)
	wantPublicPage(t, res, body, http.StatusServiceUnavailable, "系统繁忙")
}

func TestWritesUnavailable(t *testing.T) {
	f := newPubFixture(t, apptest.Options{WriterDatabaseURL: unreachableDB})
	t.Run("terminal gets 503 unavailable", func(t *testing.T) {
		var e pubAPIError
		res := f.postTerminal(t, f.terminal(t, "1号窗口"), "r-1", &e)
		if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || e.Error.Message == "" {
			t.Fatalf("status %d, %+v", res.StatusCode, e)
		}
		if strings.Contains(e.Error.Message, "127.0.0.1") || strings.Contains(e.Error.Message, "dial") {
			t.Fatalf("error leaks internal detail: %q", e.Error.Message)
		}
	})
	t.Run("public page keeps the form", func(t *testing.T) {
		res, body := f.device("A").rate(t, f.code, ratingForm("2", "reasons", "多次跑动", "comment", "跑了三趟", "phone", "13612345678"))
		wantPublicPage(t, res, body, http.StatusServiceUnavailable, "系统繁忙", "跑了三趟", `value="13612345678"`,
			`value="多次跑动" checked`, `value="2" checked`)
	})
	if n := f.stored(t, f.unitID); n != 0 {
		t.Fatalf("stored %d ratings with the writer down", n)
	}
}
