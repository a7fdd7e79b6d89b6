package citizensmsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/citizensms"
	"minyi/internal/httpx"
)

type stopPage struct {
	Title string
	Token string
	citizensms.StopTarget
	Done bool
}

// stopFailed shows why the opt-out link does not work.
func (s *Handlers) stopFailed(c *gin.Context, err error) {
	if apperr.Is(err, apperr.NotFound) {
		s.ErrorPage(c, http.StatusNotFound, "链接无效", "链接无效，请核对短信中的链接是否完整。")
		return
	}
	s.Log.Error("sms opt-out failed", "err", err)
	s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法处理，请稍后再试。")
}

// limited applies the public page limit per client address, as the 追评
// page does, so opt-out tokens cannot be tried in bulk; on refusal it
// answers and reports true.
func (s *Handlers) limited(c *gin.Context) bool {
	return s.PageLimited(c, s.Config.Limits.PublicPage, "sms:", "秒后再试。")
}

// StopPage asks the citizen to confirm the opt-out: a GET changes nothing
// (link previews in WeChat and SMS apps open links on their own).
func (s *Handlers) StopPage(c *gin.Context) {
	if s.limited(c) {
		return
	}
	t, err := citizensms.FindStop(c, s.Pool, c.Param("token"))
	if err != nil {
		s.stopFailed(c, err)
		return
	}
	s.Render(c, http.StatusOK, "public/sms_stop.html", stopPage{Title: "退订短信", Token: c.Param("token"), StopTarget: t})
}

// StopSubmit opts the number out; pressing again shows the same answer.
func (s *Handlers) StopSubmit(c *gin.Context) {
	if s.limited(c) {
		return
	}
	if err := httpx.ReadForm(c); err != nil {
		s.stopFailed(c, err)
		return
	}
	t, err := citizensms.Stop(c, s.Pool, c.Param("token"), s.Now())
	if err != nil {
		s.stopFailed(c, err)
		return
	}
	s.Render(c, http.StatusOK, "public/sms_stop.html", stopPage{Title: "退订短信", Token: c.Param("token"), StopTarget: t, Done: true})
}
