package ratingsapp_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestPublicRateLimitPerClient(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M"}})
	for i := 1; i <= 3; i++ {
		res, body := f.Device("d"+strconv.Itoa(i)).Rate(t, f.Code, fixtures.RatingForm("4"))
		if res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("post %d limited: %.300s", i, body)
		}
	}
	res, body := f.Device("d4").Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "等候时间长", "comment", "排队两小时", "phone", "13712345678"))
	fixtures.WantPublicPage(t, res, body, http.StatusTooManyRequests, "提交过于频繁", "排队两小时", `value="13712345678"`, `value="等候时间长" checked`)
	apptest.WantRetryAfter(t, res, 60)
}

func TestPublicRateLimitPerCode(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CODE": "3-M", "TRUSTED_PROXIES": "127.0.0.1"}})
	for i := 1; i <= 4; i++ {
		d := f.Device("d" + strconv.Itoa(i))
		d.Headers["X-Forwarded-For"] = "198.51.100." + strconv.Itoa(i)
		res, body := d.Rate(t, f.Code, fixtures.RatingForm("5"))
		switch {
		case i <= 3 && res.StatusCode != http.StatusSeeOther:
			t.Fatalf("post %d from its own address: status %d: %.300s", i, res.StatusCode, body)
		case i == 4:
			fixtures.WantPublicPage(t, res, body, http.StatusTooManyRequests, "提交过于频繁")
			apptest.WantRetryAfter(t, res, 60)
		}
	}
	// The ceiling is per code: another unit still takes ratings.
	_, code2 := f.AddUnit(t, "市税务局")
	d := f.Device("other")
	d.Headers["X-Forwarded-For"] = "198.51.100.99"
	res, body := d.Rate(t, code2, fixtures.RatingForm("5"))
	fixtures.WantThanks(t, res, body)
}

func TestTerminalRateLimitPerToken(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_TERMINAL": "3-M"}})
	token, other := f.Terminal(t, "1号窗口"), f.Terminal(t, "2号窗口")
	for i := 1; i <= 3; i++ {
		if res := f.PostTerminal(t, token, "r-"+strconv.Itoa(i), nil); res.StatusCode != http.StatusOK {
			t.Fatalf("post %d: status %d", i, res.StatusCode)
		}
	}
	var e apptest.APIError
	res := f.PostTerminal(t, token, "r-4", &e)
	if res.StatusCode != http.StatusTooManyRequests || e.Error.Code != "rate_limited" || e.Error.Message == "" {
		t.Fatalf("4th post: status %d, %+v", res.StatusCode, e)
	}
	apptest.WantRetryAfter(t, res, 60)
	if res := f.PostTerminal(t, other, "r-1", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("another terminal's token was limited too: status %d", res.StatusCode)
	}
	if n := f.Stored(t, f.UnitID); n != 4 {
		t.Fatalf("stored %d ratings, want 4", n)
	}
}

func TestForgedForwardedForDoesNotDodgeLimits(t *testing.T) {
	post := func(t *testing.T, f *fixtures.PubFixture, i int, xff string) int {
		d := f.Device("d" + strconv.Itoa(i))
		d.Headers["X-Forwarded-For"] = xff
		res, _ := d.Rate(t, f.Code, fixtures.RatingForm("5"))
		return res.StatusCode
	}
	t.Run("no trusted proxies", func(t *testing.T) {
		f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M"}})
		for i := 1; i <= 4; i++ {
			status := post(t, f, i, "203.0.113."+strconv.Itoa(i))
			if limited := status == http.StatusTooManyRequests; limited != (i == 4) {
				t.Fatalf("post %d with a forged X-Forwarded-For: status %d", i, status)
			}
		}
	})
	t.Run("trusted loopback proxy", func(t *testing.T) {
		f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_CLIENT": "3-M", "TRUSTED_PROXIES": "127.0.0.1"}})
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
	f := fixtures.NewPubFixture(t, apptest.Options{Redis: rdb})
	a := f.Device("A")
	res, body := a.Rate(t, f.Code, fixtures.RatingForm("1", "reasons", "服务态度差", "comment", "Redis 挂了也要记下"))
	fixtures.WantThanks(t, res, body)
	var out struct{ Accepted int }
	if res := f.PostTerminal(t, f.Terminal(t, "1号窗口"), "t-1", &out); res.StatusCode != http.StatusOK || out.Accepted != 1 {
		t.Fatalf("terminal post: status %d, %+v", res.StatusCode, out)
	}
	// The once-a-day rule still holds: Postgres keeps it.
	res, body = a.Rate(t, f.Code, fixtures.RatingForm("5"))
	fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")

	rows, err := f.App.Pool.Query(context.Background(), `SELECT channel, rate_checked FROM ratings ORDER BY channel`)
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
	if n, items := listRatings(t, f, f.Office, f.UnitID, "rate_checked=false"); n != 2 || items[0].RateChecked {
		t.Fatalf("rate_checked=false lists %d: %+v", n, items)
	}
	if n, _ := listRatings(t, f, f.Office, f.UnitID, "rate_checked=true"); n != 0 {
		t.Fatalf("rate_checked=true lists %d, want 0", n)
	}

	var ready struct{ Status, Postgres, Redis string }
	if res := f.Office.JSON(t, "GET", "/readyz", nil, &ready); res.StatusCode != http.StatusOK ||
		ready.Status != "degraded" || ready.Redis != "degraded" || ready.Postgres != "ok" {
		t.Fatalf("readyz: status %d, %+v", res.StatusCode, ready)
	}
}

func TestWritesUnavailable(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{WriterDatabaseURL: apptest.UnreachableDB})
	t.Run("terminal gets 503 unavailable", func(t *testing.T) {
		var e apptest.APIError
		res := f.PostTerminal(t, f.Terminal(t, "1号窗口"), "r-1", &e)
		if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "unavailable" || e.Error.Message == "" {
			t.Fatalf("status %d, %+v", res.StatusCode, e)
		}
		if strings.Contains(e.Error.Message, "127.0.0.1") || strings.Contains(e.Error.Message, "dial") {
			t.Fatalf("error leaks internal detail: %q", e.Error.Message)
		}
	})
	t.Run("public page keeps the form", func(t *testing.T) {
		res, body := f.Device("A").Rate(t, f.Code, fixtures.RatingForm("2", "reasons", "多次跑动", "comment", "跑了三趟", "phone", "13612345678"))
		fixtures.WantPublicPage(t, res, body, http.StatusServiceUnavailable, "系统繁忙", "跑了三趟", `value="13612345678"`,
			`value="多次跑动" checked`, `value="2" checked`)
	})
	if n := f.Stored(t, f.UnitID); n != 0 {
		t.Fatalf("stored %d ratings with the writer down", n)
	}
}
