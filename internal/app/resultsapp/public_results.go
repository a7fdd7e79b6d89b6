package resultsapp

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/charts"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
)

type publicResultLine struct {
	Rank       int
	Name       string
	GradeLabel string
	Composite  string
	// RankAdjusted marks a place the office adjusted (位次调整).
	RankAdjusted bool
}

type publicResultCategory struct {
	Name  string
	Lines []publicResultLine
	// Chart shows the composites when they are published.
	Chart *charts.Chart
}

type publicResultsData struct {
	Title         string
	Cycle         cycles.Cycle
	PublishedAt   time.Time
	ShowComposite bool
	Categories    []publicResultCategory
	// Snapshot is the hash of the publication's snapshot (hex), which
	// `minyi results verify` recomputes; "" for results published before
	// snapshots existed.
	Snapshot string
	// RankAdjusted: a place on the page was adjusted (the note shows).
	RankAdjusted bool
	// GradesChart counts the grades per category.
	GradesChart charts.Chart
}

// PublicResultsPage shows the final results in force of a cycle, without
// login: per category each unit's name, grade and (when the office chose
// so at publication) composite score. A cycle whose results are notified
// internally (内部通报) shows a notice saying so, with 404.
func (s *Handlers) PublicResultsPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "cycle_id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	var st results.Status
	if err == nil {
		st, err = results.LoadStatus(c, s.Pool, id)
	}
	if err == nil && !st.IsFinal() {
		err = apperr.New(apperr.NotFound, "not final")
	}
	if err == nil {
		var rel cycles.Release
		if rel, err = cycles.LoadRelease(c, s.Pool, id); err == nil && !rel.ResultsPublic {
			// 内部通报 (001 § 22): notified to units and leaders only.
			s.ErrorPage(c, http.StatusNotFound, "结果不对外公开", "该考核年度的考核结果为内部通报，不向社会公开。")
			return
		}
	}
	var cats []results.Category
	if err == nil {
		cats, err = results.Published(c, s.Pool, st.Final.ID, nil)
	}
	if err != nil {
		if apperr.Status(apperr.CodeOf(db.Err(err))) >= 500 {
			s.Log.Error("public results failed", "path", c.FullPath(), "err", err)
			s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "页面暂时无法打开，请稍后再试。")
			return
		}
		s.ErrorPage(c, http.StatusNotFound, "页面不存在", "该考核年度的最终结果尚未公布。")
		return
	}
	d := publicResultsData{Title: cy.Name + "绩效考核结果", Cycle: cy, PublishedAt: st.Final.PublishedAt, ShowComposite: st.Final.ShowComposite}
	if h := st.Final.SnapshotSHA256; h != nil {
		d.Snapshot = *h
	}
	ordered := orderCategories(cats, s.categoryOrder(c, s.Pool, id))
	d.GradesChart = gradesChart(ordered)
	for i, cat := range ordered {
		pc := publicResultCategory{Name: cat.Name}
		if d.ShowComposite {
			ch := publicScoreChart(i, cat)
			pc.Chart = &ch
		}
		for _, l := range cat.Lines {
			pc.Lines = append(pc.Lines, publicResultLine{Rank: *l.Rank, Name: l.Unit.Name, GradeLabel: l.GradeLabel,
				Composite: results.FormatPoints(*l.Composite, 2), RankAdjusted: l.RankAdjusted})
			d.RankAdjusted = d.RankAdjusted || l.RankAdjusted
		}
		d.Categories = append(d.Categories, pc)
	}
	s.Render(c, http.StatusOK, "public/results.html", d)
}

// categoryOrder is the cycle's categories in order, the server's
// UNIT_CATEGORIES while the cycle has none set.
func (s *Handlers) categoryOrder(ctx context.Context, q db.DBTX, cycleID int64) []string {
	list, err := cycles.Categories(ctx, q, cycleID, s.Config.UnitCategories)
	if err != nil {
		return s.Config.UnitCategories
	}
	return list
}

// orderCategories puts categories in the configured order, the others
// after by name (as stored).
func orderCategories(cats []results.Category, order []string) []results.Category {
	out := make([]results.Category, 0, len(cats))
	used := map[string]bool{}
	for _, name := range order {
		for _, c := range cats {
			if c.Name == name && !used[name] {
				out = append(out, c)
				used[name] = true
			}
		}
	}
	for _, c := range cats {
		if !used[c.Name] {
			out = append(out, c)
		}
	}
	return out
}
