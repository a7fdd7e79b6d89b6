package surveysapp

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/surveys"
	"minyi/internal/units"
	"minyi/internal/users"
)

// responsesPageSize is how many responses the list shows a page.
const responsesPageSize = 50

type responsesQuery struct {
	CycleID, SurveyID, UnitID, Group, Source, Level, Q string
}

func (q responsesQuery) values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"cycle_id": q.CycleID, "survey_id": q.SurveyID, "unit_id": q.UnitID,
		"group": q.Group, "source": q.Source, "level": q.Level, "q": q.Q} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

type aspectView struct{ Text, Label string }

type responseRow struct {
	surveys.Response
	GroupName   string
	SourceLabel string
	LevelLabel  string
	Aspects     []aspectView
}

type levelCount struct {
	Level   int
	Label   string
	Count   int64
	Percent string
}

type responsesPageData struct {
	httpx.BasePage
	Q              responsesQuery
	Cycles         []cycles.Cycle
	Surveys        []surveys.Summary
	Units          []units.Unit
	Groups         []option
	Levels         []ratings.LevelName
	Counts         []levelCount
	Total          int64
	Rows           []responseRow
	Pager          httpx.Pager
	FilterErrs     []string
	ShowRespondent bool
	Export         httpx.ExportLinks
}

// responseFieldNames turns the filter's field errors into Chinese.
var responseFieldNames = map[string]string{
	"cycle_id":  "所选考核年度无效。",
	"survey_id": "所选问卷无效。",
	"unit_id":   "所选单位无效。",
	"source":    "答卷来源无效。",
	"level":     "评价等级无效。",
	"q":         "搜索词无效：最多50个字、5个词，不能含有无法识别的字符。",
}

// ResponsesPage lists submitted survey responses with the filters the
// score explanation links with; a unit's staff see only their unit and
// never who answered.
func (s *Handlers) ResponsesPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	active := "cycles"
	if u.Role == users.RoleOffice {
		active = "surveys"
	}
	d := responsesPageData{BasePage: s.Base(c, "问卷答卷", active), Levels: ratings.LevelNames(), ShowRespondent: u.Role == users.RoleOffice,
		Q: responsesQuery{CycleID: c.Query("cycle_id"), SurveyID: c.Query("survey_id"), UnitID: c.Query("unit_id"),
			Group: c.Query("group"), Source: c.Query("source"), Level: c.Query("level"), Q: strings.TrimSpace(c.Query("q"))}}
	status := http.StatusOK
	f, err := responseFilter(c)
	switch {
	case apperr.Is(err, apperr.Forbidden):
		s.ConsoleError(c, err)
		return
	case err != nil:
		for field := range apperr.From(err).Fields {
			if msg := responseFieldNames[field]; msg != "" {
				d.FilterErrs = append(d.FilterErrs, msg)
			}
		}
		sort.Strings(d.FilterErrs)
		if len(d.FilterErrs) == 0 {
			d.FilterErrs = []string{"筛选条件有误，请检查后重试。"}
		}
		status = http.StatusUnprocessableEntity
	}
	var err2 error
	if d.Cycles, _, err2 = cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 500}); err2 == nil {
		d.Surveys, _, err2 = surveys.ListSurveys(c, s.Pool, surveys.Filter{Limit: 500})
	}
	if err2 == nil && u.Role == users.RoleOffice {
		d.Units, err2 = units.ListUnits(c, s.Pool, nil)
	}
	if err2 != nil {
		s.ConsoleError(c, err2)
		return
	}
	if u.Role != users.RoleOffice {
		d.Q.UnitID = ""
	}
	groupNames := map[string]string{}
	for _, cy := range d.Cycles {
		for _, g := range cy.Config.Score.Groups {
			if _, ok := groupNames[g.Key]; !ok {
				groupNames[g.Key] = g.Name
				d.Groups = append(d.Groups, option{g.Key, g.Name})
			}
		}
	}
	if len(d.FilterErrs) == 0 {
		page := httpx.PageParam(c)
		f.Limit, f.Offset = responsesPageSize, (page-1)*responsesPageSize
		list, total, err := surveys.ListResponses(c, s.Pool, f)
		var counts ratings.LevelCounts
		if err == nil {
			counts, err = surveys.ResponseLevels(c, s.Pool, f)
		}
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		forUnit(u, list)
		d.Rows = s.responseRows(list, d.Surveys, groupNames)
		d.Total = counts.Total()
		for l := 5; l >= 1; l-- {
			lc := levelCount{Level: l, Label: ratings.LevelLabel(l), Count: counts[l-1], Percent: "—"}
			if d.Total > 0 {
				lc.Percent = strconv.FormatFloat(float64(lc.Count)*100/float64(d.Total), 'f', 1, 64) + "%"
			}
			d.Counts = append(d.Counts, lc)
		}
		d.Export = httpx.NewExportLinks("/console/responses", d.Q.values())
		d.Pager = httpx.NewPager(page, responsesPageSize, total, func(n int) string {
			v := d.Q.values()
			if n > 1 {
				v.Set("page", strconv.Itoa(n))
			}
			return "/console/responses?" + v.Encode()
		})
	}
	s.Render(c, status, "console/responses.html", d)
}

// responseRows names each response's group, source, level and aspects,
// the aspects in the survey's order.
func (s *Handlers) responseRows(list []surveys.Response, known []surveys.Summary, groupNames map[string]string) []responseRow {
	aspects := map[int64][]surveys.Question{}
	for _, sv := range known {
		aspects[sv.ID] = sv.Aspects()
	}
	out := make([]responseRow, len(list))
	for i, r := range list {
		row := responseRow{Response: r, GroupName: groupNames[r.GroupKey], SourceLabel: surveys.SourceLabel(r.Source),
			LevelLabel: ratings.LevelLabel(r.Level)}
		if row.GroupName == "" {
			row.GroupName = r.GroupKey
		}
		row.Aspects = aspectViews(aspects[r.SurveyID], r.Aspects)
		out[i] = row
	}
	return out
}

// aspectViews names a response's aspects (got), in its survey's order (qs),
// then any the survey no longer lists by key.
func aspectViews(qs []surveys.Question, got map[string]int) []aspectView {
	var out []aspectView
	shown := map[string]bool{}
	for _, q := range qs {
		if l, ok := got[q.Key]; ok {
			out = append(out, aspectView{Text: q.Text, Label: ratings.LevelLabel(l)})
			shown[q.Key] = true
		}
	}
	var rest []string
	for k := range got {
		if !shown[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		out = append(out, aspectView{Text: k, Label: ratings.LevelLabel(got[k])})
	}
	return out
}
