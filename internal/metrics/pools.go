package metrics

import (
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// poolCollector reads the state of the Postgres and Redis connection pools
// at each scrape, from the pools themselves (pgxpool.Stat, PoolStats), so
// nothing is counted twice or kept here.
type poolCollector struct {
	src atomic.Pointer[poolSources]
}

type poolSources struct {
	pg  *pgxpool.Pool
	rdb redis.UniversalClient
}

var (
	pgConns = prometheus.NewDesc("minyi_db_pool_connections",
		"Postgres connections of the pool, by state (idle, acquired, constructing).", []string{"state"}, nil)
	pgMax = prometheus.NewDesc("minyi_db_pool_max_connections",
		"The most connections the Postgres pool opens (DB_MAX_CONNS).", nil, nil)
	pgAcquires = prometheus.NewDesc("minyi_db_pool_acquires_total",
		"Connections taken from the Postgres pool.", nil, nil)
	pgEmptyAcquires = prometheus.NewDesc("minyi_db_pool_empty_acquires_total",
		"Connections taken from the Postgres pool that had to wait because none was idle.", nil, nil)
	pgWait = prometheus.NewDesc("minyi_db_pool_acquire_wait_seconds_total",
		"Time spent waiting for a Postgres connection because none was idle.", nil, nil)
	pgCanceled = prometheus.NewDesc("minyi_db_pool_canceled_acquires_total",
		"Waits for a Postgres connection given up because the request ended first.", nil, nil)
	redisConns = prometheus.NewDesc("minyi_redis_pool_connections",
		"Redis connections of the pool, by state (idle, in_use); all nodes' together for a cluster.", []string{"state"}, nil)
	redisWaits = prometheus.NewDesc("minyi_redis_pool_waits_total",
		"Times a Redis command waited for a connection of the pool.", nil, nil)
	redisWait = prometheus.NewDesc("minyi_redis_pool_wait_seconds_total",
		"Time Redis commands spent waiting for a connection of the pool.", nil, nil)
	redisTimeouts = prometheus.NewDesc("minyi_redis_pool_timeouts_total",
		"Times a Redis command gave up waiting for a connection of the pool.", nil, nil)
)

// Describe lists every metric the collector may give.
func (p *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{pgConns, pgMax, pgAcquires, pgEmptyAcquires, pgWait, pgCanceled,
		redisConns, redisWaits, redisWait, redisTimeouts} {
		ch <- d
	}
}

// Collect reads the pools; it gives nothing for a pool not watched.
func (p *poolCollector) Collect(ch chan<- prometheus.Metric) {
	src := p.src.Load()
	if src == nil {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	if src.pg != nil {
		s := src.pg.Stat()
		gauge(pgConns, float64(s.IdleConns()), "idle")
		gauge(pgConns, float64(s.AcquiredConns()), "acquired")
		gauge(pgConns, float64(s.ConstructingConns()), "constructing")
		gauge(pgMax, float64(s.MaxConns()))
		counter(pgAcquires, float64(s.AcquireCount()))
		counter(pgEmptyAcquires, float64(s.EmptyAcquireCount()))
		counter(pgWait, s.EmptyAcquireWaitTime().Seconds())
		counter(pgCanceled, float64(s.CanceledAcquireCount()))
	}
	if src.rdb != nil {
		s := src.rdb.PoolStats()
		idle := float64(s.IdleConns)
		gauge(redisConns, idle, "idle")
		gauge(redisConns, max(float64(s.TotalConns)-idle, 0), "in_use")
		counter(redisWaits, float64(s.WaitCount))
		counter(redisWait, float64(s.WaitDurationNs)/1e9)
		counter(redisTimeouts, float64(s.Timeouts))
	}
}

// WatchPools makes every scrape report the state of the Postgres pool and
// the Redis client's pool; either may be nil. A later call replaces the
// pools watched.
func (m *Metrics) WatchPools(pg *pgxpool.Pool, rdb redis.UniversalClient) {
	if m == nil {
		return
	}
	m.pools.src.Store(&poolSources{pg: pg, rdb: rdb})
}
