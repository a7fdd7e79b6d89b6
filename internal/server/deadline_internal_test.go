package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/config"
	"minyi/internal/httpx"
)

// Every request gets REQUEST_TIMEOUT, a route registered with s.file
// FILE_REQUEST_TIMEOUT instead (matched by method and pattern, also in a
// group with a base path), and the context ends when the request does.
func TestRequestDeadlinePerRoute(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	cfg := config.Config{RequestTimeout: 3 * time.Second, FileRequestTimeout: 40 * time.Second}
	s := &Server{App: &httpx.App{Config: cfg}, fileRoutes: map[routeKey]struct{}{}}
	e := gin.New()
	e.ContextWithFallback = true
	e.Use(s.requestDeadline())
	var left time.Duration
	var ctx context.Context
	h := func(c *gin.Context) {
		d, ok := c.Deadline()
		if !ok {
			t.Errorf("%s %s: no deadline", c.Request.Method, c.FullPath())
		}
		left, ctx = time.Until(d), c.Request.Context()
		c.Status(http.StatusNoContent)
	}
	api := e.Group("/api/v1")
	api.GET("/cycles/:id/scores", h)
	s.file(api, http.MethodGet, "/cycles/:id/scores.xlsx", h)
	s.file(&e.RouterGroup, http.MethodPost, "/console/units/:id/upload", h)
	e.GET("/console/units/:id/upload", h)

	for _, tc := range []struct {
		method, path string
		want         time.Duration
	}{
		{"GET", "/api/v1/cycles/7/scores", cfg.RequestTimeout},
		{"GET", "/api/v1/cycles/7/scores.xlsx", cfg.FileRequestTimeout},
		{"POST", "/console/units/7/upload", cfg.FileRequestTimeout},
		{"GET", "/console/units/7/upload", cfg.RequestTimeout}, // same pattern, another method
	} {
		left, ctx = 0, nil
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("%s %s: status %d", tc.method, tc.path, rec.Code)
		}
		if left > tc.want || left < tc.want-time.Second {
			t.Errorf("%s %s: deadline in %s, want %s", tc.method, tc.path, left, tc.want)
		}
		if ctx.Err() == nil {
			t.Errorf("%s %s: the request's context outlives the request", tc.method, tc.path)
		}
	}
}
