package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
)

func (s *Server) recoverer() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, rec any) {
		s.Log.Error("panic", "path", c.Request.URL.Path, "panic", fmt.Sprint(rec))
		if httpx.IsAPI(c) {
			s.APIError(c, apperr.New(apperr.Internal, "服务器内部错误"))
			return
		}
		s.ErrorPage(c, http.StatusInternalServerError, "系统错误", "服务器出现错误，请稍后再试。")
	})
}

// requestLog writes one line per request, with status 499 for a client
// that went away before its answer. Client addresses are not logged.
func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		req := c.Request
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		status := observedStatus(c, req)
		level := slog.LevelInfo
		switch {
		case status == http.StatusGatewayTimeout: // a slow query, cancelled: logged as a warning where it happened
			level = slog.LevelWarn
		case status >= 500:
			level = slog.LevelError
		}
		s.Log.LogAttrs(req.Context(), level, "request",
			slog.String("method", req.Method), slog.String("route", route),
			slog.Int("status", status), slog.Int64("us", time.Since(start).Microseconds()),
			slog.Int("bytes", c.Writer.Size()))
	}
}
