package server

import (
	"fmt"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
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

// consoleFileLimit refuses a console form whose body is larger than a file
// of max bytes and its form fields, with a page that says so, and caps the
// body of one sent without a length.
func (s *Server) consoleFileLimit(max int64) gin.HandlerFunc {
	return s.BodyCap(max+64<<10, apperr.New(apperr.TooLarge, fmt.Sprintf("上传的文件超过 %d MB 上限，请拆分后分批上传", max>>20)))
}
