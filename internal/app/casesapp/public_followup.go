package casesapp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/skip2/go-qrcode"

	"minyi/internal/apperr"
	"minyi/internal/callbacks"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// followupData is the citizen's 追评 page.
type followupData struct {
	Title   string
	Token   string
	Case    callbacks.LinkCase
	Form    callbacks.FollowupInput
	Errors  map[string]string
	Message string
	// Done: the 追评 was stored; Used: the link was used before.
	Done, Used bool
}

// followupLimited applies the public page limit per client address; on
// refusal it answers (JSON or page) and reports true.
func (s *Handlers) followupLimited(c *gin.Context, prefix string, jsonOut bool) bool {
	rate := s.Config.Limits.PublicPage
	if prefix == "fc:" {
		rate = s.Config.Limits.PublicClient
	}
	d := s.Limiter.Allow(c, rate, prefix+secure.ShortHex(s.Keys.Hash("client", c.ClientIP())))
	if !d.Limited {
		return false
	}
	c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
	msg := "操作过于频繁，请稍等" + httpx.RetryAfter(d.RetryAfter) + "秒后再试。"
	if jsonOut {
		s.APIError(c, apperr.New(apperr.RateLimited, msg))
		c.Abort()
	} else {
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", msg)
	}
	return true
}

// followupFailed shows why a link cannot take a 追评.
func (s *Handlers) followupFailed(c *gin.Context, token string, err error, jsonOut bool) {
	if jsonOut {
		s.APIError(c, err)
		return
	}
	switch {
	case errors.Is(err, callbacks.ErrLinkUsed):
		s.Render(c, http.StatusConflict, "public/followup_done.html", followupData{Title: "整改追评", Token: token, Used: true})
	case errors.Is(err, callbacks.ErrLinkExpired):
		s.ErrorPage(c, http.StatusGone, "链接已过期", apperr.From(err).Message+"。")
	case apperr.Is(err, apperr.NotFound):
		s.ErrorPage(c, http.StatusNotFound, "链接无效", "链接无效，请核对收到的链接是否完整。")
	default:
		s.Log.Error("followup failed", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法处理，请稍后再试。")
	}
}

// FollowupPage shows the citizen's 追评 form of a one-time link.
func (s *Handlers) FollowupPage(c *gin.Context) {
	if s.followupLimited(c, "fp:", false) {
		return
	}
	token := c.Param("token")
	l, err := callbacks.OpenLink(c, s.Pool, token, s.Now(), false)
	if err != nil {
		s.followupFailed(c, token, err, false)
		return
	}
	s.Render(c, http.StatusOK, "public/followup.html", followupData{Title: "整改追评 - " + l.UnitName, Token: token, Case: publicLink(l)})
}

// publicLink is the case as the citizen's page shows it: the phone numbers
// in its texts masked (a link may be forwarded).
func publicLink(l callbacks.LinkCase) callbacks.LinkCase {
	for _, p := range []*string{&l.Problem, &l.Explanation, &l.Measures, &l.Outcome, &l.DoneNote} {
		*p = feedback.StripPhones(*p)
	}
	return l
}

// SubmitFollowup takes the 追评 as a form post (page answers) or as JSON
// (JSON answers: 201, 409 conflict once used or expired, 422 bad input).
func (s *Handlers) SubmitFollowup(c *gin.Context) {
	jsonOut := strings.HasPrefix(c.ContentType(), "application/json")
	if s.followupLimited(c, "fc:", jsonOut) {
		return
	}
	token := c.Param("token")
	var in callbacks.FollowupInput
	if jsonOut {
		if err := httpx.DecodeJSON(c, &in, 8<<10); err != nil { // callbacks checks the text
			s.APIError(c, err)
			return
		}
	} else {
		if err := httpx.ReadForm(c); err != nil {
			s.Refuse(c, err)
			return
		}
		in = callbacks.FollowupInput{Level: ratings.ParseLevel(c.PostForm("level")), Comment: c.PostForm("comment")}
	}
	var f callbacks.Followup
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		f, err = callbacks.SubmitFollowup(c, tx, token, in, s.Now())
		return err
	})
	if errs, bad := httpx.FieldErrors(err); bad && !jsonOut {
		l, lerr := callbacks.OpenLink(c, s.Pool, token, s.Now(), false)
		if lerr != nil {
			s.followupFailed(c, token, lerr, false)
			return
		}
		s.Render(c, http.StatusUnprocessableEntity, "public/followup.html", followupData{Title: "整改追评 - " + l.UnitName,
			Token: token, Case: publicLink(l), Form: in, Errors: errs, Message: "请检查标红的内容后再提交。"})
		return
	}
	if err != nil {
		s.followupFailed(c, token, err, jsonOut)
		return
	}
	if jsonOut {
		c.JSON(http.StatusCreated, gin.H{"id": f.ID, "level": f.Level, "comment": f.Comment, "created_at": f.CreatedAt})
		return
	}
	s.Render(c, http.StatusOK, "public/followup_done.html", followupData{Title: "整改追评", Token: token, Done: true})
}

// FollowupQR is the QR code of a live 追评 link, for staff to show or send.
func (s *Handlers) FollowupQR(c *gin.Context) {
	if s.followupLimited(c, "fp:", false) {
		return
	}
	token := c.Param("token")
	if _, err := callbacks.OpenLink(c, s.Pool, token, s.Now(), false); err != nil {
		s.followupFailed(c, token, err, false)
		return
	}
	png, err := qrcode.Encode(s.followupURL(token), qrcode.Medium, 384)
	if err != nil {
		s.ErrorPage(c, http.StatusInternalServerError, "系统错误", "二维码生成失败。")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/png", png)
}
