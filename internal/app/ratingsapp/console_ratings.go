package ratingsapp

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/units"
	"minyi/internal/users"
)

// feedPageSize is how many ratings the feed shows a page.
const feedPageSize = 50

// feedQuery is the feed's filter as typed, kept to refill the form.
type feedQuery struct {
	UnitID, Channel, Level, From, To, Excluded, Held, RateChecked, Q, ID string
	HasComment                                                           bool
}

// values returns the filter as query parameters, leaving out empty ones.
func (q feedQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("unit_id", q.UnitID)
	set("channel", q.Channel)
	set("level", q.Level)
	set("from", q.From)
	set("to", q.To)
	set("excluded", q.Excluded)
	set("held", q.Held)
	set("rate_checked", q.RateChecked)
	set("q", q.Q)
	set("id", q.ID)
	if q.HasComment {
		v.Set("has_comment", "1")
	}
	return v
}

type ratingRow struct {
	ratings.Rating
	Reasons    string
	ExcludeURL string
	RestoreURL string
	HeldLink   string // the queue's groups of the rating's unit and day
	Error      string
	Reason     string // the exclusion reason typed, kept after an error
}

type ratingsPageData struct {
	httpx.BasePage
	Q          feedQuery
	Units      []units.Unit
	Levels     []ratings.LevelName
	Rows       []ratingRow
	Pager      httpx.KeysetPager
	FilterErrs []string
	Message    string
	ClearLink  string
	Export     httpx.ExportLinks
	// RecentFrom is the first day a keyword searched when no start date
	// was given (ratings.Filter.KeywordSpan), "" otherwise.
	RecentFrom string
}

// feedFieldNames turns the filter's field errors into Chinese.
var feedFieldNames = map[string]string{
	"from":         "开始日期格式应为“年-月-日”。",
	"to":           "结束日期格式应为“年-月-日”，且不能早于开始日期。",
	"channel":      "评价渠道无效。",
	"level":        "评价等级无效。",
	"unit_id":      "所选单位无效。",
	"excluded":     "剔除状态筛选无效。",
	"held":         "暂不计分筛选无效。",
	"rate_checked": "限流校验筛选无效。",
	"limit":        "分页参数无效。",
	"offset":       "分页参数无效。",
	"cursor":       "翻页位置无效，请从最新一页重新翻阅。",
	"q":            "搜索词无效：最多50个字、5个词，不能含有无法识别的字符。",
	"id":           "评价链接无效。",
}

// RatingsPage is the rating feed with the filter of the query.
func (s *Handlers) RatingsPage(c *gin.Context) {
	s.showFeed(c, http.StatusOK, "", "", "")
}

// showFeed renders the rating feed for the filter in the request's query;
// rowID, rowErr and reason mark an exclusion that failed.
func (s *Handlers) showFeed(c *gin.Context, status int, rowID, rowErr, reason string) {
	u := httpx.CurrentUser(c)
	q := feedQuery{UnitID: c.Query("unit_id"), Channel: c.Query("channel"), Level: c.Query("level"),
		From: c.Query("from"), To: c.Query("to"), Excluded: c.Query("excluded"), Held: c.Query("held"),
		RateChecked: c.Query("rate_checked"), Q: strings.TrimSpace(c.Query("q")), ID: c.Query("id"), HasComment: c.Query("has_comment") == "1" || c.Query("has_comment") == "true"}
	d := ratingsPageData{BasePage: s.Base(c, "评价记录", "ratings"), Q: q, Levels: ratings.LevelNames(),
		ClearLink: "/console/ratings"}
	d.Message = rowErr
	f, err := s.ratingFilter(c)
	if err == nil {
		err = feedCursors(c, &f)
	}
	if err != nil {
		seen := map[string]bool{}
		for field := range apperr.From(err).Fields {
			if msg := feedFieldNames[field]; msg != "" && !seen[msg] {
				seen[msg] = true
				d.FilterErrs = append(d.FilterErrs, msg)
			}
		}
		sort.Strings(d.FilterErrs)
		if len(d.FilterErrs) == 0 {
			d.FilterErrs = []string{"筛选条件有误，请检查后重试。"}
		}
		status = http.StatusUnprocessableEntity
	}
	if u.Role != users.RoleOffice {
		if f.UnitID != nil && (u.UnitID == nil || *f.UnitID != *u.UnitID) {
			s.ConsoleError(c, apperr.New(apperr.Forbidden, "无权查看该单位的评价"))
			return
		}
		f.UnitID, d.Q.UnitID = u.UnitID, ""
	}
	if len(d.FilterErrs) == 0 {
		d.Export = httpx.NewExportLinks("/console/ratings", d.Q.values())
		f.Limit = feedPageSize
		if f.RecentSpan {
			d.RecentFrom = f.From.In(s.Config.Location).Format(time.DateOnly)
		}
		var p ratings.Page
		if p, err = ratings.List(c, s.Pool, f); err != nil {
			s.ConsoleError(c, err)
			return
		}
		list := p.Items
		s.showPhones(u, list)
		link := func(param, cursor string) string {
			v := d.Q.values()
			if param != "" {
				v.Set(param, cursor)
			}
			if len(v) == 0 {
				return "/console/ratings"
			}
			return "/console/ratings?" + v.Encode()
		}
		d.Pager = httpx.NewKeysetPager(p.Total, p.TotalExact, p.TotalEstimated, "条", ratings.CursorParam(p.Older), ratings.CursorParam(p.Newer),
			f.Older != nil || f.Newer != nil, link)
		// The forms of a row come back to this very page.
		base := d.Q.values()
		if f.Older != nil {
			base.Set("older", f.Older.String())
		} else if f.Newer != nil {
			base.Set("newer", f.Newer.String())
		}
		suffix := ""
		if len(base) > 0 {
			suffix = "?" + base.Encode()
		}
		for _, r := range list {
			id := r.ID.String()
			path := "/console/ratings/" + id
			row := ratingRow{Rating: r, Reasons: strings.Join(r.Reasons, "、"),
				ExcludeURL: path + "/exclude" + suffix, RestoreURL: path + "/restore" + suffix}
			if id == rowID {
				row.Error, row.Reason = rowErr, reason
			}
			if r.Held {
				day := r.RatedAt.In(s.Config.Location).Format(time.DateOnly)
				row.HeldLink = "/console/feedback?" + url.Values{"unit_id": {strconv.FormatInt(r.UnitID, 10)},
					"from": {day}, "to": {day}}.Encode() + "#held"
			}
			d.Rows = append(d.Rows, row)
		}
	}
	if u.Role == users.RoleOffice {
		if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	s.Render(c, status, "console/ratings.html", d)
}

// feedCursors reads the feed's paging: older=<cursor> for the page after
// a rating, newer=<cursor> for the page before it.
func feedCursors(c *gin.Context, f *ratings.Filter) error {
	var err error
	if f.Older, f.Newer, err = ratings.ParseCursors(c.Query("older"), c.Query("newer")); err != nil {
		return apperr.InvalidField("cursor", "翻页位置无效")
	}
	return f.Validate()
}

// feedBack is the feed with the filter of the request's query, where an
// exclude or restore form returns to.
func feedBack(c *gin.Context) string {
	if q := c.Request.URL.RawQuery; q != "" {
		v, err := url.ParseQuery(q)
		if err == nil {
			v.Del("msg")
			if len(v) > 0 {
				return "/console/ratings?" + v.Encode()
			}
		}
	}
	return "/console/ratings"
}

// ExcludeSubmit keeps a rating out of the score, with a reason, and
// returns to the feed.
func (s *Handlers) ExcludeSubmit(c *gin.Context) {
	reason := strings.TrimSpace(c.PostForm("reason"))
	s.changeExclusionPage(c, reason, "rating_excluded", func(tx pgx.Tx, id uuid.UUID) error {
		_, err := ratings.Exclude(c, tx, httpx.CurrentUser(c).Actor(), id, reason)
		return err
	})
}

// RestoreSubmit counts an excluded rating again and returns to the feed.
func (s *Handlers) RestoreSubmit(c *gin.Context) {
	s.changeExclusionPage(c, "", "rating_restored", func(tx pgx.Tx, id uuid.UUID) error {
		_, err := ratings.Restore(c, tx, httpx.CurrentUser(c).Actor(), id)
		return err
	})
}

// changeExclusionPage runs an exclude or restore and goes back to the feed;
// a missing reason or a change already made shows the feed with the error.
func (s *Handlers) changeExclusionPage(c *gin.Context, reason, flash string, fn func(pgx.Tx, uuid.UUID) error) {
	id, err := httpx.UUIDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "评价不存在"))
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, id) })
	switch {
	case err == nil:
		httpx.Redirect(c, feedBack(c), flash)
	case apperr.Is(err, apperr.Invalid):
		s.showFeed(c, http.StatusUnprocessableEntity, id.String(), "请填写剔除理由（200字以内）。", reason)
	case apperr.Is(err, apperr.Conflict):
		s.showFeed(c, http.StatusConflict, id.String(), apperr.From(err).Message+"，页面已刷新。", reason)
	default:
		s.ConsoleError(c, err)
	}
}
