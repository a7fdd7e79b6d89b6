package casesapp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/users"
)

// feedbackPeriod is the queue's default period: the 90 days up to the end
// of today.
func (s *Handlers) feedbackPeriod() (from, to time.Time) {
	return feedback.DefaultWindow(s.Now(), s.Config.Location)
}

// feedbackFilter reads the queue filter from query parameters shared by the
// API and the console: unit_id, source, channel, level, tone (complaint,
// praise, all), from and to (dates or RFC 3339 times); status (pending,
// decided, "" for all) is given.
func (s *Handlers) feedbackFilter(c *gin.Context, status string) (feedback.Filter, error) {
	return s.queueFilter(c.Request.URL.Query(), status)
}

// queueFilter is feedbackFilter over query parameters q.
func (s *Handlers) queueFilter(q url.Values, status string) (feedback.Filter, error) {
	var f feedback.Filter
	bad := apperr.Fields{}
	f.From, f.To = s.feedbackPeriod()
	if t, ok := httpx.ParseTime(q.Get("from"), s.Config.Location, false); !ok {
		bad.Add("from", "from 须为日期（2026-01-31）或 RFC 3339 时间")
	} else if t != nil {
		f.From = *t
	}
	if t, ok := httpx.ParseTime(q.Get("to"), s.Config.Location, true); !ok {
		bad.Add("to", "to 须为日期（2026-01-31）或 RFC 3339 时间")
	} else if t != nil {
		f.To = *t
	}
	if v := q.Get("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			bad.Add("unit_id", "unit_id 须为正整数")
		} else {
			f.UnitID = &id
		}
	}
	if v := q.Get("level"); v != "" {
		if f.Level = ratings.ParseLevel(v); f.Level == 0 {
			bad.Add("level", "level 须为 1 到 5")
		}
	}
	f.Source, f.Channel, f.Status, f.Tone = q.Get("source"), q.Get("channel"), status, q.Get("tone")
	if f.Tone == "all" { // the console's choice of both
		f.Tone = ""
	}
	var err error
	f.Q, err = search.Parse(q.Get("q"))
	bad.Merge(err)
	if err := bad.Err(); err != nil {
		return f, err
	}
	return f, f.Validate()
}

// feedbackList is a page of a list over the queue's filter: its items
// (queue items, groups of held ratings), the total and the filter's period.
type feedbackList[T any] struct {
	Items  []T       `json:"items"`
	Total  int       `json:"total"`
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

// pagedFeedbackFilter is feedbackFilter with the API's limit (default 50)
// and offset.
func (s *Handlers) pagedFeedbackFilter(c *gin.Context, status string) (feedback.Filter, error) {
	f, err := s.feedbackFilter(c, status)
	if err == nil {
		f.Limit, f.Offset, err = httpx.Paging(c)
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	return f, err
}

// apiQueueList answers a list over the queue's filter, read from the
// query with the given status, and its paging.
func apiQueueList[T any](s *Handlers, c *gin.Context, status string,
	list func(context.Context, db.DBTX, *time.Location, feedback.Filter) ([]T, int, error)) {
	f, err := s.pagedFeedbackFilter(c, status)
	var items []T
	var total int
	if err == nil {
		items, total, err = list(c, s.Pool, s.Config.Location, f)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, feedbackList[T]{Items: items, Total: total, From: f.From, To: f.To, Limit: f.Limit, Offset: f.Offset})
}

// APIFeedbackQueue lists the review queue with its filter and paging.
func (s *Handlers) APIFeedbackQueue(c *gin.Context) {
	f, err := s.pagedFeedbackFilter(c, c.Query("status"))
	if v := c.Query("cursor"); v != "" && err == nil {
		if f.Older, err = ratings.ParseCursor(v); err != nil {
			err = apperr.InvalidField("cursor", "cursor 无效：请用上一页答复中的 next_cursor")
		}
	}
	var p feedback.QueuePage
	if err == nil {
		p, err = feedback.Queue(c, s.Pool, s.Config.Location, f)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	out := gin.H{"items": p.Items, "total": p.Total.N, "total_exact": p.Total.Exact, "from": f.From, "to": f.To,
		"limit": f.Limit, "offset": f.Offset}
	if p.Older != nil {
		out["next_cursor"] = p.Older.String()
	}
	if p.Total.Estimated {
		out["total_estimated"] = true
	}
	c.JSON(http.StatusOK, out)
}

// APIFeedbackItem answers one item of the queue (a rating or a survey
// opinion).
func (s *Handlers) APIFeedbackItem(c *gin.Context) {
	it, err := feedback.FindItem(c, s.Pool, s.Config.Location, c.Param("kind"), c.Param("id"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

// APIFeedbackValid finds items valid, opening one rectification case for
// them.
func (s *Handlers) APIFeedbackValid(c *gin.Context) {
	var in feedback.ValidInput
	if err := httpx.BindJSON(c, &in, 64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return s.markValid(c, tx, in)
	})
}

// APIFeedbackInvalid finds an item invalid with a reason, keeping it out of
// the score.
func (s *Handlers) APIFeedbackInvalid(c *gin.Context) {
	var in feedback.InvalidInput
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return feedback.MarkInvalid(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
	})
}

type versionBody struct {
	Version int `json:"version"`
}

// APIFeedbackReopen puts a decided item back in the queue.
func (s *Handlers) APIFeedbackReopen(c *gin.Context) {
	var in versionBody
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return feedback.Reopen(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), c.Param("kind"), c.Param("id"), in.Version)
	})
}

type flagList struct {
	Flags []feedback.Flag `json:"flags"`
	Total int             `json:"total"`
}

// APIFeedbackFlags lists the suspicious-pattern flags.
func (s *Handlers) APIFeedbackFlags(c *gin.Context) {
	limit, offset, err := httpx.Paging(c)
	var list []feedback.Flag
	var total int
	if err == nil {
		list, total, err = feedback.ListFlags(c, s.Pool, c.Query("status"), limit, offset)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, flagList{Flags: list, Total: total})
}

// APIFeedbackScan scans the ratings for suspicious patterns and answers how
// many flags it raised.
func (s *Handlers) APIFeedbackScan(c *gin.Context) {
	n, err := feedback.Scan(c, s.Pool, s.Keys, s.Config.Location, s.Now())
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"created": n})
}

type noteBody struct {
	Note   string `json:"note"`
	Reason string `json:"reason"`
}

// APIDecideFlag confirms a flag (its ratings are excluded) or dismisses it.
func (s *Handlers) APIDecideFlag(confirm bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in noteBody
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return feedback.DecideFlag(c, tx, httpx.CurrentUser(c).Actor(), id, confirm, in.Note, s.Now())
		})
	}
}

type appealList struct {
	Appeals []feedback.Appeal `json:"appeals"`
	Total   int               `json:"total"`
}

// unitQueryScope reads the unit_id query parameter: the office may give any
// unit (nil: all), a unit user only its own and gets its own by default.
func unitQueryScope(c *gin.Context) (*int64, error) {
	return unitScope(httpx.CurrentUser(c), c.Query("unit_id"))
}

// unitScope is unitQueryScope for the user u and the parameter v.
func unitScope(u users.User, v string) (*int64, error) {
	var unit *int64
	if v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.InvalidField("unit_id", "unit_id 须为正整数")
		}
		if err := httpx.CanSeeUnit(u, id); err != nil {
			return nil, err
		}
		unit = &id
	}
	if !u.SeesAll() {
		if u.UnitID == nil {
			return nil, apperr.New(apperr.Forbidden, "账号未关联单位")
		}
		unit = u.UnitID
	}
	return unit, nil
}

// appealFilter reads unit_id (see unitQueryScope), status and paging.
func appealFilter(c *gin.Context) (feedback.AppealFilter, error) {
	f := feedback.AppealFilter{Status: c.Query("status")}
	var err error
	if f.Limit, f.Offset, err = httpx.Paging(c); err == nil {
		f.UnitID, err = unitQueryScope(c)
	}
	return f, err
}

// APIFeedbackAppeals lists appeals against ratings: all for the office, a
// unit its own.
func (s *Handlers) APIFeedbackAppeals(c *gin.Context) {
	apiList(s, c, appealFilter, feedback.ListAppeals, func(l []feedback.Appeal, n int) any { return appealList{l, n} })
}

// apiList answers a list request: the filter read from the request, the
// page of the list and the reply built from the page and the total.
func apiList[F, T any](s *Handlers, c *gin.Context, filter func(*gin.Context) (F, error),
	list func(context.Context, db.DBTX, F) ([]T, int, error), reply func([]T, int) any) {
	f, err := filter(c)
	var page []T
	var total int
	if err == nil {
		page, total, err = list(c, s.Pool, f)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, reply(page, total))
}

// visibleAppeal loads the :id appeal if the user may see it; another
// unit's appeal is not_found.
func (s *Handlers) visibleAppeal(c *gin.Context) (feedback.Appeal, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return feedback.Appeal{}, apperr.New(apperr.NotFound, "申诉不存在")
	}
	a, err := feedback.FindAppeal(c, s.Pool, id)
	if err == nil && !httpx.CurrentUser(c).CanSeeUnit(a.UnitID) {
		err = apperr.New(apperr.NotFound, "申诉不存在")
	}
	return a, err
}

// APIFeedbackAppeal answers one appeal the user may see.
func (s *Handlers) APIFeedbackAppeal(c *gin.Context) {
	a, err := s.visibleAppeal(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// APIDecideAppeal upholds an appeal (the rating is excluded) or rejects it.
func (s *Handlers) APIDecideAppeal(uphold bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in noteBody
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return feedback.DecideAppeal(c, tx, httpx.CurrentUser(c).Actor(), id, uphold, in.Reason, s.Now())
		})
	}
}

// appealUnit is the unit an appeal is filed for: only unit users appeal,
// for their own unit.
func appealUnit(c *gin.Context) (int64, error) {
	u := httpx.CurrentUser(c)
	if u.Role == users.RoleOffice || u.UnitID == nil {
		return 0, apperr.New(apperr.Forbidden, "只有被评价单位可以提出申诉")
	}
	return *u.UnitID, nil
}

// APIFileAppeal files the unit's appeal against one of its ratings.
func (s *Handlers) APIFileAppeal(c *gin.Context) {
	unit, err := appealUnit(c)
	var in feedback.AppealInput
	if err == nil {
		err = httpx.BindJSON(c, &in, 32<<10)
	}
	id, perr := httpx.UUIDParam(c, "id")
	if err == nil {
		err = perr
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return feedback.FileAppeal(c, tx, httpx.CurrentUser(c).Actor(), unit, id, in, s.Now())
	})
}
