package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
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

// readyz reports each dependency: 200 while Postgres answers (Redis down is
// "degraded": ratings are still taken, marked as not rate-checked), 503 when
// Postgres does not or when the instance is draining.
func (s *Server) readyz(c *gin.Context) {
	if s.Draining() {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	pg, rd := "ok", "ok"
	if err := s.Pool.Ping(ctx); err != nil {
		pg = "down"
	}
	rctx, rcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer rcancel()
	if err := s.Redis.Ping(rctx).Err(); err != nil {
		rd = "degraded"
	}
	status, code := "ready", http.StatusOK
	switch {
	case pg != "ok":
		status, code = "unavailable", http.StatusServiceUnavailable
	case rd != "ok":
		status = "degraded"
	}
	c.JSON(code, gin.H{"status": status, "postgres": pg, "redis": rd})
}
