package assessmentapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// unitAssessment is what the office (or the unit itself) sees of one
// unit's bonus claims, deductions and adjustments; Entries only for the
// office.
type unitAssessment struct {
	UnitID      int64                   `json:"unit_id"`
	Inputs      assessment.UnitInputs   `json:"inputs"`
	BonusCap    float64                 `json:"bonus_cap"`
	Entries     []assessment.Entry      `json:"entries,omitempty"`
	Claims      []assessment.Claim      `json:"claims"`
	Deductions  []assessment.Deduction  `json:"deductions"`
	Adjustments []assessment.Adjustment `json:"adjustments"`
}

// loadUnitAssessment collects one unit's inputs of a cycle.
func (s *Handlers) loadUnitAssessment(c *gin.Context, cycleID, unitID int64) (unitAssessment, error) {
	out := unitAssessment{UnitID: unitID}
	if err := httpx.CanSeeUnit(httpx.CurrentUser(c), unitID); err != nil {
		return out, err
	}
	set, err := assessment.LoadSettings(c, s.Pool, cycleID)
	if err != nil {
		return out, err
	}
	out.BonusCap = set.Settings.BonusCap
	all, err := assessment.Inputs(c, s.Pool, cycleID)
	if err != nil {
		return out, err
	}
	out.Inputs = all[unitID]
	if httpx.CurrentUser(c).Role == users.RoleOffice {
		if out.Entries, err = assessment.ListEntries(c, s.Pool, cycleID, nil, &unitID); err != nil {
			return out, err
		}
	} else {
		// A unit sees neither its scores nor their sums before the results.
		out.Inputs.Entries = nil
	}
	if out.Claims, err = assessment.ListClaims(c, s.Pool, cycleID, &unitID); err != nil {
		return out, err
	}
	if out.Deductions, err = assessment.ListDeductions(c, s.Pool, cycleID, &unitID); err != nil {
		return out, err
	}
	out.Adjustments, err = assessment.ListAdjustments(c, s.Pool, cycleID, &unitID)
	return out, err
}

// APIUnitAssessment returns one unit's claims, deductions and adjustments of
// the :id cycle.
func (s *Handlers) APIUnitAssessment(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unit, err := httpx.IDParam(c, "unit_id")
	var out unitAssessment
	if err == nil {
		out, err = s.loadUnitAssessment(c, id, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APIListClaims lists the :id cycle's bonus claims the user may see.
func (s *Handlers) APIListClaims(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unit, err := queryUnit(c)
	var list []assessment.Claim
	if err == nil {
		list, err = assessment.ListClaims(c, s.Pool, id, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// claimBody is a claim as posted; the office names the unit, a unit user
// claims for its own unit.
type claimBody struct {
	assessment.ClaimInput
	UnitID int64 `json:"unit_id"`
}

// claimUnit is the unit a claim is for: the user's own unit, or for the
// office the unit it names.
func claimUnit(c *gin.Context, named int64) (int64, error) {
	u := httpx.CurrentUser(c)
	if u.Role == users.RoleOffice {
		if named <= 0 {
			return 0, apperr.InvalidField("unit_id", "请选择申报单位")
		}
		return named, nil
	}
	if u.UnitID == nil || (named != 0 && named != *u.UnitID) {
		return 0, apperr.New(apperr.Forbidden, "只能为本单位申报加分")
	}
	return *u.UnitID, nil
}

// APICreateClaim files a bonus claim (201), or returns the same claim
// retried (200).
func (s *Handlers) APICreateClaim(c *gin.Context) {
	var in claimBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unit, err := claimUnit(c, in.UnitID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	sc := scorer(c)
	var claim assessment.Claim
	created := false
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		claim, created, err = assessment.CreateClaim(c, tx, sc.Actor, sc.Office, id, unit, in.ClaimInput)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), claim)
}

// APIDecideClaim approves (approve true) or rejects a bonus claim.
func (s *Handlers) APIDecideClaim(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var d assessment.Decision
		id, ok := s.PathIDAndBody(c, &d)
		if !ok {
			return
		}
		d.Approve = approve
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return assessment.DecideClaim(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, d)
		})
	}
}

// APIListDeductions lists the :id cycle's deductions the user may see.
func (s *Handlers) APIListDeductions(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unit, err := queryUnit(c)
	var list []assessment.Deduction
	if err == nil {
		list, err = assessment.ListDeductions(c, s.Pool, id, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APIFileDeduction files a deduction against a unit (the office's).
func (s *Handlers) APIFileDeduction(c *gin.Context) {
	var in assessment.DeductionInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var d assessment.Deduction
	created := false
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		d, created, err = assessment.FileDeduction(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), d)
}

// revokeBody is a revocation's reason.
type revokeBody struct {
	Reason string `json:"reason"`
}

// APIRevokeDeduction revokes a deduction, keeping the record and the reason.
func (s *Handlers) APIRevokeDeduction(c *gin.Context) {
	var in revokeBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.RevokeDeduction(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}

// APIListAdjustments lists the :id cycle's grade adjustments the user may see.
func (s *Handlers) APIListAdjustments(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unit, err := queryUnit(c)
	var list []assessment.Adjustment
	if err == nil {
		list, err = assessment.ListAdjustments(c, s.Pool, id, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APIAddAdjustment adds a grade adjustment of a unit (the office's).
func (s *Handlers) APIAddAdjustment(c *gin.Context) {
	var in assessment.AdjustmentInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var a assessment.Adjustment
	created := false
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		a, created, err = assessment.AddAdjustment(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), a)
}

// APIRevokeAdjustment revokes a grade adjustment, keeping the record and the
// reason.
func (s *Handlers) APIRevokeAdjustment(c *gin.Context) {
	var in revokeBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.RevokeAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}
