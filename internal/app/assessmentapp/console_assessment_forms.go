package assessmentapp

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// evidenceFormSubmit handles a unit page form that may carry one evidence
// file (field "file", owned by the unit): check may refuse the unit, save
// stores the record in the same transaction as the file. A refused form is
// shown again with its fields; success redirects to the anchor with flash.
func (s *Handlers) evidenceFormSubmit(c *gin.Context, form map[string]string, anchor, flash string,
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
		ev, err := evidenceform.Save(c, tx, "file", &unitID)
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

// ClaimSubmit files a unit's bonus claim with its optional evidence file.
func (s *Handlers) ClaimSubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "claim", "title", "description", "points")
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

// DecideClaimSubmit approves or rejects a bonus claim (the office's).
func (s *Handlers) DecideClaimSubmit(c *gin.Context) {
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
	form := httpx.PostedForm(c, "decide", "points", "note")
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

// DeductionSubmit files a deduction with its optional evidence file (the
// office's).
func (s *Handlers) DeductionSubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "deduction", "reason_key", "description")
	s.evidenceFormSubmit(c, form, "deductions", "deduction_filed", nil, func(tx pgx.Tx, cycleID, unitID int64, ev []string) error {
		in := assessment.DeductionInput{UnitID: unitID, ReasonKey: c.PostForm("reason_key"),
			Description: c.PostForm("description"), ClientKey: c.PostForm("client_key"), EvidenceIDs: ev}
		_, _, err := assessment.FileDeduction(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in)
		return err
	})
}

// AdjustmentSubmit adds a grade adjustment with its optional evidence file
// (the office's).
func (s *Handlers) AdjustmentSubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "adjustment", "kind", "reason")
	s.evidenceFormSubmit(c, form, "adjustments", "adjustment_added", nil, func(tx pgx.Tx, cycleID, unitID int64, ev []string) error {
		in := assessment.AdjustmentInput{UnitID: unitID, Kind: c.PostForm("kind"), Reason: c.PostForm("reason"), EvidenceIDs: ev}
		_, _, err := assessment.AddAdjustment(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in)
		return err
	})
}

// revokeSubmit revokes a deduction or an adjustment of the cycle.
func (s *Handlers) revokeSubmit(c *gin.Context, revoke func(tx pgx.Tx, id int64, reason string) (cycleID, unitID int64, err error), anchor, flash string) {
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
			form := httpx.PostedForm(c, anchor+"_revoke", "reason")
			form["item_id"] = strconv.FormatInt(id, 10)
			s.refuseOrFail(c, err, form)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, assessUnitPath(cy.ID, unitID)+"#"+anchor, flash)
}

// RevokeDeductionSubmit revokes a deduction with its reason.
func (s *Handlers) RevokeDeductionSubmit(c *gin.Context) {
	s.revokeSubmit(c, func(tx pgx.Tx, id int64, reason string) (int64, int64, error) {
		d, err := assessment.RevokeDeduction(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, reason)
		return d.CycleID, d.UnitID, err
	}, "deductions", "deduction_revoked")
}

// RevokeAdjustmentSubmit revokes a grade adjustment with its reason.
func (s *Handlers) RevokeAdjustmentSubmit(c *gin.Context) {
	s.revokeSubmit(c, func(tx pgx.Tx, id int64, reason string) (int64, int64, error) {
		a, err := assessment.RevokeAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, reason)
		return a.CycleID, a.UnitID, err
	}, "adjustments", "adjustment_revoked")
}
