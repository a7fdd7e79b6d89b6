package ratingsapp

import (
	"cmp"
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/items"
	"minyi/internal/metrics"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/units"
	"minyi/internal/windowreq"
)

// The page of an SMS invitation (主动邀评, /w/{token}): the applicant of a
// window case whose rating request expired rates the case once, on the
// rating page of the QR code, bound like the terminal's rating to the
// case, item, stage, window, staff number and applicant type. The link
// is the guard (one rating per request), so the once-a-day rule of the
// QR page does not apply.

// invitePage loads the request of the link and what the page shows of it;
// with ok false the answer was written.
func (s *Handlers) invitePage(c *gin.Context) (r windowreq.Request, t units.CodeTarget, d qrDims, ok bool) {
	r, err := windowreq.FindByInvite(c, s.Pool, c.Param("token"))
	if err == nil {
		// The window: the request's, or its terminal's.
		err = s.Pool.QueryRow(c, `SELECT u.name, p.id, p.name FROM units u
			LEFT JOIN service_points p ON p.id = coalesce($2, (SELECT point_id FROM terminals WHERE id = $3))
			WHERE u.id = $1`, r.UnitID, r.PointID, r.TerminalID).Scan(&t.UnitName, &t.PointID, &t.PointName)
	}
	var known items.Known
	if err == nil {
		known, err = items.Lookup(c, s.Pool, r.UnitID, []string{r.ItemCode}, []string{r.Stage})
	}
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.ErrorPage(c, http.StatusNotFound, "评价链接无效", "未找到该评价链接，请核对短信中的链接。")
		return r, t, d, false
	case err != nil:
		s.Log.Error("invitation page", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再打开链接评价。")
		return r, t, d, false
	}
	t.UnitID = r.UnitID
	d = qrDims{Item: r.ItemCode, ItemName: known.ItemName(r.ItemCode), Stage: r.Stage, StageName: known.StageName(r.Stage),
		online: known.Online(r.ItemCode)}
	if r.RatingID != nil {
		s.inviteDone(c, r, t, d)
		return r, t, d, false
	}
	if !r.InviteOpen(s.Now()) {
		s.ErrorPage(c, http.StatusGone, "评价链接已过期", "该评价链接已超过有效期，感谢您的关注。")
		return r, t, d, false
	}
	return r, t, d, true
}

// inviteDone thanks the applicant of a rated invitation (the answer after
// the form, and every later visit of the link): the case and stage rated,
// the rating's 评价编号 and, when the applicant left a phone number or a
// message, the link to its tracking page. A failed lookup only leaves the
// reference out.
func (s *Handlers) inviteDone(c *gin.Context, r windowreq.Request, t units.CodeTarget, d qrDims) {
	done := doneData{Title: t.UnitName, Code: "w", Target: t, CaseNo: r.CaseNo, StageName: d.StageName,
		Reference: ratings.Reference(*r.RatingID, s.Config.Location)}
	tr, err := feedback.FindTracking(c, s.Pool, done.Reference, s.Config.Location)
	switch {
	case err == nil && tr.Tracked:
		done.TrackURL = "/t/" + tr.Reference
	case err != nil && !apperr.Is(err, apperr.NotFound):
		s.Log.Warn("invitation thanks: reference lookup failed", "err", err)
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "public/done.html", done)
}

// InvitePage shows the rating form of an invitation.
func (s *Handlers) InvitePage(c *gin.Context) {
	if d := s.Limiter.Allow(c, s.Config.Limits.PublicPage, "qp:"+secure.ShortHex(s.Keys.Hash("client", c.ClientIP()))); d.Limited {
		c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再刷新页面。")
		return
	}
	req, t, dims, ok := s.invitePage(c)
	if !ok {
		return
	}
	s.Render(c, http.StatusOK, "public/rate.html", rateData{Title: "服务评价 - " + t.UnitName, Code: "w",
		Action: c.Request.URL.Path, Token: secure.Token(16), Target: t, Reasons: s.Config.RatingReasons, Dims: dims,
		ApplicantKnown: req.ApplicantType != 0})
}

// InviteSubmit stores the invitation's rating and marks its request rated;
// sending it again stores nothing more. Whatever goes wrong, the form
// comes back with what was typed.
func (s *Handlers) InviteSubmit(c *gin.Context) {
	clientHash := s.Keys.Hash("client", c.ClientIP())
	dClient := s.Limiter.Allow(c, s.Config.Limits.PublicClient, "qc:"+secure.ShortHex(clientHash))
	req, t, dims, ok := s.invitePage(c)
	if !ok {
		return
	}
	if err := httpx.ReadForm(c); err != nil {
		s.Refuse(c, err)
		return
	}
	in := qrForm(c)
	if req.ApplicantType != 0 {
		in.Applicant = 0 // the request's answer stands; the form does not ask it
	}
	form := func(status int, msg string, errs map[string]string) {
		s.Render(c, status, "public/rate.html", rateData{Title: "服务评价 - " + t.UnitName, Code: "w",
			Action: c.Request.URL.Path, Token: in.Token, Target: t, Reasons: s.Config.RatingReasons, Form: in, Errors: errs,
			Message: msg, Dims: dims, ApplicantKnown: req.ApplicantType != 0})
	}
	if dClient.Limited {
		c.Header("Retry-After", httpx.RetryAfter(dClient.RetryAfter))
		form(http.StatusTooManyRequests, "提交过于频繁，请稍等"+httpx.RetryAfter(dClient.RetryAfter)+"秒后再提交，您填写的内容已保留。", nil)
		return
	}
	if err := in.Validate(s.Config.RatingReasons); err != nil {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		form(http.StatusUnprocessableEntity, "请检查标红的内容后再提交。", apperr.From(err).Fields)
		return
	}
	now := s.Now()
	r := ratings.NewRating{ID: ratings.NewQRID(now), ClientID: windowreq.RatingClientID(req.ID), Channel: ratings.ChannelQR,
		UnitID: req.UnitID, PointID: t.PointID, Level: in.Level, Points: s.Config.PointsFor(in.Level), Reasons: in.Reasons,
		Comment: in.Comment, CaseNo: req.CaseNo, WindowNo: req.WindowNo, StaffNo: req.StaffNo, ClientHash: clientHash,
		RatedAt: now, RateChecked: dClient.Checked}
	r.Dims = dims.dimensions(in)
	r.Dims.PF, r.Dims.ApplicantType = ratings.PFApp, cmp.Or(req.ApplicantType, in.Applicant)
	if in.Phone != "" {
		r.PhoneEnc, r.PhoneMask = s.Keys.Encrypt(in.Phone), secure.MaskPhone(in.Phone)
	}
	res, err := s.Writer.Write(c, []ratings.NewRating{r})
	if err == nil {
		s.Metrics.Ratings(ratings.ChannelQR, res[0].Status, 1)
		err = s.bindInvitation(c, req, res[0])
	}
	if err != nil {
		s.Log.Error("invitation rating not stored", "err", err)
		form(http.StatusServiceUnavailable, "系统繁忙，评价暂未提交成功。您填写的内容已保留，请稍后再点“提交评价”。", nil)
		return
	}
	if res[0].Status == ratings.CaseConflict {
		s.ErrorPage(c, http.StatusConflict, "该办件已评价", "本次办件已有评价，感谢您的参与。")
		return
	}
	c.Redirect(http.StatusSeeOther, c.Request.URL.Path)
}

// bindInvitation marks the request rated by the stored rating (a
// duplicate's: the one stored before under the request's key).
func (s *Handlers) bindInvitation(c *gin.Context, req windowreq.Request, res ratings.Result) error {
	id := res.ID
	switch res.Status {
	case ratings.Created:
	case ratings.Duplicate:
		var err error
		if id, err = windowreq.RatingOf(c, s.Pool, 0, windowreq.RatingClientID(req.ID)); err != nil {
			return err
		}
	default:
		return nil
	}
	_, err := windowreq.MarkRated(c, s.Pool, req.ID, id, s.Now())
	return err
}
