package casesapp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/charts"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/figures"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

type publicCasesData struct {
	Title   string
	Units   []feedback.PublicUnit
	Figures publicFigures
	Chart   charts.Chart
}

// PublicCasesPage lists, without login, the units with released cases, with
// the 好差评 figures of all units and of each.
func (s *Handlers) PublicCasesPage(c *gin.Context) {
	d := publicCasesData{Title: "整改公开"}
	err := db.Parallel(s.Pool,
		func(q db.DBTX) (err error) { d.Units, err = feedback.ListPublicUnits(c, q); return err },
		func(q db.DBTX) (err error) { d.Figures.Year, d.Figures.Ready, err = figures.Load(c, q); return err })
	if err != nil {
		s.publicCasesError(c, err)
		return
	}
	d.Chart = releasedCasesChart(d.Units)
	s.Render(c, http.StatusOK, "public/cases.html", d)
}

// publicUpdate is one public entry of a case's progress.
type publicUpdate struct {
	Label string
	Body  string
	At    time.Time
}

// publicCase is what the public sees of a released case.
type publicCase struct {
	ID                        int64
	Source, Problem, Status   string
	StatusKey                 string
	SentOn, AnswerDue, FixDue string
	AnswerOverdue, FixOverdue bool
	Explanation, Measures     string
	Outcome                   string
	ClosedAt                  *time.Time
	Updates                   []publicUpdate

	// AnswerDueProvisional: the answer deadline is 暂定 (a year without a
	// working-day calendar, counted with weekends only).
	AnswerDueProvisional bool
}

type publicUnitCasesData struct {
	Title string
	Unit  units.Unit
	Cases []publicCase
	// Figures are the unit's 好差评 figures (Own) beside all units' (in
	// Figures.Year.Province), with Chart comparing them.
	Figures publicFigures
	Own     figures.Counts
	Chart   charts.Chart
}

// PublicUnitCasesPage shows, without login, a unit's released cases and their
// public progress.
func (s *Handlers) PublicUnitCasesPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "unit")
	var u units.Unit
	if err == nil {
		u, err = units.FindUnit(c, s.Pool, id)
	}
	var list []feedback.Case
	if err == nil {
		list, _, err = feedback.ListCases(c, s.Pool, feedback.CaseFilter{UnitID: &id, Released: true, Limit: 500, SourceCount: true})
	}
	if err == nil && len(list) == 0 {
		err = apperr.New(apperr.NotFound, "")
	}
	if err != nil {
		s.publicCasesError(c, err)
		return
	}
	today := s.Now().In(s.Config.Location)
	d := publicUnitCasesData{Title: u.Name + "整改公开", Unit: u}
	if d.Figures.Year, d.Own, d.Figures.Ready, err = figures.LoadUnit(c, s.Pool, u.ID); err != nil {
		s.publicCasesError(c, err)
		return
	}
	d.Chart = unitRatesChart(d.Own, d.Figures.Year.Province)
	for _, cs := range list {
		p := publicCase{ID: cs.ID, Source: cs.SourceLabel(), Problem: feedback.StripPhones(cs.Problem), Status: cs.StatusLabel(),
			StatusKey: cs.Status, SentOn: httpx.Deref(cs.SentOn), AnswerDue: httpx.Deref(cs.AnswerDue), FixDue: httpx.Deref(cs.FixDue),
			AnswerOverdue: cs.AnswerOverdue(today), FixOverdue: cs.FixOverdue(today), AnswerDueProvisional: cs.AnswerDueProvisional,
			Explanation: feedback.StripPhones(cs.Explanation), Measures: feedback.StripPhones(cs.Measures),
			Outcome: feedback.StripPhones(cs.Outcome), ClosedAt: cs.ClosedAt}
		ups, err := feedback.ListCaseUpdates(c, s.Pool, cs.ID, "progress", "done", "closed")
		if err != nil {
			s.publicCasesError(c, err)
			return
		}
		for _, up := range ups {
			p.Updates = append(p.Updates, publicUpdate{Label: up.KindLabel(), Body: feedback.StripPhones(up.Body), At: up.CreatedAt})
		}
		d.Cases = append(d.Cases, p)
	}
	s.Render(c, http.StatusOK, "public/cases_unit.html", d)
}

func (s *Handlers) publicCasesError(c *gin.Context, err error) {
	if apperr.Status(apperr.CodeOf(db.Err(err))) >= 500 {
		s.Log.Error("public cases failed", "path", c.FullPath(), "err", err)
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "页面暂时无法打开，请稍后再试。")
		return
	}
	s.ErrorPage(c, http.StatusNotFound, "页面不存在", "该单位尚无公开的整改案件。")
}
