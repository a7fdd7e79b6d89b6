package server

import (
	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/safetext"
)

// guardRequest runs first on every request: path parameters and query
// values must be safe text (a NUL or invalid UTF-8 in them reaches no
// handler and no SQL), and a page request's body is capped at httpx.PageBodyMax
// unless its route sets its own cap; a form over its cap is refused by
// its declared length before it is read (see httpx.ReadForm).
func (s *Server) guardRequest() gin.HandlerFunc {
	return func(c *gin.Context) {
		s.proxyWarn.check(c, s.Log, s.Now())
		for _, p := range c.Params {
			if !safetext.Valid(p.Value) {
				s.Refuse(c, httpx.ErrNotFound)
				return
			}
		}
		if c.Request.URL.RawQuery != "" {
			if field, bad := httpx.BadField(c.Request.URL.Query()); bad {
				s.Refuse(c, httpx.BadText(field))
				return
			}
		}
		if !httpx.IsAPI(c) {
			httpx.CapBody(c, httpx.PageBodyMax)
		}
		c.Next()
	}
}
