package assessmentapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// assessPath is the office's assessment overview of a cycle.
func assessPath(cycleID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/assessment"
}

// assessUnitPath is one unit's assessment page.
func assessUnitPath(cycleID, unitID int64) string {
	return assessPath(cycleID) + "/units/" + strconv.FormatInt(unitID, 10)
}

// fnum shows a number without trailing zeros.
func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// assessCycle loads the :id cycle, showing the error page on failure.
func (s *Handlers) assessCycle(c *gin.Context) (cycles.Cycle, bool) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return cycles.Cycle{}, false
	}
	return cy, true
}

// assessRow is a unit's line on the overview.
type assessRow struct {
	assessment.UnitOverview
	Link                               string
	Bonus, BonusCounted                string
	DeductionsFiled, DeductionsCounted string
	Adjustments                        []string
}

// assessorBlock is one scheme's leaves in the assessor mapping form.
type assessorBlock struct {
	Name, Categories string
	// GroupID is the scheme group (0: the default scheme).
	GroupID  int64
	NoScheme bool
	Rows     []assessLeafRow
}

// assessLeafRow is a leaf in the assessor mapping form.
type assessLeafRow struct {
	assessment.Leaf
	UnitID int64
}

type assessPageData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	HasScheme bool
	Leaves    int
	Rows      []assessRow
	// Assessors are the leaves of each scheme of the cycle (one block per
	// scheme group, MultiScheme when there are several).
	Assessors   []assessorBlock
	MultiScheme bool
	Units       []units.Unit
	BonusCap    string
	DeductCap   string
	// Missing, Pending and Fails count every unit; Rows are a page of them
	// (List has the search, count and pager).
	Missing int
	Pending int
	Fails   int
	List    unitListView
	// AssessorAction is where the assessor mapping posts: with the unit
	// table's page and search, to come back to them.
	AssessorAction string
}

// AssessmentPage shows the office's assessment overview of a cycle: units'
// sums, a page of units at a time (?page=, ?q= searches their names) under
// totals over every unit, and the leaves' assessors.
func (s *Handlers) AssessmentPage(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	list, scope, err := assessment.Overview(c, s.Pool, cy.ID)
	var set assessment.SettingsVersion
	var us []units.Unit
	if err == nil {
		set, err = assessment.LoadSettings(c, s.Pool, cy.ID)
	}
	if err == nil {
		us, err = units.ListUnits(c, s.Pool, nil)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := assessPageData{BasePage: s.Base(c, cy.Name+" 评分与加减分", "cycles"), Cycle: cy,
		Units: us, BonusCap: fnum(set.Settings.BonusCap), DeductCap: fnum(set.Settings.DeductionCap),
		HasScheme: scope.HasScheme(), MultiScheme: len(scope.Chains) > 1}
	office := assessment.Scorer{Office: true}
	if len(scope.Chains) > 0 {
		d.Leaves = len(scope.Chains[0].Leaves(office))
	}
	for _, ch := range scope.Chains {
		b := assessorBlock{Name: ch.Name, Categories: ch.CategoriesText(), GroupID: ch.GroupID, NoScheme: ch.Scheme == nil}
		for _, l := range ch.Leaves(office) {
			r := assessLeafRow{Leaf: l}
			if l.AssessorUnitID != nil {
				r.UnitID = *l.AssessorUnitID
			}
			b.Rows = append(b.Rows, r)
		}
		d.Assessors = append(d.Assessors, b)
	}
	for _, o := range list {
		d.Missing += o.Missing
		d.Pending += o.PendingClaims
		if o.SetsFail {
			d.Fails++
		}
	}
	p := pageUnits(len(list), func(i int) string { return list[i].UnitName }, func(i int) int64 { return list[i].UnitID },
		readUnitListQuery(c), 0, assessPath(cy.ID))
	d.List, d.AssessorAction = p.View, p.Query.link(assessPath(cy.ID)+"/assessors")
	for _, i := range p.Shown {
		o := list[i]
		d.Rows = append(d.Rows, assessRow{UnitOverview: o, Link: assessUnitPath(cy.ID, o.UnitID),
			Bonus: fnum(o.BonusApproved), BonusCounted: fnum(o.BonusCounted),
			DeductionsFiled: fnum(o.DeductionsFiled), DeductionsCounted: fnum(o.DeductionsCounted),
			Adjustments: o.AdjustmentReasons})
	}
	s.Render(c, http.StatusOK, "console/assess.html", d)
}

// AssessorSubmit maps one leaf's assessor to a unit (or none).
func (s *Handlers) AssessorSubmit(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	var unit *int64
	if raw := c.PostForm("unit_id"); raw != "" && raw != "0" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			s.ConsoleError(c, apperr.InvalidField("unit_id", "请选择已登记的单位"))
			return
		}
		unit = &id
	}
	var group *int64
	if raw := c.PostForm("group_id"); raw != "" && raw != "0" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			s.ConsoleError(c, apperr.InvalidField("group_id", "方案分组不存在"))
			return
		}
		group = &id
	}
	changed := false
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, changed, err = assessment.SetLeafAssessor(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, group, c.PostForm("leaf_key"), unit)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "assessor_unchanged"
	if changed {
		flash = "assessor_saved"
	}
	httpx.Redirect(c, readUnitListQuery(c).link(assessPath(cy.ID))+"#assessors", flash)
}
