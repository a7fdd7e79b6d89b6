package instrumentsapp

import (
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

type inviteePage struct {
	ballotPage
	Title   string
	Invitee string
	Flash   string
}

// openLink loads the instrument and invitee of the path's token, answering
// for a malformed or unknown link and a reached limit.
func (s *Handlers) openLink(c *gin.Context) (instruments.Instrument, instruments.Invitee, bool) {
	token := c.Param("token")
	if tokenRE.MatchString(token) {
		d := s.Limiter.Allow(c, s.Config.Limits.PublicPage, "ei:"+hex.EncodeToString(s.Keys.Hash("instrument invitation", token)[:16]))
		if d.Limited {
			c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
			s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再刷新页面，已保存的评价不会丢失。")
			return instruments.Instrument{}, instruments.Invitee{}, false
		}
		in, v, err := instruments.OpenInvitation(c, s.Pool, token)
		if err == nil {
			return in, v, true
		}
		if !apperr.Is(err, apperr.NotFound) {
			s.Log.Error("instrument invitation", "err", err)
			s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，已保存的评价不会丢失，请稍后再打开邀请链接。")
			return instruments.Instrument{}, instruments.Invitee{}, false
		}
	}
	d := s.Limiter.Allow(c, s.Config.Limits.PublicClient, "ex:"+hex.EncodeToString(s.Keys.Hash("client", c.ClientIP())[:16]))
	if d.Limited {
		c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再打开邀请链接。")
	} else {
		s.ErrorPage(c, http.StatusNotFound, "邀请链接无效", "未找到该邀请链接，请核对链接是否完整，或联系发出邀请的绩效办工作人员。")
	}
	return instruments.Instrument{}, instruments.Invitee{}, false
}

func rater(v instruments.Invitee) instruments.Rater {
	return instruments.Rater{InviteeID: v.ID, Name: v.Name}
}

// InviteePage is an invitee's page: the units to rate (100 a page) with
// the answers so far, answerable while the instrument is open.
func (s *Handlers) InviteePage(c *gin.Context) {
	in, v, ok := s.openLink(c)
	if ok {
		s.showInvitee(c, http.StatusOK, in, v, nil, nil)
	}
}

func (s *Handlers) showInvitee(c *gin.Context, status int, in instruments.Instrument, v instruments.Invitee, posted map[int64]instruments.AnswerInput, saveErr error) {
	if in.Status == instruments.StatusDraft {
		s.ErrorPage(c, http.StatusConflict, "评价尚未开始", "评价项目尚未开始，请在绩效办通知开始后再打开邀请链接。")
		return
	}
	b, err := s.ballot(c, in, rater(v), posted, saveErr)
	if err != nil {
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，已保存的评价不会丢失，请稍后再打开邀请链接。")
		return
	}
	d := inviteePage{ballotPage: b, Title: in.Name, Invitee: v.Name}
	if c.Query("msg") == "saved" {
		d.Flash = "评价已保存，评价结束前可以修改。感谢您的参与！"
	}
	link := "/e/" + c.Param("token")
	d.Action = link + "?page=" + strconv.Itoa(b.Page)
	d.Pager = httpx.NewPager(b.Page, ballotPageSize, b.Total, func(n int) string { return link + "?page=" + strconv.Itoa(n) })
	d.Pager.Unit = "个单位"
	s.Render(c, status, "public/evaluation.html", d)
}

// InviteeSubmit saves an invitee's answers on the page.
func (s *Handlers) InviteeSubmit(c *gin.Context) {
	in, v, ok := s.openLink(c)
	if !ok {
		return
	}
	if err := httpx.CheckedForm(c); err != nil {
		s.Refuse(c, err)
		return
	}
	list, posted := readBallot(c, in.Scale)
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := instruments.SaveAnswers(c, tx, inviteeActor(v), in.ID, rater(v), list, s.Now())
		return err
	})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.showInvitee(c, http.StatusUnprocessableEntity, in, v, posted, err)
		return
	}
	if err != nil {
		s.Log.Error("instrument invitation save", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "评价未能保存，请稍后再提交。")
		return
	}
	c.Redirect(http.StatusSeeOther, "/e/"+c.Param("token")+"?page="+strconv.Itoa(httpx.PageParam(c))+"&msg=saved")
}

// inviteeActor is the audit actor of an invitee's answers: no account,
// the invitee's name (the audit log is the office's).
func inviteeActor(v instruments.Invitee) audit.Actor {
	return audit.Actor{Name: "受邀评价人：" + v.Name}
}
