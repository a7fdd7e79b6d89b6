package assessorsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/selfeval"
)

// assessorPath is the assessor's page of a cycle.
func assessorPath(cycleID int64) string { return cyclePath(cycleID) + "/assessor" }

type assessorPageData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	Leaves    []assessment.Leaf
	Search    string
	Units     []assessors.AssessedUnit
	Pager     httpx.Pager
	Proposals []assessors.Proposal
	PPager    httpx.Pager
	Cases     []feedback.Case
	CPager    httpx.Pager
	Today     string
}

// AssessorPage is an assessor unit's page of a cycle: the units it
// assesses (searchable, paged), its deduction proposals with their
// outcome and the cases it opened with their progress.
func (s *Handlers) AssessorPage(c *gin.Context) {
	me, err := assessorUnit(c)
	var cy cycles.Cycle
	if err == nil {
		cy, err = s.cycleOf(c)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := assessorPageData{BasePage: s.Base(c, cy.Name+" 考评工作", "cycles"), Cycle: cy, Search: c.Query("q"),
		Today: s.Now().In(s.Config.Location).Format("2006-01-02")}
	page, offset := pageOffset(c)
	var total int
	d.Units, total, err = assessors.ListAssessedUnits(c, s.Pool, cy.ID, me, assessors.UnitPage{Search: d.Search, Limit: pageSize, Offset: offset})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	link := func(param string) func(int) string {
		return func(n int) string {
			v := url.Values{}
			for k, vs := range c.Request.URL.Query() {
				v[k] = vs
			}
			v.Set(param, strconv.Itoa(n))
			return assessorPath(cy.ID) + "?" + v.Encode()
		}
	}
	d.Pager = httpx.NewPager(page, pageSize, total, link("page"))
	const small = 20
	pp := httpx.PageNumber(c.Query("ppage"))
	d.Proposals, total, err = assessors.ListProposals(c, s.Pool, assessors.ProposalFilter{CycleID: cy.ID, ProposerID: &me,
		Limit: small, Offset: (pp - 1) * small})
	if err == nil {
		d.PPager = httpx.NewPager(pp, small, total, link("ppage"))
		cp := httpx.PageNumber(c.Query("cpage"))
		d.Cases, total, err = assessors.ListCases(c, s.Pool, me, s.Now().In(s.Config.Location), small, (cp-1)*small)
		d.CPager = httpx.NewPager(cp, small, total, link("cpage"))
	}
	if err == nil {
		d.Leaves, err = assessors.LeavesOf(c, s.Pool, cy.ID, me)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, http.StatusOK, "console/assessor.html", d)
}

type assessedPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	View    assessors.UnitView
	Reasons []assessment.DeductionReason
	Form    map[string]string
	Errors  map[string]string
	// Open is the form the errors belong to: "proposal" or "case".
	Open string
	// SelfEval are the cycle's self-evaluation periods with the unit's
	// report status in each (links to the reports).
	SelfEval []selfeval.UnitPeriod
}

// AssessedUnitPage shows, read-only, the targets, progress reports and
// self-evaluations of a unit the assessor assesses (those of its leaves),
// with the forms to propose a deduction and to open a case. A unit it
// does not assess gets the 403 page.
func (s *Handlers) AssessedUnitPage(c *gin.Context) {
	s.showAssessed(c, http.StatusOK, "", nil, nil)
}

// assessedOfPath reads the signed-in assessor unit, the path's cycle and
// the assessed unit of the path.
func (s *Handlers) assessedOfPath(c *gin.Context) (me int64, cy cycles.Cycle, unitID int64, err error) {
	if me, err = assessorUnit(c); err != nil {
		return
	}
	if cy, err = s.cycleOf(c); err != nil {
		return
	}
	unitID, err = unitParam(c)
	return
}

func (s *Handlers) showAssessed(c *gin.Context, status int, open string, form, errs map[string]string) {
	me, cy, unitID, err := s.assessedOfPath(c)
	d := assessedPageData{Cycle: cy, Open: open, Form: form, Errors: errs}
	if err == nil {
		d.View, err = assessors.LoadUnitView(c, s.Pool, cy.ID, me, unitID)
	}
	var set assessment.SettingsVersion
	if err == nil {
		set, err = assessment.LoadSettings(c, s.Pool, cy.ID)
	}
	if err == nil {
		d.SelfEval, err = selfeval.ListUnitPeriods(c, s.Pool, cy.ID, unitID, s.Today().Format("2006-01-02"))
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.BasePage, d.Reasons = s.Base(c, d.View.UnitName+" · 考评查看", "cycles"), set.Settings.DeductionReasons
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	s.Render(c, status, "console/assessor_unit.html", d)
}

// refused shows the unit page again with the errors of an invalid form;
// any other error gets the error page.
func (s *Handlers) refused(c *gin.Context, err error, open string, form map[string]string) {
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showAssessed(c, http.StatusUnprocessableEntity, open, form, errs)
		return
	}
	s.ConsoleError(c, err)
}

// ProposalSubmit records the assessor's deduction proposal with its
// optional evidence file.
func (s *Handlers) ProposalSubmit(c *gin.Context) {
	me, cy, unitID, err := s.assessedOfPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := map[string]string{"reason_key": c.PostForm("reason_key"), "description": c.PostForm("description")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		ev, err := evidenceform.Save(c, tx, "file", &me)
		if err != nil {
			return err
		}
		_, err = assessors.Propose(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, me, assessors.ProposalInput{UnitID: unitID,
			ReasonKey: form["reason_key"], Description: form["description"], EvidenceIDs: ev}, s.Now())
		return err
	})
	if err != nil {
		s.refused(c, err, "proposal", form)
		return
	}
	httpx.Redirect(c, assessorPath(cy.ID)+"#proposals", "proposal_sent")
}

// AssessorCaseSubmit opens a rectification case on a problem the
// assessor found in the unit.
func (s *Handlers) AssessorCaseSubmit(c *gin.Context) {
	me, cy, unitID, err := s.assessedOfPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := map[string]string{"problem": c.PostForm("problem")}
	var cs feedback.Case
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		cs, err = assessors.OpenCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), cy.ID, me,
			feedback.AssessorCaseInput{UnitID: unitID, Problem: form["problem"]}, s.Now())
		return err
	})
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.refused(c, err, "case", form)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/cases/"+cs.IDString(), "assessor_case_open")
}

// AssessorEvidenceDownload sends an evidence file the assessed unit
// attached to an indicator within the assessor's scope (403 page
// otherwise, assessors.CheckEvidence).
func (s *Handlers) AssessorEvidenceDownload(c *gin.Context) {
	f, data, err := s.assessorEvidence(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	evidenceform.Send(c, f, data)
}

// APIAssessorEvidence is AssessorEvidenceDownload for the API (403 JSON).
func (s *Handlers) APIAssessorEvidence(c *gin.Context) {
	f, data, err := s.assessorEvidence(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	evidenceform.Send(c, f, data)
}

// assessorEvidence checks the signed-in assessor may download the
// :evidence_id file of the :unit_id unit in the :id cycle, and loads it.
func (s *Handlers) assessorEvidence(c *gin.Context) (assessment.EvidenceFile, []byte, error) {
	me, err := assessorUnit(c)
	var cycleID, unitID int64
	if err == nil {
		cycleID, err = httpx.IDParam(c, "id")
	}
	if err == nil {
		unitID, err = unitParam(c)
	}
	if err == nil {
		err = assessors.CheckEvidence(c, s.Pool, cycleID, me, unitID, c.Param("evidence_id"))
	}
	if err != nil {
		return assessment.EvidenceFile{}, nil, err
	}
	return assessment.LoadEvidence(c, s.Pool, c.Param("evidence_id"))
}
