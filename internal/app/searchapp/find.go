package searchapp

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"time"

	"minyi/internal/callbacks"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
	"minyi/internal/search"
	"minyi/internal/search/lookup"
	"minyi/internal/surveys"
	"minyi/internal/users"
)

// firstHits is how many hits of each kind a search shows; the rest are on
// the list its link opens.
const firstHits = 5

// hit is one record a search found, as the page and the API show it.
type hit struct {
	Kind     string    `json:"kind"` // rating, case, callback, response, respondent
	ID       string    `json:"id"`
	Via      string    `json:"via,omitempty"` // a direct hit: what the box was read as
	UnitID   int64     `json:"unit_id,omitempty"`
	UnitName string    `json:"unit_name,omitempty"`
	At       time.Time `json:"at"`
	Level    int       `json:"level,omitempty"`
	Status   string    `json:"status,omitempty"`
	Text     string    `json:"text"`
	// URL is the record's console page; meta is the page's line about it.
	URL  string `json:"link"`
	meta string
}

// hitList is the first hits of one list, its total as the list counts it
// and the list filtered by the keyword.
type hitList struct {
	Kind           string `json:"kind"`
	Title          string `json:"title"`
	Total          int    `json:"total"`
	TotalExact     bool   `json:"total_exact"`
	TotalEstimated bool   `json:"total_estimated,omitempty"`
	// From is the start of the default span of a keyword's ratings
	// (ratings.Filter.KeywordSpan): the last twelve months.
	From  *time.Time `json:"from,omitempty"`
	Link  string     `json:"link"`
	API   string     `json:"api"`
	Items []hit      `json:"items"`
	empty string
}

// found is what a search finds: the records the box names directly, then
// the first keyword hits of each list the viewer may read.
type found struct {
	Direct []hit     `json:"direct"`
	Lists  []hitList `json:"lists"`
}

// phones reports whether u may look phone numbers up (CALLBACK_ROLES).
func (s *Handlers) phones(u users.User) bool { return slices.Contains(s.Config.CallbackRoles, u.Role) }

// direct finds the records raw names directly, for u.
func (s *Handlers) direct(ctx context.Context, u users.User, raw string) ([]hit, error) {
	unit := scope(u)
	list, err := lookup.Find(ctx, s.Pool, lookup.Scope{UnitID: unit, Phones: s.phones(u), Respondents: u.Role == users.RoleOffice,
		Keys: s.Keys, Loc: s.Config.Location}, raw)
	out := make([]hit, len(list))
	for i, h := range list {
		out[i] = hit{Kind: h.Kind, Via: h.Via, UnitID: h.UnitID, UnitName: h.UnitName, At: h.At, Level: h.Level, Text: h.Text}
		switch h.Kind {
		case lookup.KindCase:
			out[i].ID = strconv.FormatInt(h.CaseID, 10)
			out[i].URL = "/console/cases/" + out[i].ID
			out[i].meta = h.Via + " · 整改案件 #" + out[i].ID + " · " + s.when(h.At)
		case lookup.KindRespondent:
			out[i].ID, out[i].Text = strconv.FormatInt(h.SurveyID, 10), h.Name
			if h.Text != "" {
				out[i].Text += "（" + h.Text + "）"
			}
			out[i].URL = "/console/surveys/" + out[i].ID + "?" + url.Values{"tab": {"respondents"}, "q": {h.Name}}.Encode() + "#respondents"
			out[i].meta = h.Via + " · 问卷受访人 · " + h.UnitName
			out[i].UnitName = ""
		default:
			out[i].ID = h.RatingID.String()
			out[i].URL = s.ratingURL(out[i].ID, h.At)
			out[i].meta = h.Via + " · 评价 · " + s.when(h.At) + " · " + ratings.LevelLabel(h.Level)
		}
	}
	return out, err
}

// lists reads the first hits of each list side by side, for u (a unit's
// staff their unit's only).
func (s *Handlers) lists(ctx context.Context, u users.User, k search.Keyword) ([]hitList, error) {
	unit := scope(u)
	q := url.Values{"q": {k.Raw}}.Encode()
	rs := hitList{Kind: "ratings", Title: "评价留言", Link: "/console/ratings?" + q, API: "/api/v1/ratings?" + q,
		empty: "没有含有该关键词的评价留言。"}
	cs := hitList{Kind: "cases", Title: "整改案件", Link: "/console/cases?" + q, API: "/api/v1/cases?" + q,
		empty: "没有含有该关键词的整改案件（问题、答复、进展和回访记录）。"}
	cb := hitList{Kind: "callbacks", Title: "回访", Link: "/console/callbacks?state=all&" + q, API: "/api/v1/callbacks?state=all&" + q,
		empty: "没有含有该关键词的回访案件。"}
	sv := hitList{Kind: "responses", Title: "问卷意见", Link: "/console/responses?" + q, API: "/api/v1/responses?" + q,
		empty: "没有含有该关键词的问卷意见。"}
	// Survey responses are the office's and each unit's (see the responses list).
	withResponses := u.Role == users.RoleOffice || u.Role == users.RoleUnit
	reads := []func(db.DBTX) error{
		func(q db.DBTX) error {
			f := ratings.Filter{Q: k, UnitID: unit, Limit: firstHits}
			f.KeywordSpan(s.Now(), s.Config.Location)
			p, err := ratings.List(ctx, q, f)
			if err != nil {
				return err
			}
			rs.From = f.From
			rs.Title, rs.empty = "评价留言（近12个月）", "近12个月没有含有该关键词的评价留言；要查更早的，请在评价记录中填写开始日期。"
			rs.Total, rs.TotalExact, rs.TotalEstimated = p.Total, p.TotalExact, p.TotalEstimated
			for _, r := range p.Items {
				rs.Items = append(rs.Items, hit{Kind: "rating", ID: r.ID.String(), UnitID: r.UnitID, UnitName: r.UnitName,
					At: r.RatedAt, Level: r.Level, Text: r.Comment, URL: s.ratingURL(r.ID.String(), r.RatedAt),
					meta: s.when(r.RatedAt) + " · " + r.LevelLabel})
			}
			return nil
		},
		func(q db.DBTX) error {
			list, n, err := feedback.ListCases(ctx, q, feedback.CaseFilter{UnitID: unit, Q: k, Limit: firstHits, SourceCount: true})
			if err != nil {
				return err
			}
			cs.Total, cs.TotalExact = n, true
			for _, c := range list {
				id := strconv.FormatInt(c.ID, 10)
				cs.Items = append(cs.Items, hit{Kind: "case", ID: id, UnitID: c.UnitID, UnitName: c.UnitName, At: c.CreatedAt,
					Status: c.StatusLabel(), Text: c.Problem, URL: "/console/cases/" + id, meta: "#" + id + " · " + c.StatusLabel()})
			}
			return nil
		},
		func(q db.DBTX) error {
			list, n, err := callbacks.ListCallbackCases(ctx, q, callbacks.ListFilter{UnitID: unit, State: callbacks.StateAll,
				Q: k, Today: s.Now().In(s.Config.Location).Format(time.DateOnly), Limit: firstHits})
			if err != nil {
				return err
			}
			cb.Total, cb.TotalExact = n, true
			for _, c := range list {
				id := strconv.FormatInt(c.ID, 10)
				cb.Items = append(cb.Items, hit{Kind: "callback", ID: id, UnitID: c.UnitID, UnitName: c.UnitName,
					Status: c.StatusLabel(), Text: c.Problem, URL: "/console/callbacks/" + id,
					meta: "#" + id + " · 回访 " + strconv.Itoa(c.Calls) + " 次"})
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
			sv.Total, sv.TotalExact = n, true
			for _, r := range list {
				day, _ := time.ParseInLocation(time.DateOnly, r.SubmittedOn, s.Config.Location)
				sv.Items = append(sv.Items, hit{Kind: "response", ID: r.ID.String(), UnitID: r.UnitID, UnitName: r.UnitName,
					At: day, Level: r.Level, Text: r.Opinion, URL: sv.Link,
					meta: r.SubmittedOn + " · " + r.SurveyTitle + " · " + ratings.LevelLabel(r.Level)})
			}
			return nil
		})
	}
	if err := db.Parallel(s.Pool, reads...); err != nil {
		return nil, err
	}
	out := []hitList{rs, cs, cb}
	if withResponses {
		out = append(out, sv)
	}
	return out, nil
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

func (s *Handlers) when(t time.Time) string {
	return t.In(s.Config.Location).Format("2006-01-02 15:04")
}

// ratingURL opens the rating feed on one rating; its day lets the feed
// read that day's partition only.
func (s *Handlers) ratingURL(id string, at time.Time) string {
	day := at.In(s.Config.Location).Format(time.DateOnly)
	return "/console/ratings?" + url.Values{"id": {id}, "from": {day}, "to": {day}}.Encode()
}
