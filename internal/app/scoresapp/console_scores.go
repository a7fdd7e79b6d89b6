package scoresapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/charts"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/scores"
)

// dash stands for a value that does not exist.
const dash = "—"

// versionOption is one entry of the version selector.
type versionOption struct {
	Version  int
	Label    string
	Selected bool
}

// versionOptions lists the cycle's configuration versions, newest first.
func (s *Handlers) versionOptions(c *gin.Context, m scores.Meta) ([]versionOption, error) {
	list, _, err := cycles.ListConfigVersions(c, s.Pool, m.Cycle.ID, cycles.Page{Limit: 500})
	if err != nil {
		return nil, err
	}
	out := make([]versionOption, len(list))
	for i, v := range list {
		label := "第" + strconv.Itoa(v.Version) + "版"
		if v.Version == m.NewestVersion {
			label += "（最新）"
		}
		if v.Note != "" {
			label += " · " + v.Note
		}
		out[i] = versionOption{Version: v.Version, Label: label, Selected: v.Version == m.Version}
	}
	return out, nil
}

// scoreText formats a rounded score, or a dash for none.
func scoreText(v *float64) string {
	if v == nil {
		return dash
	}
	return scores.Points(*v)
}

// meanText formats a part's mean, or a dash when it has no count.
func meanText(mean float64, count int) string {
	if count <= 0 {
		return dash
	}
	return scores.Points(mean)
}

type scoreRow struct {
	Rank        string
	Unit        scores.Unit
	Score       string
	Daily       string
	DailyCount  int
	Annual      string
	AnnualCount int
	Flags       []scores.FlagNote
	Hidden      bool
	Reason      string
	Link        string // the explanation, when the viewer may open it
	Own         bool
}

type categoryView struct {
	Name   string
	Rows   []scoreRow
	Ranked int
	// Chart is the category's ranking, split into the daily and the
	// annual part.
	Chart charts.Chart
}

type scoresPageData struct {
	httpx.BasePage
	Meta       scores.Meta
	Versions   []versionOption
	Categories []categoryView
	CycleLink  string
	ExportLink string
	FormAction string
	Rule       string
	OwnUnit    bool // a unit-role viewer
}

// ScoresPage shows the ranking tables of a cycle.
func (s *Handlers) ScoresPage(c *gin.Context) {
	rep, err := s.viewerReport(c)
	var versions []versionOption
	if err == nil {
		versions, err = s.versionOptions(c, rep.Meta)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	id := rep.Cycle.ID
	d := scoresPageData{BasePage: s.Base(c, rep.Cycle.Name+" 公众评价得分", "cycles"), Meta: rep.Meta, Versions: versions,
		CycleLink: cyclePath(id), ExportLink: scoresPath(id) + ".xlsx" + versionSuffix(rep.Meta),
		FormAction: scoresPath(id),
		Rule: "公众评价得分 = 日常评价 × " + scores.Percent(rep.Config.Score.DailyWeight) + " + 年度评价 × " +
			scores.Percent(rep.Config.Score.AnnualWeight) + "；同一类别内按得分从高到低排名，得分（保留两位小数）相同者名次并列，无法计分的单位不参与排名。"}
	d.OwnUnit = !d.Office
	for i, cat := range rep.Categories {
		cv := categoryView{Name: cat.Name, Ranked: cat.Ranked, Chart: rankingChart(i, cat)}
		for _, l := range cat.Units {
			row := scoreRow{Rank: dash, Unit: l.Unit, Score: scoreText(l.Score), Daily: dash, Annual: dash, Flags: l.Flags,
				Hidden: l.DetailHidden, Reason: l.UnrankedReason, Own: u.UnitID != nil && *u.UnitID == l.Unit.ID}
			if l.Rank != nil {
				row.Rank = strconv.Itoa(*l.Rank)
			}
			if r := l.Result; r != nil {
				row.Daily, row.DailyCount = meanText(r.Daily.Mean, r.Daily.Count), r.Daily.Count
				row.AnnualCount = r.Annual.Count
				if r.Annual.Counted {
					row.Annual = scores.Points(r.Annual.Mean)
				}
			}
			if u.CanSeeUnit(l.Unit.ID) {
				row.Link = scoresPath(id) + "/" + strconv.FormatInt(l.Unit.ID, 10) + versionSuffix(rep.Meta)
			}
			cv.Rows = append(cv.Rows, row)
		}
		d.Categories = append(d.Categories, cv)
	}
	s.Render(c, http.StatusOK, "console/scores.html", d)
}

// barView is one level's count in a histogram, with its bar's width.
type barView struct {
	Level  int
	Label  string
	Points string
	Count  int64
	Width  int // percent of the largest count
}

// histogram turns counts per level into bars.
func histogram(levels []scores.LevelCount) []barView {
	var most int64
	for _, l := range levels {
		most = max(most, l.Count)
	}
	out := make([]barView, len(levels))
	for i, l := range levels {
		out[i] = barView{Level: l.Level, Label: l.Label, Points: strconv.FormatFloat(l.Points, 'f', -1, 64), Count: l.Count}
		if most > 0 {
			out[i].Width = int(l.Count * 100 / most)
		}
	}
	return out
}

type groupRowView struct {
	Key, Name       string
	Count           int
	MinSample       int
	Mean            string
	Weight          string
	EffectiveWeight string
	Contribution    string
	Counted         bool
	Flags           []scores.FlagNote
	Levels          []barView
	Responses       string
}

type scorePageData struct {
	httpx.BasePage
	E                 scores.Explanation
	Links             explanationLinks
	Versions          []versionOption
	FormAction        string
	BackLink          string
	CycleLink         string
	Score             string
	Rank              string
	DailyMean         string
	DailyWeight       string
	DailyEffective    string
	DailyContribution string
	DailyLevels       []barView
	AnnualMean        string
	AnnualWeight      string
	AnnualEffective   string
	AnnualContrib     string
	Groups            []groupRowView
}

// UnitScorePage explains one unit's score.
func (s *Handlers) UnitScorePage(c *gin.Context) {
	e, err := s.viewerExplanation(c)
	var versions []versionOption
	if err == nil {
		versions, err = s.versionOptions(c, e.Meta)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	links := scoreLinks(e)
	id := e.Cycle.ID
	d := scorePageData{BasePage: s.Base(c, e.Unit.Name+" 公众评价得分", "cycles"), E: e, Links: links, Versions: versions,
		FormAction: scoresPath(id) + "/" + strconv.FormatInt(e.Unit.ID, 10),
		BackLink:   scoresPath(id) + versionSuffix(e.Meta), CycleLink: cyclePath(id),
		Score: scoreText(e.Score), Rank: dash,
		DailyMean: meanText(e.Daily.Mean, e.Daily.Count), DailyWeight: scores.Percent(e.Daily.Weight),
		DailyEffective: scores.Percent(e.Daily.EffectiveWeight), DailyContribution: scores.Points(e.Daily.Contribution),
		DailyLevels: histogram(e.Daily.Levels),
		AnnualMean:  meanText(e.Annual.Mean, e.Annual.Count), AnnualWeight: scores.Percent(e.Annual.Weight),
		AnnualEffective: scores.Percent(e.Annual.EffectiveWeight), AnnualContrib: scores.Points(e.Annual.Contribution)}
	if !e.Annual.Counted {
		d.AnnualMean = dash
	}
	if e.Rank != nil {
		d.Rank = strconv.Itoa(*e.Rank)
	}
	for _, g := range e.Annual.Groups {
		gv := groupRowView{Key: g.Key, Name: g.Name, Count: g.Count, MinSample: g.MinSample, Mean: meanText(g.Mean, g.Count),
			Weight: scores.Percent(g.Weight), EffectiveWeight: scores.Percent(g.EffectiveWeight),
			Contribution: scores.Points(g.Contribution), Counted: g.Counted, Flags: g.Flags, Levels: histogram(g.Levels),
			Responses: links.GroupResponses[g.Key].Console}
		d.Groups = append(d.Groups, gv)
	}
	s.Render(c, http.StatusOK, "console/score_unit.html", d)
}
