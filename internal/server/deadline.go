package server

import (
	"context"
	"net/http"
	"path"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/config"
	"minyi/internal/httpx"
)

// routeKey names a route: its method and pattern (gin's FullPath).
type routeKey struct{ method, path string }

// requestDeadline gives every request's context a deadline: REQUEST_TIMEOUT,
// or FILE_REQUEST_TIMEOUT on the routes the route table registers with
// s.file. When it passes, whatever the handler waits on ends with it: a
// Postgres statement is cancelled on the server (internal/db), and the
// handler answers 504 "timeout" (the Chinese page on the console). Without
// it the http.Server's write timeout only cut the client off, while the
// handler and its query went on (issue 12).
//
// The server's write timeout is REQUEST_TIMEOUT + config.WriteMargin (see
// cmd/minyi), so the answer can still be written once the deadline has
// passed; a file route moves its connection's write deadline to its own
// deadline plus the margin.
//
// The cost per request is the timer of context.WithTimeout and the copy of
// the request that carries the new context (net/http has no other way).
func (s *Server) requestDeadline() gin.HandlerFunc {
	regular, file := s.Config.RequestTimeout, s.Config.FileRequestTimeout
	return func(c *gin.Context) {
		d := regular
		if _, ok := s.fileRoutes[routeKey{c.Request.Method, c.FullPath()}]; ok {
			d = file
			// Not supported only by writers without a connection (tests'
			// recorders), which have no write timeout to move either.
			_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Now().Add(d + config.WriteMargin))
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// file registers a route that takes or gives a file — an upload, an import,
// an .xlsx or .csv export, an evidence download — with g. Its request gets
// FILE_REQUEST_TIMEOUT instead of REQUEST_TIMEOUT: reading a spreadsheet
// (up to 5 s waiting for a reader and 10 s reading) and storing its rows,
// or building a workbook over a whole cycle, legitimately takes longer
// than a page, and sending megabytes to a slow client takes longer than
// the server's write timeout allows a page.
func (s *Server) file(g *gin.RouterGroup, method, relative string, handlers ...gin.HandlerFunc) {
	g.Handle(method, relative, handlers...)
	s.fileRoutes[routeKey{method, path.Join(g.BasePath(), relative)}] = struct{}{}
}

// observedStatus is the status a finished request is recorded with: the
// one written, or 499 when the client went away before its answer was
// complete. orig is the request as net/http passed it in, whose context
// ends only when the connection does (ServeHTTP has not returned yet).
func observedStatus(c *gin.Context, orig *http.Request) int {
	if httpx.ClientGone(orig) {
		return httpx.StatusClientClosed
	}
	return c.Writer.Status()
}
