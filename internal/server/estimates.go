package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/db"
)

// estimateWait bounds a Redis round trip for an estimate: when Redis is
// slow or down, the total asks the planner as before.
const estimateWait = 50 * time.Millisecond

// redisEstimates keeps the planner's estimates in Redis (db.EstimateCache),
// shared by every instance.
type redisEstimates struct{ s *Server }

func (r redisEstimates) GetEstimate(ctx context.Context, key string) (int, bool) {
	ctx, cancel := context.WithTimeout(ctx, estimateWait)
	defer cancel()
	v, err := r.s.Redis.Get(ctx, r.s.RedisPrefix+"est:"+key).Result()
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}

func (r redisEstimates) SetEstimate(ctx context.Context, key string, n int, ttl time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, estimateWait)
	defer cancel()
	r.s.Redis.Set(ctx, r.s.RedisPrefix+"est:"+key, n, ttl)
}

// withEstimates gives the request's reads the shared estimate cache.
func (s *Server) withEstimates() gin.HandlerFunc {
	cache := redisEstimates{s: s}
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(db.WithEstimateCache(c.Request.Context(), cache))
		c.Next()
	}
}
