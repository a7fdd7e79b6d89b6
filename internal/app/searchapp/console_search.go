package searchapp

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/callbacks"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/search/lookup"
	"minyi/internal/surveys"
	"minyi/internal/users"
)

// firstHits is how many hits of each kind the search page shows; the rest
// are on the list its link opens.
const firstHits = 5

// hitRow is one hit as the page shows it.
type hitRow struct {
	Title string        // the unit
	Meta  string        // when, and what it is
	Text  template.HTML // the text, escaped, with the terms marked
	URL   string
}

// section is the first hits of one list and the link to all of them.
type section struct {
	ID, Title, Link, Total, Empty string
	Rows                          []hitRow
}

type searchPageData struct {
	httpx.BasePage
	Q      string
	Error  string
	Direct []hitRow
	// Phones says the viewer may look a phone number up.
	Phones   bool
	Sections []section
	// Queue links the office to the review queue with the keyword.
	Queue string
}

// SearchPage is the console-wide search: the records q names directly,
// then the first keyword hits of each list the viewer may read, a unit's
// staff their unit's only. A single direct hit of an unambiguous kind (a
// reference, a 办件编号, a phone number, "#123") is opened at once.
func (s *Handlers) SearchPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	d := searchPageData{BasePage: s.Base(c, "搜索", "search"), Q: strings.TrimSpace(c.Query("q")),
		Phones: slices.Contains(s.Config.CallbackRoles, u.Role)}
	if d.Q == "" {
		s.Render(c, http.StatusOK, "console/search.html", d)
		return
	}
	k, err := search.Parse(d.Q)
	if err != nil {
		d.Error = apperr.From(err).Fields["q"]
		s.Render(c, http.StatusUnprocessableEntity, "console/search.html", d)
		return
	}
	unit := scope(u)
	direct, err := lookup.Find(c, s.Pool, lookup.Scope{UnitID: unit, Phones: d.Phones, Keys: s.Keys, Loc: s.Config.Location}, d.Q)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if len(direct) == 1 && (direct[0].Via != "案件编号" || !isDigits(d.Q)) {
		httpx.Redirect(c, s.directURL(direct[0]), "")
		return
	}
	for _, h := range direct {
		d.Direct = append(d.Direct, s.directRow(h))
	}
	if d.Sections, err = s.sections(c, u, unit, k); err != nil {
		s.ConsoleError(c, err)
		return
	}
	if u.Role == users.RoleOffice {
		d.Queue = "/console/feedback?" + url.Values{"q": {d.Q}, "status": {"all"}, "tone": {"all"}}.Encode()
	}
	s.Render(c, http.StatusOK, "console/search.html", d)
}

// scope is the unit a viewer's search is limited to: none for the office
// and the leadership, the own unit for a unit's staff (a unit account
// without a unit finds nothing).
func scope(u users.User) *int64 {
	if u.SeesAll() {
		return nil
	}
	if u.UnitID == nil {
		none := int64(-1)
		return &none
	}
	return u.UnitID
}

// sections reads the first hits of each list side by side.
func (s *Handlers) sections(ctx context.Context, u users.User, unit *int64, k search.Keyword) ([]section, error) {
	q := url.Values{"q": {k.Raw}}.Encode()
	rs := section{ID: "hits-ratings", Title: "评价留言", Link: "/console/ratings?" + q, Empty: "没有含有该关键词的评价留言。"}
	cs := section{ID: "hits-cases", Title: "整改案件", Link: "/console/cases?" + q, Empty: "没有含有该关键词的整改案件（问题、答复、进展和回访记录）。"}
	cb := section{ID: "hits-callbacks", Title: "回访", Link: "/console/callbacks?" + q, Empty: "没有含有该关键词的回访案件。"}
	sv := section{ID: "hits-responses", Title: "问卷意见", Link: "/console/responses?" + q, Empty: "没有含有该关键词的问卷意见。"}
	// Survey responses are the office's and each unit's (see the responses list).
	withResponses := u.Role == users.RoleOffice || u.Role == users.RoleUnit
	reads := []func(db.DBTX) error{
		func(q db.DBTX) error {
			p, err := ratings.List(ctx, q, ratings.Filter{Q: k, UnitID: unit, Limit: firstHits})
			if err != nil {
				return err
			}
			rs.Total = totalText(p.Total, p.TotalExact, p.TotalEstimated)
			for _, r := range p.Items {
				rs.Rows = append(rs.Rows, hitRow{Title: r.UnitName, Meta: s.when(r.RatedAt) + " · " + r.LevelLabel,
					Text: search.Highlight(r.Comment, k), URL: s.ratingURL(r.ID.String(), r.RatedAt)})
			}
			return nil
		},
		func(q db.DBTX) error {
			list, n, err := feedback.ListCases(ctx, q, feedback.CaseFilter{UnitID: unit, Q: k, Limit: firstHits})
			if err != nil {
				return err
			}
			cs.Total = totalText(n, true, false)
			for _, c := range list {
				cs.Rows = append(cs.Rows, hitRow{Title: c.UnitName, Meta: "#" + strconv.FormatInt(c.ID, 10) + " · " + c.StatusLabel(),
					Text: search.Highlight(c.Problem, k), URL: "/console/cases/" + strconv.FormatInt(c.ID, 10)})
			}
			return nil
		},
		func(q db.DBTX) error {
			list, err := callbacks.ListCallbackCases(ctx, q, unit, s.Now().In(s.Config.Location).Format(time.DateOnly), k)
			if err != nil {
				return err
			}
			cb.Total = totalText(len(list), len(list) < 500, false)
			for _, c := range list[:min(len(list), firstHits)] {
				cb.Rows = append(cb.Rows, hitRow{Title: c.UnitName, Meta: "#" + strconv.FormatInt(c.ID, 10) + " · 回访 " +
					strconv.Itoa(c.Calls) + " 次", Text: search.Highlight(c.Problem, k), URL: "/console/callbacks/" + strconv.FormatInt(c.ID, 10)})
			}
			return nil
		},
	}
	if withResponses {
		reads = append(reads, func(q db.DBTX) error {
			f := surveys.ResponseFilter{Q: k, Limit: firstHits}
			if unit != nil {
				f.UnitID = *unit
			}
			list, n, err := surveys.ListResponses(ctx, q, f)
			if err != nil {
				return err
			}
			sv.Total = totalText(n, true, false)
			for _, r := range list {
				sv.Rows = append(sv.Rows, hitRow{Title: r.UnitName, Meta: r.SubmittedOn + " · " + r.SurveyTitle + " · " +
					ratings.LevelLabel(r.Level), Text: search.Highlight(r.Opinion, k), URL: sv.Link})
			}
			return nil
		})
	}
	if err := db.Parallel(s.Pool, reads...); err != nil {
		return nil, err
	}
	out := []section{rs, cs, cb}
	if withResponses {
		out = append(out, sv)
	}
	return out, nil
}

// totalText is a list's total as the lists word it.
func totalText(n int, exact, estimated bool) string {
	switch {
	case estimated:
		return "约 " + strconv.Itoa(n) + " 条"
	case !exact:
		return "超过 " + strconv.Itoa(n) + " 条"
	}
	return "共 " + strconv.Itoa(n) + " 条"
}

func (s *Handlers) when(t time.Time) string {
	return t.In(s.Config.Location).Format("2006-01-02 15:04")
}

// ratingURL opens the rating feed on one rating; its day lets the feed
// read that day's partition only.
func (s *Handlers) ratingURL(id string, at time.Time) string {
	day := at.In(s.Config.Location).Format(time.DateOnly)
	return "/console/ratings?" + url.Values{"id": {id}, "from": {day}, "to": {day}}.Encode()
}

func (s *Handlers) directURL(h lookup.Hit) string {
	if h.Kind == lookup.KindCase {
		return "/console/cases/" + strconv.FormatInt(h.CaseID, 10)
	}
	return s.ratingURL(h.RatingID.String(), h.At)
}

func (s *Handlers) directRow(h lookup.Hit) hitRow {
	row := hitRow{Title: h.UnitName, URL: s.directURL(h), Text: template.HTML(template.HTMLEscapeString(h.Text))}
	if h.Kind == lookup.KindCase {
		row.Meta = h.Via + " · 整改案件 #" + strconv.FormatInt(h.CaseID, 10) + " · " + s.when(h.At)
	} else {
		row.Meta = h.Via + " · 评价 · " + s.when(h.At) + " · " + ratings.LevelLabel(h.Level)
	}
	return row
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
