package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions turns REDIS_URL into options for redis.NewUniversalClient, so
// moving from one server to Sentinel or Cluster is a change of URL:
//
//	redis://host:6379/0                                   one server
//	redis://h1:6379?addr=h2:6379&addr=h3:6379&cluster=1   Redis Cluster
//	redis://h1:6379,h2:6379,h3:6379?cluster=1             the same
//	redis://h1:26379?addr=h2:26379&master_name=mymaster   Sentinel
func RedisOptions(raw string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	q := u.Query()
	// Several hosts may also be listed comma-separated in the host part.
	if hosts := strings.Split(u.Host, ","); len(hosts) > 1 {
		u.Host = hosts[0]
		for _, h := range hosts[1:] {
			if h = strings.TrimSpace(h); h != "" {
				q.Add("addr", h)
			}
		}
	}
	master := q.Get("master_name")
	cluster := q.Get("cluster") == "1" || q.Get("cluster") == "true"
	q.Del("master_name")
	q.Del("cluster")
	u.RawQuery = q.Encode()
	co, err := redis.ParseClusterURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opts := &redis.UniversalOptions{
		Addrs: co.Addrs, Username: co.Username, Password: co.Password, TLSConfig: co.TLSConfig,
		MasterName: master, IsClusterMode: cluster,
		DialTimeout: 500 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		PoolSize: 128, MinIdleConns: 8, MaxRetries: 1,
	}
	if !cluster && master == "" {
		// A single server may name a database number in the path.
		so, err := redis.ParseURL(raw)
		if err == nil {
			opts.DB = so.DB
		}
	}
	return opts, nil
}
