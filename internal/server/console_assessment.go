package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/schemes"
	"minyi/internal/secure"
	"minyi/internal/units"
	"minyi/internal/users"
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
func (s *Server) assessCycle(c *gin.Context) (cycles.Cycle, bool) {
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
	LeafRows  []assessLeafRow
	Units     []units.Unit
	BonusCap  string
	DeductCap string
	Missing   int
	Pending   int
	Fails     int
}

func (s *Server) assessmentPage(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	list, leaves, err := assessment.Overview(c, s.Pool, cy.ID)
	var set assessment.SettingsVersion
	var us []units.Unit
	if err == nil {
		set, err = assessment.LoadSettings(c, s.Pool, cy.ID)
	}
	if err == nil {
		us, err = units.ListUnits(c, s.Pool, nil)
	}
	d := assessPageData{BasePage: s.Base(c, cy.Name+" 评分与加减分", "cycles"), Cycle: cy, Leaves: leaves,
		Units: us, BonusCap: fnum(set.Settings.BonusCap), DeductCap: fnum(set.Settings.DeductionCap)}
	if err == nil {
		var v schemes.Version
		v, err = schemes.Find(c, s.Pool, cy.ID, 0)
		if err == nil {
			d.HasScheme = true
			for _, l := range assessment.ManualLeaves(v.Tree) {
				r := assessLeafRow{Leaf: l}
				if l.AssessorUnitID != nil {
					r.UnitID = *l.AssessorUnitID
				}
				d.LeafRows = append(d.LeafRows, r)
			}
		} else if apperr.Is(err, apperr.NotFound) {
			err = nil
		}
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, o := range list {
		r := assessRow{UnitOverview: o, Link: assessUnitPath(cy.ID, o.UnitID),
			Bonus: fnum(o.BonusApproved), BonusCounted: fnum(o.BonusCounted),
			DeductionsFiled: fnum(o.DeductionsFiled), DeductionsCounted: fnum(o.DeductionsCounted),
			Adjustments: o.AdjustmentReasons}
		d.Missing += o.Missing
		d.Pending += o.PendingClaims
		if o.SetsFail {
			d.Fails++
		}
		d.Rows = append(d.Rows, r)
	}
	s.Render(c, http.StatusOK, "console/assess.html", d)
}

// assessorSubmit maps one leaf's assessor to a unit (or none).
func (s *Server) assessorSubmit(c *gin.Context) {
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
	changed := false
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, changed, err = assessment.SetLeafAssessor(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, c.PostForm("leaf_key"), unit)
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
	httpx.Redirect(c, assessPath(cy.ID)+"#assessors", flash)
}

// evidenceLink is an evidence file as the pages list it.
type evidenceLink struct {
	assessment.EvidenceFile
	Link, SizeText string
}

// evidenceLinks describes the files of ids that the user may read.
func (s *Server) evidenceLinks(c *gin.Context, ids []string) ([]evidenceLink, error) {
	files, err := assessment.EvidenceInfo(c, s.Pool, ids)
	if err != nil {
		return nil, err
	}
	u := httpx.CurrentUser(c)
	var out []evidenceLink
	for _, f := range files {
		if assessment.CanReadEvidence(f, u.Role == users.RoleOffice, u.UnitID) {
			out = append(out, evidenceLink{EvidenceFile: f, Link: evidencePath(f.ID), SizeText: sizeText(f.Size)})
		}
	}
	return out, nil
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.Itoa((n+1023)/1024) + " KB"
	}
	return strconv.Itoa(n) + " B"
}

type claimView struct {
	assessment.Claim
	StatusLabel, Claimed, Approved string
	Evidence                       []evidenceLink
}

type deductionView struct {
	assessment.Deduction
	PointsText string
	Evidence   []evidenceLink
}

type adjustmentView struct {
	assessment.Adjustment
	KindLabel string
	Evidence  []evidenceLink
}

type entryView struct {
	assessment.Leaf
	Entry    *assessment.Entry
	Value    string
	Evidence []evidenceLink
}

type unitAssessPageData struct {
	httpx.BasePage
	Cycle                                         cycles.Cycle
	Unit                                          units.Unit
	Own                                           bool
	Inputs                                        assessment.UnitInputs
	BonusApproved, BonusCounted, BonusCap         string
	DeductionsFiled, DeductionsCounted, DeductCap string
	Entries                                       []entryView
	Claims                                        []claimView
	Deductions                                    []deductionView
	Adjustments                                   []adjustmentView
	Reasons                                       []assessment.DeductionReason
	Kinds                                         []adjustKind
	ClientKey                                     string
	Action                                        string
	// Form and Errors refill a refused form (Form["form"] names which).
	Form   map[string]string
	Errors map[string]string
}

type adjustKind struct{ Key, Label string }

func (s *Server) unitAssessmentPage(c *gin.Context) {
	s.showUnitAssessment(c, http.StatusOK, nil, nil)
}

// showUnitAssessment renders one unit's page; form and errs refill a
// refused form.
func (s *Server) showUnitAssessment(c *gin.Context, status int, form, errs map[string]string) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	var ua unitAssessment
	var u units.Unit
	var set assessment.SettingsVersion
	if err == nil {
		ua, err = s.loadUnitAssessment(c, cy.ID, unitID)
	}
	if err == nil {
		u, err = units.FindUnit(c, s.Pool, unitID)
	}
	if err == nil {
		set, err = assessment.LoadSettings(c, s.Pool, cy.ID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	user := httpx.CurrentUser(c)
	d := unitAssessPageData{BasePage: s.Base(c, u.Name+" 评分与加减分", "cycles"), Cycle: cy, Unit: u,
		Own: user.UnitID != nil && *user.UnitID == unitID, Inputs: ua.Inputs,
		BonusApproved: fnum(ua.Inputs.BonusApproved), BonusCounted: fnum(ua.Inputs.BonusCounted),
		BonusCap: fnum(set.Settings.BonusCap), DeductionsFiled: fnum(ua.Inputs.DeductionsFiled),
		DeductionsCounted: fnum(ua.Inputs.DeductionsCounted), DeductCap: fnum(set.Settings.DeductionCap),
		Reasons: set.Settings.DeductionReasons, ClientKey: secure.Token(12), Action: assessUnitPath(cy.ID, unitID),
		Form: form, Errors: errs}
	for _, k := range assessment.AdjustmentKinds {
		d.Kinds = append(d.Kinds, adjustKind{k, assessment.AdjustmentLabel(k)})
	}
	if d.Office {
		if err := s.fillEntryViews(c, &d, cy.ID, ua.Entries); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	for _, cl := range ua.Claims {
		v := claimView{Claim: cl, StatusLabel: assessment.ClaimStatusLabel(cl.Status), Claimed: fnum(cl.PointsClaimed)}
		if cl.PointsApproved != nil {
			v.Approved = fnum(*cl.PointsApproved)
		}
		if v.Evidence, err = s.evidenceLinks(c, cl.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Claims = append(d.Claims, v)
	}
	for _, x := range ua.Deductions {
		v := deductionView{Deduction: x, PointsText: fnum(x.Points)}
		if v.Evidence, err = s.evidenceLinks(c, x.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Deductions = append(d.Deductions, v)
	}
	for _, x := range ua.Adjustments {
		v := adjustmentView{Adjustment: x, KindLabel: assessment.AdjustmentLabel(x.Kind)}
		if v.Evidence, err = s.evidenceLinks(c, x.EvidenceIDs); err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Adjustments = append(d.Adjustments, v)
	}
	s.Render(c, status, "console/assess_unit.html", d)
}

// fillEntryViews lists every manual leaf with the unit's entry, if any.
func (s *Server) fillEntryViews(c *gin.Context, d *unitAssessPageData, cycleID int64, entries []assessment.Entry) error {
	v, err := schemes.Find(c, s.Pool, cycleID, 0)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	byKey := map[string]*assessment.Entry{}
	for i := range entries {
		byKey[entries[i].LeafKey] = &entries[i]
	}
	for _, l := range assessment.ManualLeaves(v.Tree) {
		ev := entryView{Leaf: l, Entry: byKey[l.Key], Value: "未录入"}
		if e := ev.Entry; e != nil {
			ev.Value = "不参加"
			if e.Points != nil {
				ev.Value = fnum(*e.Points)
			}
			if ev.Evidence, err = s.evidenceLinks(c, e.EvidenceIDs); err != nil {
				return err
			}
		}
		d.Entries = append(d.Entries, ev)
	}
	return nil
}

// postedForm copies the named form fields for refilling, tagged with the
// form's name.
func postedForm(c *gin.Context, form string, fields ...string) map[string]string {
	out := map[string]string{"form": form}
	for _, f := range fields {
		out[f] = c.PostForm(f)
	}
	return out
}

// refuseOrFail shows the unit page again with the field errors of an
// invalid error, or the error page for anything else.
func (s *Server) refuseOrFail(c *gin.Context, err error, form map[string]string) {
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnitAssessment(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	s.ConsoleError(c, err)
}

// parsePoints reads a form's points field ("" → nil).
func parsePoints(raw, field string) (*float64, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil {
		return nil, apperr.InvalidField(field, "请填写数字")
	}
	return &f, nil
}

// evidenceFormSubmit handles a unit page form that may carry one evidence
// file (field "file", owned by the unit): check may refuse the unit, save
// stores the record in the same transaction as the file. A refused form is
// shown again with its fields; success redirects to the anchor with flash.
func (s *Server) evidenceFormSubmit(c *gin.Context, form map[string]string, anchor, flash string,
	check func(unitID int64) error, save func(tx pgx.Tx, cycleID, unitID int64, evidence []string) error) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err == nil && check != nil {
		err = check(unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		ev, err := uploadInTx(c, tx, "file", &unitID)
		if err != nil {
			return err
		}
		return save(tx, cy.ID, unitID, ev)
	})
	if err != nil {
		s.refuseOrFail(c, err, form)
		return
	}
	httpx.Redirect(c, assessUnitPath(cy.ID, unitID)+"#"+anchor, flash)
}

func (s *Server) claimSubmit(c *gin.Context) {
	form := postedForm(c, "claim", "title", "description", "points")
	in := assessment.ClaimInput{Title: c.PostForm("title"), Description: c.PostForm("description"),
		ClientKey: c.PostForm("client_key")}
	p, perr := parsePoints(c.PostForm("points"), "points")
	if p != nil {
		in.Points = *p
	}
	sc := scorer(c)
	s.evidenceFormSubmit(c, form, "claims", "claim_submitted", func(unitID int64) error {
		_, err := claimUnit(c, unitID)
		return err
	}, func(tx pgx.Tx, cycleID, unitID int64, ev []string) error {
		if perr != nil {
			return perr
		}
		in.EvidenceIDs = ev
		_, _, err := assessment.CreateClaim(c, tx, sc.Actor, sc.Office, cycleID, unitID, in)
		return err
	})
}

func (s *Server) decideClaimSubmit(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	id, err := httpx.IDParam(c, "claim_id")
	var claim assessment.Claim
	if err == nil {
		claim, err = assessment.FindClaim(c, s.Pool, id)
	}
	if err == nil && claim.CycleID != cy.ID {
		err = httpx.ErrNotFound
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	approve := c.PostForm("decision") == "approve"
	form := postedForm(c, "decide", "points", "note")
	form["claim_id"] = strconv.FormatInt(id, 10)
	d := assessment.Decision{Approve: approve, Note: c.PostForm("note")}
	if approve {
		if d.Points, err = parsePoints(c.PostForm("points"), "points"); err != nil {
			c.Params = append(c.Params, gin.Param{Key: "unit_id", Value: strconv.FormatInt(claim.UnitID, 10)})
			s.refuseOrFail(c, err, form)
			return
		}
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, err = assessment.DecideClaim(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, d)
		return err
	})
	if err != nil {
		c.Params = append(c.Params, gin.Param{Key: "unit_id", Value: strconv.FormatInt(claim.UnitID, 10)})
		s.refuseOrFail(c, err, form)
		return
	}
	flash := "claim_rejected"
	if approve {
		flash = "claim_approved"
	}
	httpx.Redirect(c, assessUnitPath(cy.ID, claim.UnitID)+"#claims", flash)
}

func (s *Server) deductionSubmit(c *gin.Context) {
	form := postedForm(c, "deduction", "reason_key", "description")
	s.evidenceFormSubmit(c, form, "deductions", "deduction_filed", nil, func(tx pgx.Tx, cycleID, unitID int64, ev []string) error {
		in := assessment.DeductionInput{UnitID: unitID, ReasonKey: c.PostForm("reason_key"),
			Description: c.PostForm("description"), ClientKey: c.PostForm("client_key"), EvidenceIDs: ev}
		_, _, err := assessment.FileDeduction(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in)
		return err
	})
}

func (s *Server) adjustmentSubmit(c *gin.Context) {
	form := postedForm(c, "adjustment", "kind", "reason")
	s.evidenceFormSubmit(c, form, "adjustments", "adjustment_added", nil, func(tx pgx.Tx, cycleID, unitID int64, ev []string) error {
		in := assessment.AdjustmentInput{UnitID: unitID, Kind: c.PostForm("kind"), Reason: c.PostForm("reason"), EvidenceIDs: ev}
		_, _, err := assessment.AddAdjustment(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in)
		return err
	})
}

// revokeSubmit revokes a deduction or an adjustment of the cycle.
func (s *Server) revokeSubmit(c *gin.Context, revoke func(tx pgx.Tx, id int64, reason string) (cycleID, unitID int64, err error), anchor, flash string) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	id, err := httpx.IDParam(c, "item_id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var cycleID, unitID int64
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		cycleID, unitID, err = revoke(tx, id, c.PostForm("reason"))
		if err == nil && cycleID != cy.ID {
			err = httpx.ErrNotFound
		}
		return err
	})
	if err != nil {
		if unitID != 0 && cycleID == cy.ID {
			c.Params = append(c.Params, gin.Param{Key: "unit_id", Value: strconv.FormatInt(unitID, 10)})
			form := postedForm(c, anchor+"_revoke", "reason")
			form["item_id"] = strconv.FormatInt(id, 10)
			s.refuseOrFail(c, err, form)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, assessUnitPath(cy.ID, unitID)+"#"+anchor, flash)
}

func (s *Server) revokeDeductionSubmit(c *gin.Context) {
	s.revokeSubmit(c, func(tx pgx.Tx, id int64, reason string) (int64, int64, error) {
		d, err := assessment.RevokeDeduction(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, reason)
		return d.CycleID, d.UnitID, err
	}, "deductions", "deduction_revoked")
}

func (s *Server) revokeAdjustmentSubmit(c *gin.Context) {
	s.revokeSubmit(c, func(tx pgx.Tx, id int64, reason string) (int64, int64, error) {
		a, err := assessment.RevokeAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, reason)
		return a.CycleID, a.UnitID, err
	}, "adjustments", "adjustment_revoked")
}
