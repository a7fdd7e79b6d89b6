package ratelimit_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"

	"minyi/internal/config"
	"minyi/internal/ratelimit"
	"minyi/internal/testutil"
)

// On a Redis Cluster the shared pipelines carry checks of keys on every
// master (the cluster client splits them by node) and each is still
// counted exactly once: the limiter's script touches one key only.
func TestChecksOnRedisClusterCountExactly(t *testing.T) {
	rc := testutil.StartRedisCluster(t, testutil.ClusterOptions{})
	opts, err := config.RedisOptions(rc.URL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewUniversalClient(opts)
	t.Cleanup(func() { rdb.Close() })
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		t.Fatalf("client is a %T, want a cluster client", rdb)
	}
	l := ratelimit.New(rdb, "minyi_test_cluster:")
	rate := limiter.Rate{Period: time.Minute, Limit: 40}
	const keys, goroutines, each = 8, 32, 20 // 80 checks per key
	var mu sync.Mutex
	allowed := map[string]int{}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				key := "k" + strconv.Itoa((g+i)%keys)
				d := l.Allow(context.Background(), rate, key)
				if !d.Checked {
					t.Errorf("check of %s not made on the cluster", key)
					return
				}
				if !d.Limited {
					mu.Lock()
					allowed[key]++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	for k := 0; k < keys; k++ {
		if n := allowed["k"+strconv.Itoa(k)]; n != 40 {
			t.Errorf("key k%d: %d allowed, want 40", k, n)
		}
	}
	// The counters are spread over more than one master.
	var holders sync.Map
	err = cc.ForEachMaster(context.Background(), func(ctx context.Context, c *redis.Client) error {
		n, err := c.DBSize(ctx).Result()
		if n > 0 {
			holders.Store(c.Options().Addr, n)
		}
		return err
	})
	masters := 0
	holders.Range(func(any, any) bool { masters++; return true })
	if err != nil || masters < 2 {
		t.Fatalf("counters on %d masters (%v), want them spread over several", masters, err)
	}
}
