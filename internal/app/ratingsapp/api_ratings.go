package ratingsapp

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/users"
)

// feedFilter reads the feed's filter, without paging, from q: the list's,
// the API's and the export's (export.go). The fields it cannot read are
// in bad.
func (s *Handlers) feedFilter(q url.Values) (ratings.Filter, apperr.Fields) {
	var f ratings.Filter
	bad := apperr.Fields{}
	var ok bool
	if f.From, ok = httpx.ParseTime(q.Get("from"), s.Config.Location, false); !ok {
		bad.Add("from", "from 须为日期（2026-01-31）或 RFC 3339 时间")
	}
	if f.To, ok = httpx.ParseTime(q.Get("to"), s.Config.Location, true); !ok {
		bad.Add("to", "to 须为日期（2026-01-31）或 RFC 3339 时间")
	}
	f.Channel = q.Get("channel")
	if v := q.Get("level"); v != "" {
		if f.Level = ratings.ParseLevel(v); f.Level == 0 {
			bad.Add("level", "level 须为 1 到 5")
		}
	}
	if v := q.Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad.Add("unit_id", "unit_id 须为正整数")
		} else {
			f.UnitID = &id
		}
	}
	for name, dst := range map[string]**bool{"excluded": &f.Excluded, "held": &f.Held, "rate_checked": &f.RateChecked} {
		switch q.Get(name) {
		case "":
		case "true", "1":
			*dst = httpx.Ptr(true)
		case "false", "0":
			*dst = httpx.Ptr(false)
		default:
			bad.Add(name, name+" 须为 true 或 false")
		}
	}
	f.HasComment = q.Get("has_comment") == "true" || q.Get("has_comment") == "1"
	var err error
	f.Q, err = search.Parse(q.Get("q"))
	bad.Merge(err)
	return f, bad
}

// ratingFilter reads the feed filter from query parameters shared by the API
// and the console: from, to, channel, level, unit_id, excluded, held, rate_checked,
// q (keywords of the message), id (one rating) and the API's paging.
func (s *Handlers) ratingFilter(c *gin.Context) (ratings.Filter, error) {
	f, bad := s.feedFilter(c.Request.URL.Query())
	var err error
	if v := c.Query("id"); v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			bad.Add("id", "id 须为评价的 UUID")
		} else {
			f.ID = &id
		}
	}
	f.KeywordSpan(s.Now(), s.Config.Location)
	f.Limit, f.Offset, err = httpx.Paging(c)
	bad.Merge(err)
	if v := c.Query("cursor"); v != "" {
		if f.Older, err = ratings.ParseCursor(v); err != nil {
			bad.Add("cursor", "cursor 无效：请用上一页答复中的 next_cursor")
		}
	}
	bad.Merge(f.Validate())
	return f, bad.Err()
}

// showPhones decrypts phone numbers for roles allowed to call back and
// leaves the mask for everyone else.
func (s *Handlers) showPhones(u users.User, list []ratings.Rating) {
	ratings.ShowPhones(list, s.Keys, slices.Contains(s.Config.CallbackRoles, u.Role))
}

func (s *Handlers) listRatings(c *gin.Context, f ratings.Filter) {
	p, err := ratings.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.showPhones(httpx.CurrentUser(c), p.Items)
	out := gin.H{"total": p.Total, "total_exact": p.TotalExact, "items": p.Items}
	if p.Older != nil {
		out["next_cursor"] = p.Older.String()
	}
	if p.TotalEstimated {
		out["total_estimated"] = true
	}
	if f.RecentSpan {
		// q without from searched the last twelve months: say from when.
		out["from"], out["from_default"] = f.From, true
	}
	c.JSON(http.StatusOK, out)
}

// APIUnitRatings lists the unit's ratings with the feed's filter.
func (s *Handlers) APIUnitRatings(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	f, err := s.ratingFilter(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	f.UnitID = &u.ID
	s.listRatings(c, f)
}

// APIRatings lists ratings with the feed's filter; a unit-role user only
// its own unit's.
func (s *Handlers) APIRatings(c *gin.Context) {
	f, err := s.ratingFilter(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if u := httpx.CurrentUser(c); u.Role != users.RoleOffice {
		if f.UnitID != nil && *f.UnitID != *u.UnitID {
			s.APIError(c, apperr.New(apperr.Forbidden, "无权查看该单位"))
			return
		}
		f.UnitID = u.UnitID
	}
	s.listRatings(c, f)
}

// APIUnitStats is the unit's rating figures today, this month and this year.
func (s *Handlers) APIUnitStats(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	stats, err := ratings.Stats(c, s.Pool, s.Now(), s.Config.Location, &u.ID, s.Config.LevelPoints)
	if err != nil {
		s.APIError(c, err)
		return
	}
	st := stats[u.ID]
	st.UnitID = u.ID
	c.JSON(http.StatusOK, st)
}

// APIExcludeRating keeps a rating out of the score, with a reason.
func (s *Handlers) APIExcludeRating(c *gin.Context) {
	id, err := httpx.UUIDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.changeExclusion(c, func(tx pgx.Tx) (ratings.Rating, error) {
		return ratings.Exclude(c, tx, httpx.CurrentUser(c).Actor(), id, strings.TrimSpace(in.Reason))
	})
}

// APIRestoreRating counts an excluded rating again.
func (s *Handlers) APIRestoreRating(c *gin.Context) {
	id, err := httpx.UUIDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.changeExclusion(c, func(tx pgx.Tx) (ratings.Rating, error) {
		return ratings.Restore(c, tx, httpx.CurrentUser(c).Actor(), id)
	})
}

func (s *Handlers) changeExclusion(c *gin.Context, fn func(pgx.Tx) (ratings.Rating, error)) {
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		r, err := fn(tx)
		list := []ratings.Rating{r}
		s.showPhones(httpx.CurrentUser(c), list)
		return list[0], err
	})
}
