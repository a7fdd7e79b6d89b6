package windowapp

import (
	"encoding/hex"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/windowreq"
)

const ctxSystem = "business_system"

// BusinessAuth authenticates a business system by its bearer token, under
// the agencies' rate limit (RATE_AGENCY) per token.
func (s *Handlers) BusinessAuth(c *gin.Context) {
	token, ok := httpx.BearerToken(c)
	if !ok {
		s.APIError(c, apperr.New(apperr.Unauthorized, "缺少业务系统令牌（Authorization: Bearer <token>）"))
		return
	}
	if d := s.Limiter.Allow(c, s.Config.Limits.Agency, "bs:"+hex.EncodeToString(secure.SHA256(token)[:16])); d.Limited {
		s.LimitedAPI(c, d.RetryAfter)
		return
	}
	sys, err := bizsys.Authenticate(c, s.Pool, token)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.Set(ctxSystem, sys)
	c.Next()
}

func currentSystem(c *gin.Context) bizsys.System { return c.MustGet(ctxSystem).(bizsys.System) }

// CreateRequest creates an evaluation request (201), or answers the one
// stored before under the same client_request_id (200), and wakes the
// terminals waiting for it on every instance.
func (s *Handlers) CreateRequest(c *gin.Context) {
	sys := currentSystem(c)
	var in windowreq.Input
	if err := httpx.DecodeJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	now := s.Now()
	var r windowreq.Request
	var created bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		r, created, err = windowreq.Create(c, tx, s.Keys, sys, in, s.Config.WindowRequestTTL, now)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	if r.At(now).State == windowreq.Waiting {
		// After the commit, so the woken terminal finds the request. A
		// lost wake-up only delays the terminal to the end of its poll.
		if err := windowreq.Wake(c, s.Redis, s.RedisPrefix, r.Key()); err != nil {
			s.Log.Warn("waking the terminals of a window request", "err", err, "request", r.ID)
		}
	}
	c.JSON(status, gin.H{"request": r.At(now)})
}

// GetRequest answers the state of one of the system's requests; another
// system's is not_found.
func (s *Handlers) GetRequest(c *gin.Context) {
	id, err := windowreq.ParseID(c.Param("id"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	r, err := windowreq.Find(c, s.Pool, id)
	if err == nil && r.SystemID != currentSystem(c).ID {
		err = apperr.New(apperr.NotFound, "评价请求不存在")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"request": r.At(s.Now())})
}
