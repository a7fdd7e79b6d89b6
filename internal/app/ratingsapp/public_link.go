package ratingsapp

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/links"
	"minyi/internal/metrics"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/units"
)

// linkHint ends a message about a signed link's item or stage.
const linkHint = "，请从办事平台重新打开评价页面或联系工作人员。"

// signedLink is a verified rating link (一事一评): the unit it rates, the
// integration that signed it, and its item and stage from the catalogue.
type signedLink struct {
	links.Link
	Integration links.Integration
	Target      units.CodeTarget
	Dims        qrDims
}

// verifyLink checks the signed link of the request (links.Parse, the key,
// the signature in constant time, the integration enabled, the unit, its
// item and stage) and shows the Chinese error page when it is refused.
// Once the link's key is known, the response may be framed by the
// integration's origins, so that even a refusal shows inside its page.
func (s *Handlers) verifyLink(c *gin.Context) (signedLink, bool) {
	q := c.Request.URL.Query()
	l, p := links.Parse(q, s.Now())
	if p == links.BadLink {
		s.ErrorPage(c, http.StatusBadRequest, "评价链接无效", string(p))
		return signedLink{}, false
	}
	sg, err := links.FindSigner(c, s.Pool, s.Keys, l.KeyID)
	if apperr.Is(err, apperr.NotFound) {
		s.ErrorPage(c, http.StatusForbidden, "评价链接无效", string(links.UnknownKey))
		return signedLink{}, false
	}
	if err != nil {
		s.Log.Error("rating link's key", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再试。")
		return signedLink{}, false
	}
	allowFraming(c, sg.Integration.Origins)
	switch {
	case !links.Verify(q, sg.Secret):
		s.ErrorPage(c, http.StatusForbidden, "评价链接无效", string(links.BadSig))
		return signedLink{}, false
	case p == links.Expired:
		s.ErrorPage(c, http.StatusGone, "评价链接已过期", string(p))
		return signedLink{}, false
	case !sg.Integration.Enabled:
		s.ErrorPage(c, http.StatusForbidden, "评价渠道已停用", string(links.Disabled))
		return signedLink{}, false
	}
	sl := signedLink{Link: l, Integration: sg.Integration}
	sl.Target, err = units.ResolveUnitRef(c, s.Pool, l.Unit)
	if apperr.Is(err, apperr.NotFound) {
		s.ErrorPage(c, http.StatusNotFound, "评价单位不存在", "评价链接中的单位不存在"+linkHint)
		return sl, false
	}
	if err == nil && sl.Target.AbolishedOn != nil && *sl.Target.AbolishedOn <= s.Today().Format(time.DateOnly) {
		s.ErrorPage(c, http.StatusGone, sl.Target.UnitName+"已撤销", "该单位已撤销，不再接受评价。")
		return sl, false
	}
	var bad string
	if err == nil {
		sl.Dims, bad, err = s.readDims(c, sl.Target, l.Item, l.Stage, linkHint)
	}
	if err != nil {
		s.Log.Error("rating link", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再试。")
		return sl, false
	}
	if bad != "" {
		s.badDimsPage(c, bad)
		return sl, false
	}
	return sl, true
}

// allowFraming lets the integration's origins frame this response: its
// CSP's frame-ancestors lists them instead of 'none' and X-Frame-Options
// (which cannot name origins) is dropped. Only the signed link's route
// calls it; every other response keeps the headers securityHeaders set.
// Without origins the headers stay as they are: the link opens only as a
// page of its own (a webview opening the URL).
func allowFraming(c *gin.Context, origins []string) {
	if len(origins) == 0 {
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", strings.Replace(h.Get("Content-Security-Policy"),
		"frame-ancestors 'none'", "frame-ancestors "+strings.Join(origins, " "), 1))
	h.Del("X-Frame-Options")
}

// linkForm is the rating page of a signed link; the form posts back to
// the same signed URL, which is verified again.
func (s *Handlers) linkForm(c *gin.Context, sl signedLink, status int, d rateData) {
	d.Title, d.Code, d.Target = "服务评价 - "+sl.Target.UnitName, sl.Target.Code, sl.Target
	d.Reasons, d.Dims, d.CaseNo = s.Config.RatingReasons, sl.Dims, sl.Case
	d.Action = "/l?" + c.Request.URL.RawQuery
	if d.Token == "" {
		d.Token = secure.Token(16)
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "public/rate.html", d)
}

// LinkPage is the rating page a signed link opens (一事一评), framed by
// the integration's origins.
func (s *Handlers) LinkPage(c *gin.Context) {
	if s.PageLimited(c, s.Config.Limits.PublicPage, "lp:", "秒后再刷新页面。") {
		return
	}
	sl, ok := s.verifyLink(c)
	if !ok {
		return
	}
	s.linkForm(c, sl, http.StatusOK, rateData{})
}

// LinkSubmit takes the rating of a signed link, bound to its case, item
// and stage. It is stored through the citizen form's path (channel 'qr',
// the channel CHECK of the ratings table is left as it is) with the
// integration's national channel code (pf 1 or 2), which the national
// record, the API and the feed read. The once-a-day rule of the QR form
// does not apply: the case takes one rating per stage (rating_cases), a
// second one is answered in words and a replay of the same form (its
// client id) is idempotent.
func (s *Handlers) LinkSubmit(c *gin.Context) {
	clientHash := s.Keys.Hash("client", c.ClientIP())
	sl, ok := s.verifyLink(c)
	if !ok {
		return
	}
	dClient := s.Limiter.Allow(c, s.Config.Limits.PublicClient, "qc:"+secure.ShortHex(clientHash))
	dCode := s.Limiter.Allow(c, s.Config.Limits.PublicCode, "qk:"+sl.Target.Code)
	if err := httpx.ReadForm(c); err != nil {
		s.Refuse(c, err)
		return
	}
	in := qrForm(c)
	again := func(status int, msg string, errs map[string]string) {
		s.linkForm(c, sl, status, rateData{Token: in.Token, Form: in, Errors: errs, Message: msg})
	}
	if dClient.Limited || dCode.Limited {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingRateLimited, 1)
		retry := max(dClient.RetryAfter, dCode.RetryAfter)
		c.Header("Retry-After", httpx.RetryAfter(retry))
		again(http.StatusTooManyRequests, "提交过于频繁，请稍等"+httpx.RetryAfter(retry)+"秒后再提交，您填写的内容已保留。", nil)
		return
	}
	if err := in.Validate(s.Config.RatingReasons); err != nil {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		again(http.StatusUnprocessableEntity, "请检查标红的内容后再提交。", apperr.From(err).Fields)
		return
	}
	now := s.Now()
	dims := sl.Dims.dimensions(in)
	dims.PF = sl.Integration.PF
	r := ratings.NewRating{
		ID: ratings.NewQRID(now), ClientID: in.Token, Channel: ratings.ChannelQR, UnitID: sl.Target.UnitID,
		QRCode: sl.Target.Code, Level: in.Level, Points: s.Config.PointsFor(in.Level), Reasons: in.Reasons,
		Comment: in.Comment, CaseNo: sl.Case, ClientHash: clientHash, RatedAt: now,
		RateChecked: dClient.Checked && dCode.Checked, Day: s.Today(), Dims: dims,
	}
	if in.Phone != "" {
		r.PhoneEnc, r.PhoneMask = s.Keys.Encrypt(in.Phone), secure.MaskPhone(in.Phone)
	}
	r.Cap = s.dailyCap(c, sl.Target)
	res, err := s.Writer.Write(c, []ratings.NewRating{r})
	if apperr.Is(err, apperr.Invalid) {
		s.Log.Warn("linked rating refused by the database", "err", err)
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		again(http.StatusUnprocessableEntity, "提交的内容含有无法识别的字符，请修改后再提交。", nil)
		return
	}
	if err != nil {
		s.Log.Error("linked rating not stored", "err", err)
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingFailed, 1)
		again(http.StatusServiceUnavailable, "系统繁忙，评价暂未提交成功。您填写的内容已保留，请稍后再点“提交评价”。", nil)
		return
	}
	s.Metrics.Ratings(ratings.ChannelQR, res[0].Status, 1)
	d := doneData{Title: sl.Target.UnitName, Code: sl.Target.Code, Target: sl.Target, CaseNo: sl.Case,
		StageName: sl.Dims.StageName, NewTab: true}
	status := http.StatusOK
	switch res[0].Status {
	case ratings.Created, ratings.Duplicate:
		if id := s.storedID(c, res[0], in.Token); id != uuid.Nil {
			d.Reference = ratings.Reference(id, s.Config.Location)
			if in.Phone != "" || in.Comment != "" {
				d.TrackURL = "/t/" + d.Reference
			}
		}
	case ratings.CaseConflict:
		d.CaseRated, status = true, http.StatusConflict
	default:
		d.Already, status = true, http.StatusConflict
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, status, "public/done.html", d)
}
