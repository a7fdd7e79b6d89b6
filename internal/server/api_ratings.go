package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/users"
)

// parseTime reads a date (YYYY-MM-DD, local) or an RFC 3339 time. A date
// given as an upper bound means the end of that day.
func parseTime(v string, loc *time.Location, upper bool) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return &t, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, true
	}
	return nil, false
}

// ratingFilter reads the feed filter from query parameters shared by the API
// and the console: from, to, channel, level, unit_id, excluded, held, rate_checked.
func (s *Server) ratingFilter(c *gin.Context) (ratings.Filter, error) {
	var f ratings.Filter
	bad := apperr.Fields{}
	var ok bool
	if f.From, ok = parseTime(c.Query("from"), s.Config.Location, false); !ok {
		bad.Add("from", "from 须为日期（2026-01-31）或 RFC 3339 时间")
	}
	if f.To, ok = parseTime(c.Query("to"), s.Config.Location, true); !ok {
		bad.Add("to", "to 须为日期（2026-01-31）或 RFC 3339 时间")
	}
	f.Channel = c.Query("channel")
	if v := c.Query("level"); v != "" {
		if f.Level = ratings.ParseLevel(v); f.Level == 0 {
			bad.Add("level", "level 须为 1 到 5")
		}
	}
	if v := c.Query("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad.Add("unit_id", "unit_id 须为正整数")
		} else {
			f.UnitID = &id
		}
	}
	for name, dst := range map[string]**bool{"excluded": &f.Excluded, "held": &f.Held, "rate_checked": &f.RateChecked} {
		switch c.Query(name) {
		case "":
		case "true", "1":
			*dst = ptr(true)
		case "false", "0":
			*dst = ptr(false)
		default:
			bad.Add(name, name+" 须为 true 或 false")
		}
	}
	f.HasComment = c.Query("has_comment") == "true" || c.Query("has_comment") == "1"
	var err error
	f.Limit, f.Offset, err = httpx.Paging(c)
	bad.Merge(err)
	bad.Merge(f.Validate())
	return f, bad.Err()
}

func ptr[T any](v T) *T { return &v }

// showPhones decrypts phone numbers for roles allowed to call back and
// leaves the mask for everyone else.
func (s *Server) showPhones(u users.User, list []ratings.Rating) {
	full := false
	for _, r := range s.Config.CallbackRoles {
		full = full || r == u.Role
	}
	for i := range list {
		if full && len(list[i].PhoneEnc) > 0 {
			if p, err := s.Keys.Decrypt(list[i].PhoneEnc); err == nil {
				list[i].Phone = p
			}
		}
		list[i].PhoneEnc = nil
	}
}

func (s *Server) listRatings(c *gin.Context, f ratings.Filter) {
	list, total, err := ratings.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.showPhones(httpx.CurrentUser(c), list)
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

func (s *Server) apiUnitRatings(c *gin.Context) {
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

func (s *Server) apiRatings(c *gin.Context) {
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

func (s *Server) apiUnitStats(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	stats, err := ratings.Stats(c, s.Pool, s.Now(), s.Config.Location, &u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	st := stats[u.ID]
	st.UnitID = u.ID
	c.JSON(http.StatusOK, st)
}

func ratingID(c *gin.Context) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param("id"))
	if err != nil {
		return uuid.Nil, httpx.ErrNotFound
	}
	return id, nil
}

func (s *Server) apiExcludeRating(c *gin.Context) {
	id, err := ratingID(c)
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

func (s *Server) apiRestoreRating(c *gin.Context) {
	id, err := ratingID(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.changeExclusion(c, func(tx pgx.Tx) (ratings.Rating, error) {
		return ratings.Restore(c, tx, httpx.CurrentUser(c).Actor(), id)
	})
}

func (s *Server) changeExclusion(c *gin.Context, fn func(pgx.Tx) (ratings.Rating, error)) {
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		r, err := fn(tx)
		list := []ratings.Rating{r}
		s.showPhones(httpx.CurrentUser(c), list)
		return list[0], err
	})
}
