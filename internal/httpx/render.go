package httpx

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"
)

// Render executes the page into a buffer first, so a template error becomes
// a clean 500 instead of half a page.
func (s *App) Render(c *gin.Context, status int, name string, data any) {
	t, ok := s.Pages[name]
	if !ok {
		s.Log.Error("unknown template", "name", name)
		c.String(http.StatusInternalServerError, "服务器内部错误")
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.Log.Error("template failed", "name", name, "err", err)
		c.String(http.StatusInternalServerError, "服务器内部错误")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// ErrorData fills the plain error page.
type ErrorData struct {
	Title   string
	Message string
	Back    string
}

// ErrorPage shows a plain Chinese error page and aborts.
func (s *App) ErrorPage(c *gin.Context, status int, title, message string) {
	if ClientGone(c.Request) { // nobody would read it
		c.AbortWithStatus(StatusClientClosed)
		return
	}
	s.Render(c, status, "public/error.html", ErrorData{Title: title, Message: message})
	c.Abort()
}
