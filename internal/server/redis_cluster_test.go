package server_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"minyi/internal/config"
	"minyi/internal/testutil"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// redisErrors records every error a Redis client's commands got back
// (a missing key is not an error), so a test can tell that the Redis path
// really answered rather than failing over to Postgres.
type redisErrors struct {
	mu   sync.Mutex
	errs []string
}

func (h *redisErrors) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *redisErrors) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		h.record(cmd)
		return err
	}
}

func (h *redisErrors) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		err := next(ctx, cmds)
		for _, cmd := range cmds {
			h.record(cmd)
		}
		return err
	}
}

func (h *redisErrors) record(cmd redis.Cmder) {
	if err := cmd.Err(); err != nil && !errors.Is(err, redis.Nil) {
		h.mu.Lock()
		h.errs = append(h.errs, cmd.Name()+": "+err.Error())
		h.mu.Unlock()
	}
}

func (h *redisErrors) list() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.errs...)
}

// clusterClient is the client `minyi serve` would make for the cluster's
// REDIS_URL, with its command errors recorded.
func clusterClient(t *testing.T, rc *testutil.RedisCluster) (redis.UniversalClient, *redisErrors) {
	t.Helper()
	opts, err := config.RedisOptions(rc.URL())
	if err != nil {
		t.Fatal(err)
	}
	if !opts.IsClusterMode || len(opts.Addrs) != len(rc.Addrs) {
		t.Fatalf("REDIS_URL %s gave %+v, want cluster mode with %d nodes", rc.URL(), opts, len(rc.Addrs))
	}
	rdb := redis.NewUniversalClient(opts)
	t.Cleanup(func() { rdb.Close() })
	if _, ok := rdb.(*redis.ClusterClient); !ok {
		t.Fatalf("client is a %T, want a cluster client", rdb)
	}
	h := &redisErrors{}
	rdb.AddHook(h)
	return rdb, h
}

// Minyi on a real Redis Cluster of three masters (one for both tests: it
// takes a second or two to start).
func TestRedisCluster(t *testing.T) {
	rc := testutil.StartRedisCluster(t, testutil.ClusterOptions{})
	t.Run("daily marks answer from Redis", func(t *testing.T) { testClusterDailyMarks(t, rc) })
	t.Run("limits and sign-in", func(t *testing.T) { testClusterLimitsAndSignIn(t, rc) })
}

// A device's second visit the same day is recognised from Redis alone:
// the marks read together share one hash slot, so the multi-key EXISTS is
// not refused with CROSSSLOT.
func testClusterDailyMarks(t *testing.T, rc *testutil.RedisCluster) {
	rdb, errs := clusterClient(t, rc)
	f := fixtures.NewPubFixture(t, apptest.Options{Redis: rdb})
	phone := f.Device("cluster-phone")
	res, body := phone.Rate(t, f.Code, fixtures.RatingForm("5", "phone", "13800138000"))
	fixtures.WantThanks(t, res, body)

	// Only Redis can know now.
	if _, err := f.App.Pool.Exec(context.Background(), `DELETE FROM rating_daily_marks`); err != nil {
		t.Fatal(err)
	}
	res, body = phone.Do(t, "GET", "/q/"+f.Code, nil)
	fixtures.WantPublicPage(t, res, body, http.StatusOK, "您今天已经评价过该单位")
	res, body = phone.Rate(t, f.Code, fixtures.RatingForm("4", "phone", "13800138000"))
	fixtures.WantPublicPage(t, res, body, http.StatusConflict, "您今天已经评价过该单位")
	if n := f.Stored(t, f.UnitID); n != 1 {
		t.Fatalf("%d ratings stored, want the first only", n)
	}
	if e := errs.list(); len(e) != 0 {
		t.Fatalf("Redis commands failed on the cluster: %q", e)
	}
	// The marks of one unit and day live in one slot, whatever the mark.
	var mu sync.Mutex
	var slots []int64
	err := rdb.(*redis.ClusterClient).ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
		keys, err := c.Keys(ctx, f.App.Prefix+"mark:*").Result()
		mu.Lock()
		defer mu.Unlock()
		for _, k := range keys {
			slots = append(slots, c.ClusterKeySlot(ctx, k).Val())
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(slots) != 3 || slots[0] != slots[1] || slots[1] != slots[2] {
		t.Fatalf("mark keys in slots %v, want three keys (device, fingerprint, phone) in one slot", slots)
	}
}

// The rate limits, the sign-in limit per address and the sessions work
// through Redis itself: nothing falls back to Postgres.
func testClusterLimitsAndSignIn(t *testing.T, rc *testutil.RedisCluster) {
	rdb, errs := clusterClient(t, rc)
	app := apptest.New(t, apptest.Options{Redis: rdb,
		Env: map[string]string{"TRUSTED_PROXIES": "127.0.0.1", "RATE_LOGIN": "3-M"}})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	for i := 1; i <= 4; i++ {
		res, e := apptest.APILogin(t, app.Client(), "192.0.2.7", "user"+strconv.Itoa(i), "wrong")
		want := http.StatusUnauthorized
		if i == 4 {
			want = http.StatusTooManyRequests
		}
		if res.StatusCode != want {
			t.Fatalf("attempt %d from one address: %d %+v, want %d", i, res.StatusCode, e.Error, want)
		}
	}
	// Counted in Redis: the Postgres fallback saw nothing.
	var fallback int
	if err := app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM login_address_windows`).Scan(&fallback); err != nil {
		t.Fatal(err)
	}
	if fallback != 0 {
		t.Fatalf("%d address windows in Postgres, want the limit counted in Redis", fallback)
	}
	c := app.Client()
	if res, e := apptest.APILogin(t, c, "192.0.2.8", "office1", "office-pass-1"); res.StatusCode != http.StatusOK {
		t.Fatalf("sign in from another address: %d %+v", res.StatusCode, e.Error)
	}
	var me struct{ User struct{ Username string } }
	if res := c.JSON(t, "GET", "/api/v1/session", nil, &me); res.StatusCode != http.StatusOK || me.User.Username != "office1" {
		t.Fatalf("session: %d %+v", res.StatusCode, me)
	}
	// Keys of the limiter are spread over the masters.
	var n atomic.Int64
	err := rdb.(*redis.ClusterClient).ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
		keys, err := c.Keys(ctx, app.Prefix+"rl*").Result()
		n.Add(int64(len(keys)))
		return err
	})
	if err != nil || n.Load() == 0 {
		t.Fatalf("limiter keys on the cluster: %d (%v), want some", n.Load(), err)
	}
	if e := errs.list(); len(e) != 0 {
		t.Fatalf("Redis commands failed on the cluster: %s", strings.Join(e, "; "))
	}
}
