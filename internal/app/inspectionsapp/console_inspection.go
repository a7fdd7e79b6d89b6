package inspectionsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
	"minyi/internal/secure"
)

type inspectionPageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Inspection inspections.Inspection
	Severities []struct{ Key, Label string }
	Reasons    []assessment.DeductionReason
	Form       map[string]string
	Errors     map[string]string
	// ActionError is a refused action on the finding ActionFinding.
	ActionError   string
	ActionFinding int64
	ClientKey     string
	// OwnUnit is a unit user's unit (0 for the office and leaders);
	// Assessing is true when the user reads units it assesses besides.
	OwnUnit   int64
	Assessing bool
}

// InspectionPage shows an inspection with its units, indicators, findings
// and files: to the office with the forms to add findings and files, the
// two actions on each finding and the files' sharing and removal, to a
// leader read-only, to a unit read-only and only when its unit was
// inspected (its own findings, the files shared with it).
func (s *Handlers) InspectionPage(c *gin.Context) {
	s.showInspection(c, http.StatusOK, nil, nil)
}

func (s *Handlers) showInspection(c *gin.Context, status int, form, errs map[string]string) {
	id, err := httpx.IDParam(c, "id")
	var i inspections.Inspection
	if err == nil {
		i, err = inspections.Find(c, s.Pool, id, viewer(c))
	}
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, i.CycleID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := inspectionPageData{BasePage: s.Base(c, i.Title+" · 检查记录", "cycles"), Cycle: cy, Inspection: i,
		Severities: inspections.Severities, Form: form, Errors: errs, ClientKey: secure.Token(12)}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	if v := viewer(c); v.UnitID != nil {
		d.OwnUnit = *v.UnitID
		for _, u := range i.Units {
			d.Assessing = d.Assessing || u.ID != d.OwnUnit
		}
	}
	if d.Office {
		var set assessment.SettingsVersion
		set, err = assessment.LoadSettings(c, s.Pool, i.CycleID)
		d.Reasons = set.Settings.DeductionReasons
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	if f, err := strconv.ParseInt(d.Form["finding"], 10, 64); err == nil {
		d.ActionFinding, d.ActionError = f, d.Errors["_"]
		delete(d.Errors, "_")
	}
	s.Render(c, status, "console/inspection.html", d)
}

// AddFindingSubmit adds a finding from the form; bad input shows the page
// again with the messages beside the fields.
func (s *Handlers) AddFindingSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	unit, _ := strconv.ParseInt(c.PostForm("unit_id"), 10, 64)
	in := inspections.FindingInput{UnitID: unit, SchemeItem: c.PostForm("scheme_item"), Severity: c.PostForm("severity"),
		Body: c.PostForm("body"), ClientKey: c.PostForm("client_key")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, _, err := inspections.AddFinding(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		if errs, ok := formErrors(err); ok {
			form := httpx.PostedForm(c, "finding", "unit_id", "scheme_item", "severity", "body")
			s.showInspection(c, http.StatusUnprocessableEntity, form, errs)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, inspectionPath(id)+"#findings", "finding_added")
}

// FindingCaseSubmit turns the :id finding into a rectification case; a
// finding already a case keeps it (the flash says so).
func (s *Handlers) FindingCaseSubmit(c *gin.Context) {
	s.findingAction(c, func(tx pgx.Tx, id int64) (bool, error) {
		_, created, err := inspections.ToCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), id, s.Now())
		return created, err
	}, "finding_case")
}

// FindingProposalSubmit turns the :id finding into a deduction proposal
// with the chosen reason.
func (s *Handlers) FindingProposalSubmit(c *gin.Context) {
	s.findingAction(c, func(tx pgx.Tx, id int64) (bool, error) {
		_, created, err := inspections.ToProposal(c, tx, httpx.CurrentUser(c).Actor(), id, c.PostForm("reason_key"), s.Now())
		return created, err
	}, "finding_prop")
}

// findingAction runs one action on the :id finding and returns to its
// inspection; a refusal shows the page with the message beside the
// finding.
func (s *Handlers) findingAction(c *gin.Context, run func(tx pgx.Tx, id int64) (bool, error), flash string) {
	id, err := httpx.IDParam(c, "id")
	var f inspections.Finding
	if err == nil {
		f, err = inspections.FindFinding(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var created bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		created, err = run(tx, id)
		return err
	})
	if err != nil {
		if errs, ok := formErrors(err); ok {
			msg := errs["_"]
			for _, m := range errs {
				if msg == "" {
					msg = m
				}
			}
			setParam(c, "id", itoa(f.InspectionID))
			s.showInspection(c, http.StatusUnprocessableEntity, map[string]string{"finding": itoa(id)}, map[string]string{"_": msg})
			return
		}
		s.ConsoleError(c, err)
		return
	}
	if !created {
		flash += "_exists"
	}
	httpx.Redirect(c, inspectionPath(f.InspectionID)+"#f"+itoa(id), flash)
}

// setParam replaces a path parameter, so the inspection's page can be
// shown again from a finding's route.
func setParam(c *gin.Context, key, value string) {
	for i := range c.Params {
		if c.Params[i].Key == key {
			c.Params[i].Value = value
			return
		}
	}
}
