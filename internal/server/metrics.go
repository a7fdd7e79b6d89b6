package server

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/sheet"
)

// instrument connects the metrics: the connection pools are read at each
// scrape, the rating writer and the rate limiter report to them, and
// GET /metrics serves them to a scraper holding METRICS_TOKEN.
func (s *Server) instrument() {
	s.Metrics.WatchPools(s.Pool, s.Redis)
	if s.Writer != nil {
		s.Writer.SetObserver(s.Metrics)
	}
	if s.Limiter != nil {
		s.Limiter.SetObserver(s.Metrics)
	}
	s.engine.GET("/metrics", s.metricsEndpoint(s.Metrics.Handler()))
}

// observeRequests counts every request by method, route pattern and
// status, and times it. It runs before the recoverer, so a panic counts
// as the 500 it is answered with; a request whose client went away counts
// as 499, not as whatever was written to nobody. On an upload (a multipart body) it also
// lets the spreadsheet reader report what it made of the file.
func (s *Server) observeRequests() gin.HandlerFunc {
	m := s.Metrics
	sheetRead := sheet.Observer(m.SheetRead)
	return func(c *gin.Context) {
		start := time.Now()
		orig := c.Request
		if isMultipart(c) {
			c.Request = orig.WithContext(sheet.WithObserver(orig.Context(), sheetRead))
			defer removeFormFiles(c, orig)
		}
		c.Next()
		m.Request(orig.Method, c.FullPath(), observedStatus(c, orig), time.Since(start))
	}
}

// removeFormFiles removes the temporary files of a multipart form parsed
// on a copy of orig: net/http removes those of the request it passed in
// only, which never saw the form.
func removeFormFiles(c *gin.Context, orig *http.Request) {
	if f := c.Request.MultipartForm; f != nil && f != orig.MultipartForm {
		_ = f.RemoveAll()
	}
}

func isMultipart(c *gin.Context) bool {
	ct := c.GetHeader("Content-Type")
	return len(ct) >= 10 && strings.EqualFold(ct[:10], "multipart/")
}

// metricsEndpoint serves the metrics on the main listener, to a request
// carrying METRICS_TOKEN as its bearer token (compared in constant time);
// any other request is refused with 401. Without a token configured the
// page does not exist (404), so the metrics are never public by accident;
// METRICS_ADDR serves them on a listener of their own instead.
func (s *Server) metricsEndpoint(h http.Handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		want := s.Config.MetricsToken
		if want == "" {
			s.ErrorPage(c, http.StatusNotFound, "页面不存在", "您访问的页面不存在。")
			return
		}
		got, ok := httpx.BearerToken(c)
		if !ok || subtle.ConstantTimeCompare(secure.SHA256(got), secure.SHA256(want)) != 1 {
			c.Header("WWW-Authenticate", `Bearer realm="metrics"`)
			c.Header("Cache-Control", "no-store")
			c.String(http.StatusUnauthorized, "需要有效的指标令牌（Authorization: Bearer <METRICS_TOKEN>）\n")
			c.Abort()
			return
		}
		c.Header("Cache-Control", "no-store")
		h.ServeHTTP(c.Writer, c.Request)
	}
}
