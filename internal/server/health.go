package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
)

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Drain makes /readyz answer 503 "draining" from now on while every other
// route keeps serving, so a load balancer takes the instance out of rotation
// before it stops (see `minyi serve` and SHUTDOWN_DRAIN).
func (s *Server) Drain() { s.draining.Store(true) }

// Draining reports whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// healthChecks lists the components /readyz reports, each probed in the
// background (health_probe.go). To report one more, append a healthCheck
// whose probe returns stateOK, or stateDegraded (the instance serves with
// less) or stateDown (it cannot serve) with a reason for operators; the
// debouncing, the log line on each change and minyi_component_up{component}
// come with it.
func (s *Server) healthChecks() []healthCheck {
	return []healthCheck{
		{name: "postgres", probe: s.probePostgres, fail: postgresFailed},
		{name: "redis", probe: s.probeRedis, fail: redisFailed},
		{name: "maintenance", probe: s.probeMaintenance},
	}
}

// readyz answers from the prober's debounced states, without probing:
// 200 "ready" when every component is ok, 200 "degraded" when some is
// degraded (Redis down: ratings are still taken, marked as not
// rate-checked), 503 "unavailable" when one is down (Postgres) and 503
// "draining" once Drain was called. Each component's state is also a
// top-level key ("postgres": "ok"), as before the components list.
func (s *Server) readyz(c *gin.Context) {
	if s.Draining() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	components := s.health.snapshot(ctx)
	out := gin.H{"components": components}
	worst := stateOK
	for name, st := range components {
		out[name] = st.State
		if st.State.severity() > worst.severity() {
			worst = st.State
		}
	}
	switch worst {
	case stateOK:
		out["status"] = "ready"
		c.JSON(http.StatusOK, out)
	case stateDegraded:
		out["status"] = "degraded"
		c.JSON(http.StatusOK, out)
	default:
		out["status"] = "unavailable"
		c.JSON(http.StatusServiceUnavailable, out)
	}
}

// probePostgres: without Postgres nothing can be stored or shown.
func (s *Server) probePostgres(ctx context.Context) observation {
	if err := s.Pool.Ping(ctx); err != nil {
		return postgresFailed(err)
	}
	return observation{state: stateOK}
}

// postgresFailed is what a failed Postgres probe means.
func postgresFailed(err error) observation {
	return observation{state: stateDown, err: err,
		reason: "Postgres unreachable (" + errClass(err) + "): ratings cannot be stored and pages cannot be served"}
}

// probeRedis: without Redis the instance serves, but the rate limits go
// unchecked (ratings are stored marked not rate-checked), the sign-in limit
// per address is counted in Postgres and the daily marks are read there.
func (s *Server) probeRedis(ctx context.Context) observation {
	if err := pingRedis(ctx, s.Redis); err != nil {
		return redisFailed(err)
	}
	return observation{state: stateOK}
}

// redisFailed is what a failed Redis probe means.
func redisFailed(err error) observation {
	return observation{state: stateDegraded, err: err,
		reason: "Redis unreachable (" + errClass(err) + "): rate limits unchecked (ratings stored as not rate-checked), " +
			"sign-in limit per address and daily marks fall back to Postgres"}
}

// errClusterNotOK is a cluster node that answers but does not serve its
// slots, as CLUSTER INFO says.
var errClusterNotOK = errors.New("cluster_state is not ok")

// pingRedis asks Redis whether it serves. On a Redis Cluster it asks every
// master (from a fresh view of the slots) whether it sees the cluster ok:
// one PING goes to a random node, so with a master dead it would succeed
// or fail by chance, probe after probe.
func pingRedis(ctx context.Context, rdb redis.UniversalClient) error {
	cc, ok := rdb.(*redis.ClusterClient)
	if !ok {
		return rdb.Ping(ctx).Err()
	}
	return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
		info, err := node.ClusterInfo(ctx).Result()
		if err != nil {
			return fmt.Errorf("cluster node %s: %w", node.Options().Addr, err)
		}
		if !strings.Contains(info, "cluster_state:ok") {
			return fmt.Errorf("cluster node %s: %w", node.Options().Addr, errClusterNotOK)
		}
		return nil
	})
}

// errClass names the kind of a probe's error for /readyz without the
// addresses and details that go to the log.
func errClass(err error) string {
	var netErr net.Error
	var redisErr redis.Error
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() ||
		errors.As(err, &pgErr) && pgErr.Code == "57014": // the probe's deadline cancelled its statement
		return "timeout"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, errClusterNotOK):
		return "cluster state not ok"
	case errors.As(err, &pgErr):
		return "SQLSTATE " + pgErr.Code
	case errors.As(err, &redisErr):
		word, _, _ := strings.Cut(redisErr.Error(), " ")
		return word // CLUSTERDOWN, LOADING, NOAUTH...
	}
	return "error"
}
