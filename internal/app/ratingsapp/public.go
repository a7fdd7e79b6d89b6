package ratingsapp

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/metrics"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/units"
)

// deviceCookie identifies a citizen's phone for the once-a-day rule.
const deviceCookie = "minyi_device"

type rateData struct {
	Title   string
	Code    string
	Token   string
	Target  units.CodeTarget
	Reasons []string
	Form    ratings.QRInput
	Errors  map[string]string
	Message string
	// Dims are the item and stage the link names (public_dims.go).
	Dims qrDims
	// Action is where the form posts when not the QR code's /q/{code} (an
	// SMS invitation's, public_invite.go; a signed link's, public_link.go);
	// the once-a-day note is left out then. CaseNo is the 办件编号 a signed
	// link binds the rating to.
	Action, CaseNo string
	// ApplicantKnown leaves out the question of 办事身份: an invitation's
	// business system already said it.
	ApplicantKnown bool
}

type doneData struct {
	Title   string
	Code    string
	Target  units.CodeTarget
	Already bool
	// Reference is the stored rating's 评价编号, and TrackURL its tracking
	// page when the citizen left a phone number or a message.
	Reference, TrackURL string
	// A signed link's page (public_link.go): the case and stage rated,
	// CaseRated when the case was already rated at that stage, and NewTab
	// to open the tracking page outside the frame.
	CaseNo, StageName string
	CaseRated, NewTab bool
}

// target resolves the code in the path and shows the right page when it
// does not take ratings.
func (s *Handlers) target(c *gin.Context) (units.CodeTarget, bool) {
	t, err := units.ResolveCode(c, s.Pool, c.Param("code"))
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.ErrorPage(c, http.StatusNotFound, "二维码无效", "未找到该评价二维码，请确认扫描的是单位张贴的最新二维码。")
		return t, false
	case err != nil:
		s.Log.Error("resolve code", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再扫码评价。")
		return t, false
	case t.Replaced:
		s.ErrorPage(c, http.StatusGone, "二维码已更换", "该二维码已被新的二维码替换，请扫描现场张贴的最新二维码进行评价。")
		return t, false
	}
	return t, true
}

type abolishedData struct {
	Title      string
	Target     units.CodeTarget
	On, Note   string
	Successors []units.Successor
}

// rateTarget is target for the pages that take a rating: the code of a
// unit abolished by today shows when it was abolished and where to rate
// now (its successors' codes), and takes nothing.
func (s *Handlers) rateTarget(c *gin.Context) (units.CodeTarget, bool) {
	t, ok := s.target(c)
	if !ok || t.AbolishedOn == nil || *t.AbolishedOn > s.Today().Format(time.DateOnly) {
		return t, ok
	}
	d := abolishedData{Title: t.UnitName + "已撤销", Target: t, On: units.DateText(*t.AbolishedOn)}
	u, err := units.FindUnit(c, s.Pool, t.UnitID)
	if err == nil {
		d.Note = u.AbolitionNote
		d.Successors, err = units.Successors(c, s.Pool, t.UnitID)
	}
	if err != nil {
		s.Log.Error("abolished unit", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再扫码评价。")
		return t, false
	}
	s.Render(c, http.StatusGone, "public/abolished.html", d)
	return t, false
}

// deviceID returns the device cookie, setting a new one when absent.
func (s *Handlers) deviceID(c *gin.Context) string {
	if v, err := c.Cookie(deviceCookie); err == nil && len(v) >= 16 && len(v) <= 64 {
		return v
	}
	v := secure.Token(16)
	http.SetCookie(c.Writer, &http.Cookie{Name: deviceCookie, Value: v, Path: "/q/", HttpOnly: true,
		Secure: s.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: 400 * 24 * 3600})
	return v
}

// marks returns the keyed hashes that stand for this device today: its
// cookie, its browser fingerprint (address and user agent) and, when given,
// the call-back phone.
func (s *Handlers) marks(c *gin.Context, device, phone string) [][]byte {
	m := [][]byte{
		s.Keys.Hash("device", device),
		s.Keys.Hash("fingerprint", c.ClientIP(), c.GetHeader("User-Agent"), c.GetHeader("Accept-Language")),
	}
	if phone != "" {
		m = append(m, s.Keys.Hash("phone", phone))
	}
	return m
}

// markKey is the Redis key of a daily mark; Redis answers repeat visits
// quickly, Postgres keeps the rule durably. The unit and day are the key's
// hash tag, so on a Redis Cluster every mark of one unit and day lives in
// one slot and ratedToday's multi-key EXISTS is not refused (CROSSSLOT).
func (s *Handlers) markKey(unitID int64, day time.Time, mark []byte) string {
	return s.RedisPrefix + "mark:{" + strconv.FormatInt(unitID, 10) + ":" + day.Format("20060102") + "}:" + secure.ShortHex(mark)
}

// ratedToday reports whether any mark was already used for the unit today:
// Redis first, and Postgres when Redis does not know.
func (s *Handlers) ratedToday(ctx context.Context, unitID int64, marks [][]byte) (bool, error) {
	day := s.Today()
	keys := make([]string, len(marks))
	for i, m := range marks {
		keys[i] = s.markKey(unitID, day, m)
	}
	rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	n, err := s.Redis.Exists(rctx, keys...).Result()
	cancel()
	if err == nil && n > 0 {
		return true, nil
	}
	if err != nil {
		s.redisWarn.warn(s.Log, "daily marks: Redis failed, asking Postgres", "err", err)
	}
	var found bool
	// One primary-key equality probe per mark, so the plan does not depend
	// on what the planner knows of the table (a fresh table may be unanalysed).
	q := strings.Builder{}
	args := []any{unitID, day}
	q.WriteString("SELECT false")
	for _, m := range marks {
		args = append(args, m)
		fmt.Fprintf(&q, " OR EXISTS (SELECT 1 FROM rating_daily_marks WHERE unit_id = $1 AND day = $2 AND mark = $%d)", len(args))
	}
	err = s.Pool.QueryRow(ctx, q.String(), args...).Scan(&found)
	return found, err
}

func (s *Handlers) rememberMarks(ctx context.Context, unitID int64, marks [][]byte) {
	day := s.Today()
	now := s.Now().In(s.Config.Location)
	ttl := time.Until(time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, s.Config.Location)) + time.Hour
	rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	pipe := s.Redis.Pipeline()
	for _, m := range marks {
		pipe.Set(rctx, s.markKey(unitID, day, m), 1, ttl)
	}
	if _, err := pipe.Exec(rctx); err != nil {
		s.redisWarn.warn(s.Log, "daily marks: could not cache them in Redis", "err", err)
	}
}

// qrForm reads a citizen's rating form (the QR code's, a signed link's and
// an SMS invitation's: the same fields).
func qrForm(c *gin.Context) ratings.QRInput {
	return ratings.QRInput{Level: ratings.ParseLevel(c.PostForm("level")), Reasons: c.PostFormArray("reasons"),
		Comment: c.PostForm("comment"), Phone: c.PostForm("phone"), Token: c.PostForm("token"),
		Applicant: ratings.ParseApplicant(c.PostForm("applicant_type"))}
}

// RatingPage is the citizen's rating form of a QR code, or the page
// saying the device already rated the unit today.
func (s *Handlers) RatingPage(c *gin.Context) {
	if d := s.Limiter.Allow(c, s.Config.Limits.PublicPage, "qp:"+secure.ShortHex(s.Keys.Hash("client", c.ClientIP()))); d.Limited {
		c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再刷新页面。")
		return
	}
	t, ok := s.rateTarget(c)
	if !ok {
		return
	}
	dims, bad, err := s.readQRDims(c, t, c.Query("item"), c.Query("stage"))
	if err != nil {
		s.Log.Error("rating link's item", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，请稍后再扫码评价。")
		return
	}
	if bad != "" {
		s.badDimsPage(c, bad)
		return
	}
	device := s.deviceID(c)
	already, err := s.ratedToday(c, t.UnitID, s.marks(c, device, "")[:1])
	if err != nil {
		s.Log.Warn("daily check failed", "err", err)
	}
	if already {
		s.Render(c, http.StatusOK, "public/done.html", doneData{Title: t.UnitName, Code: t.Code, Target: t, Already: true})
		return
	}
	s.Render(c, http.StatusOK, "public/rate.html", rateData{Title: "服务评价 - " + t.UnitName, Code: t.Code,
		Token: secure.Token(16), Target: t, Reasons: s.Config.RatingReasons, Dims: dims})
}

// SubmitRating takes a citizen's rating. Whatever goes wrong, the form comes
// back with what was typed and a message saying what to do. The rate
// limits are checked before the body is read (PublicForm capped it).
func (s *Handlers) SubmitRating(c *gin.Context) {
	code := c.Param("code")
	clientHash := s.Keys.Hash("client", c.ClientIP())
	dClient := s.Limiter.Allow(c, s.Config.Limits.PublicClient, "qc:"+secure.ShortHex(clientHash))
	dCode := s.Limiter.Allow(c, s.Config.Limits.PublicCode, "qk:"+code)
	var in ratings.QRInput
	var dims qrDims
	form := func(t units.CodeTarget, status int, msg string, errs map[string]string) {
		token := in.Token
		if token == "" {
			token = secure.Token(16)
		}
		s.Render(c, status, "public/rate.html", rateData{Title: "服务评价 - " + t.UnitName, Code: code, Token: token,
			Target: t, Reasons: s.Config.RatingReasons, Form: in, Errors: errs, Message: msg, Dims: dims})
	}
	t, ok := s.rateTarget(c)
	if !ok {
		return
	}
	if err := httpx.ReadForm(c); err != nil {
		s.Refuse(c, err)
		return
	}
	in = qrForm(c)
	// Kept for the form shown again before they are checked.
	dims = qrDims{Item: c.PostForm("item_code"), Stage: c.PostForm("stage")}
	if dClient.Limited || dCode.Limited {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingRateLimited, 1)
		retry := max(dClient.RetryAfter, dCode.RetryAfter)
		c.Header("Retry-After", httpx.RetryAfter(retry))
		form(t, http.StatusTooManyRequests, "提交过于频繁，请稍等"+httpx.RetryAfter(retry)+"秒后再提交，您填写的内容已保留。", nil)
		return
	}
	if err := in.Validate(s.Config.RatingReasons); err != nil {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		form(t, http.StatusUnprocessableEntity, "请检查标红的内容后再提交。", apperr.From(err).Fields)
		return
	}
	dims, bad, err := s.readQRDims(c, t, c.PostForm("item_code"), c.PostForm("stage"))
	if err == nil && bad != "" {
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		dims = qrDims{}
		form(t, http.StatusUnprocessableEntity, bad, nil)
		return
	}
	if err != nil {
		s.Log.Error("rating form's item", "err", err)
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingFailed, 1)
		form(t, http.StatusServiceUnavailable, "系统繁忙，评价暂未提交成功。您填写的内容已保留，请稍后再点“提交评价”。", nil)
		return
	}
	device := s.deviceID(c)
	marks := s.marks(c, device, in.Phone)
	if already, _ := s.ratedToday(c, t.UnitID, marks); already {
		s.Metrics.Ratings(ratings.ChannelQR, ratings.DailyLimit, 1)
		s.Render(c, http.StatusConflict, "public/done.html", doneData{Title: t.UnitName, Code: code, Target: t, Already: true})
		return
	}
	// The id carries rated_at to the millisecond, so the rating's reference
	// derives from it (ratings.Reference).
	now := s.Now()
	r := ratings.NewRating{
		ID: ratings.NewQRID(now), ClientID: in.Token, Channel: ratings.ChannelQR, UnitID: t.UnitID, PointID: t.PointID, QRCode: code,
		Level: in.Level, Points: s.Config.PointsFor(in.Level), Reasons: in.Reasons, Comment: in.Comment,
		ClientHash: clientHash, RatedAt: now, RateChecked: dClient.Checked && dCode.Checked,
		Day: s.Today(), Marks: marks, Dims: dims.dimensions(in),
	}
	if in.Phone != "" {
		r.PhoneEnc, r.PhoneMask = s.Keys.Encrypt(in.Phone), secure.MaskPhone(in.Phone)
	}
	r.Cap = s.dailyCap(c, t) // beyond it the rating is stored held (public_cap.go)
	res, err := s.Writer.Write(c, []ratings.NewRating{r})
	if apperr.Is(err, apperr.Invalid) {
		// Validation let through something Postgres refused: say so, keep the form.
		s.Log.Warn("rating refused by the database", "err", err)
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingInvalid, 1)
		form(t, http.StatusUnprocessableEntity, "提交的内容含有无法识别的字符，请修改后再提交。", nil)
		return
	}
	if err != nil {
		s.Log.Error("rating not stored", "err", err)
		s.Metrics.Ratings(ratings.ChannelQR, metrics.RatingFailed, 1)
		form(t, http.StatusServiceUnavailable, "系统繁忙，评价暂未提交成功。您填写的内容已保留，请稍后再点“提交评价”。", nil)
		return
	}
	s.Metrics.Ratings(ratings.ChannelQR, res[0].Status, 1)
	switch res[0].Status {
	case ratings.Created, ratings.Duplicate:
		s.rememberMarks(c, t.UnitID, marks)
		c.Redirect(http.StatusSeeOther, s.thanksURL(code, s.storedID(c, res[0], in.Token)))
	default:
		s.rememberMarks(c, t.UnitID, marks[:1])
		s.Render(c, http.StatusConflict, "public/done.html", doneData{Title: t.UnitName, Code: code, Target: t, Already: true})
	}
}

// QRPNG serves the code's URL as a PNG QR code; ?size= sets the width in
// pixels (128 to 2048, default 512).
func (s *Handlers) QRPNG(c *gin.Context) {
	t, ok := s.target(c)
	if !ok {
		return
	}
	size := 512
	if v := c.Query("size"); v != "" {
		n, err := httpx.ParseInt(v)
		if err != nil || n < 128 || n > 2048 {
			s.ErrorPage(c, http.StatusUnprocessableEntity, "参数错误", "size 须为 128 到 2048 之间的整数。")
			return
		}
		size = n
	}
	png, err := qrcode.Encode(s.codeURL(t.Code), qrcode.Medium, size)
	if err != nil {
		s.ErrorPage(c, http.StatusInternalServerError, "系统错误", "二维码生成失败。")
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	if c.Query("download") != "" {
		c.Header("Content-Disposition", `attachment; filename="minyi-`+t.Code+`.png"`)
	}
	c.Data(http.StatusOK, "image/png", png)
}
