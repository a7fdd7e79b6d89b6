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

// requestLog writes one line per request. Client addresses are not logged.
func (s *Server) requestLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		s.Log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method), slog.String("route", route),
			slog.Int("status", c.Writer.Status()), slog.Int64("us", time.Since(start).Microseconds()),
			slog.Int("bytes", c.Writer.Size()))
	}
}
