package ratingsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"minyi/internal/apperr"
	"minyi/internal/feedback"
	"minyi/internal/partitions"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// thanksURL is the thanks page of the code showing the reference of the
// rating id (none when id is nil).
func (s *Handlers) thanksURL(code string, id uuid.UUID) string {
	u := "/q/" + code + "/thanks"
	if id != uuid.Nil {
		u += "?ref=" + url.QueryEscape(ratings.Reference(id, s.Config.Location))
	}
	return u
}

// storedID is the id of the rating a submission stored: its own when
// created, the first submission's when the form was sent twice (uuid.Nil
// when that cannot be read; the thanks page then shows no reference).
func (s *Handlers) storedID(c *gin.Context, res ratings.Result, token string) uuid.UUID {
	if res.Status == ratings.Created {
		return res.ID
	}
	id, err := ratings.RequestedRatingID(c, s.Pool, 0, token)
	if err != nil {
		s.Log.Warn("reference of a repeated submission", "err", err)
		return uuid.Nil
	}
	return id
}

// trackLimited applies RATE_PUBLIC_CLIENT per client address to the pages
// that look a reference up, so that guessing references is slow; on
// refusal it shows the page saying so and reports true.
func (s *Handlers) trackLimited(c *gin.Context) bool {
	return s.PageLimited(c, s.Config.Limits.PublicClient, "tr:", "秒后再刷新页面。")
}

// ThanksPage thanks the citizen after a rating. With ?ref= (the redirect
// after a stored rating) it shows the rating's reference, and a link to
// its tracking page when the citizen left a phone number or a message; a
// reference that is not a rating of the code's unit is left out.
func (s *Handlers) ThanksPage(c *gin.Context) {
	t, err := units.ResolveCode(c, s.Pool, c.Param("code"))
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.ErrorPage(c, http.StatusNotFound, "二维码无效", "未找到该评价二维码。")
		return
	case err != nil:
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "请稍后再试。")
		return
	}
	d := doneData{Title: t.UnitName, Code: t.Code, Target: t}
	if ref := c.Query("ref"); ref != "" {
		if s.trackLimited(c) {
			return
		}
		tr, err := feedback.FindTracking(c, s.Pool, ref, s.Config.Location)
		switch {
		case err == nil && tr.UnitID == t.UnitID:
			d.Reference = tr.Reference
			if tr.Tracked {
				d.TrackURL = "/t/" + tr.Reference
			}
		case err != nil && !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Invalid):
			s.Log.Warn("thanks page: reference lookup failed", "err", err)
		}
	}
	s.Render(c, http.StatusOK, "public/done.html", d)
}

// archived reports whether the month of the reference's day is archived
// (see internal/partitions), so its rating cannot be looked up.
func (s *Handlers) archived(c *gin.Context, reference string) bool {
	rr, err := ratings.ParseReference(reference, s.Config.Location)
	if err != nil {
		return false
	}
	ok, err := partitions.Archived(c, s.Pool, partitions.Month{Year: rr.Day.Year(), Month: rr.Day.Month()})
	if err != nil {
		s.Log.Warn("tracking page: archive check failed", "err", err)
	}
	return ok
}

type trackData struct {
	Title   string
	Track   feedback.Tracking
	Steps   []feedback.TrackStep
	CaseURL string
}

// TrackPage shows, without sign-in, where a rating stands: its unit, day
// and level and the timeline of its review and case (feedback.Tracking).
// An unknown or malformed reference is 404 "未找到该评价编号".
func (s *Handlers) TrackPage(c *gin.Context) {
	if s.trackLimited(c) {
		return
	}
	tr, err := feedback.FindTracking(c, s.Pool, c.Param("reference"), s.Config.Location)
	if apperr.Is(err, apperr.NotFound) && s.archived(c, c.Param("reference")) {
		s.ErrorPage(c, http.StatusGone, "评价记录已归档", "该评价所在月份的记录已归档，无法在线查询处理进度，请致电绩效办查询。")
		return
	}
	switch {
	case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid):
		s.ErrorPage(c, http.StatusNotFound, "未找到该评价编号", "请核对评价编号是否完整、正确，例如 20261203-1Q9ZK-4M7TX。")
		return
	case err != nil:
		s.Log.Error("tracking page", "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法查询，请稍后再试。")
		return
	}
	d := trackData{Title: "评价进度 - " + tr.UnitName, Track: tr, Steps: tr.Steps()}
	if tr.Released && tr.CaseID != nil {
		d.CaseURL = "/cases/" + strconv.FormatInt(tr.UnitID, 10) + "#case-" + strconv.FormatInt(*tr.CaseID, 10)
	}
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "public/track.html", d)
}
