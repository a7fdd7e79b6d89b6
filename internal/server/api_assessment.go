package server

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
	"minyi/internal/users"
)

// scorer is the signed-in user as an assessment scorer.
func scorer(c *gin.Context) assessment.Scorer {
	u := httpx.CurrentUser(c)
	return assessment.Scorer{Actor: u.Actor(), Office: u.Role == users.RoleOffice, UnitID: u.UnitID}
}

// unitScope is nil for the office (every unit) and the user's unit else.
func unitScope(c *gin.Context) *int64 {
	u := httpx.CurrentUser(c)
	if u.Role == users.RoleOffice {
		return nil
	}
	if u.UnitID == nil {
		var none int64 = -1
		return &none
	}
	return u.UnitID
}

// queryUnit reads ?unit_id= (nil when absent); a unit user may only ask
// for its own unit.
func queryUnit(c *gin.Context) (*int64, error) {
	scope := unitScope(c)
	raw := c.Query("unit_id")
	if raw == "" {
		return scope, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.InvalidField("unit_id", "单位编号无效")
	}
	if err := httpx.CanSeeUnit(httpx.CurrentUser(c), id); err != nil {
		return nil, err
	}
	return &id, nil
}

// assessmentOverview is the office's view of a cycle's inputs.
type assessmentOverview struct {
	CycleID int64                     `json:"cycle_id"`
	Leaves  int                       `json:"leaves"`
	Units   []assessment.UnitOverview `json:"units"`
}

func (s *Server) apiAssessmentOverview(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	list, leaves, err := assessment.Overview(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, assessmentOverview{CycleID: id, Leaves: leaves, Units: list})
}

func (s *Server) apiAssessmentLeaves(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	v, leaves, err := assessment.ScorerLeaves(c, s.Pool, scorer(c), id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"scheme_version": v.Version, "items": leaves})
}

func leafKeys(leaves []assessment.Leaf) []string {
	keys := make([]string, len(leaves))
	for i, l := range leaves {
		keys[i] = l.Key
	}
	return keys
}

// apiAssessmentEntries lists the entries on the leaves the user scores
// (every leaf for the office), optionally of one assessed unit.
func (s *Server) apiAssessmentEntries(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	var unit *int64
	if raw := c.Query("unit_id"); raw != "" {
		u, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || u <= 0 {
			s.APIError(c, apperr.InvalidField("unit_id", "单位编号无效"))
			return
		}
		unit = &u
	}
	_, leaves, err := assessment.ScorerLeaves(c, s.Pool, scorer(c), id)
	var list []assessment.Entry
	if err == nil {
		list, err = assessment.ListEntries(c, s.Pool, id, leafKeys(leaves), unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

func (s *Server) apiSaveAssessmentEntry(c *gin.Context) {
	var in assessment.EntryInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unit, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.SaveEntry(c, tx, scorer(c), id, unit, c.Param("leaf_key"), in)
	})
}

func (s *Server) apiSetLeafAssessor(c *gin.Context) {
	var in struct {
		UnitID *int64 `json:"unit_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		v, changed, err := assessment.SetLeafAssessor(c, tx, httpx.CurrentUser(c).Actor(), id, c.Param("leaf_key"), in.UnitID)
		return gin.H{"changed": changed, "scheme": v}, err
	})
}

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
func (s *Server) loadUnitAssessment(c *gin.Context, cycleID, unitID int64) (unitAssessment, error) {
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

func (s *Server) apiUnitAssessment(c *gin.Context) {
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

func (s *Server) apiListClaims(c *gin.Context) {
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

func (s *Server) apiCreateClaim(c *gin.Context) {
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
	c.JSON(createdStatus(created), claim)
}

// createdStatus is 201 for a new record and 200 for a retried one.
func createdStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) apiDecideClaim(approve bool) gin.HandlerFunc {
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

func (s *Server) apiListDeductions(c *gin.Context) {
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

func (s *Server) apiFileDeduction(c *gin.Context) {
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
	c.JSON(createdStatus(created), d)
}

// revokeBody is a revocation's reason.
type revokeBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiRevokeDeduction(c *gin.Context) {
	var in revokeBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.RevokeDeduction(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}

func (s *Server) apiListAdjustments(c *gin.Context) {
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

func (s *Server) apiAddAdjustment(c *gin.Context) {
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
	c.JSON(createdStatus(created), a)
}

func (s *Server) apiRevokeAdjustment(c *gin.Context) {
	var in revokeBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.RevokeAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}

func (s *Server) apiAssessmentSettings(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	v, err := assessment.LoadSettings(c, s.Pool, id)
	if err == nil && v.Version == 0 {
		_, err = cycles.FindCycle(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiSaveAssessmentSettings(c *gin.Context) {
	var in struct {
		Settings assessment.Settings `json:"settings"`
		Note     string              `json:"note"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), id, in.Settings, in.Note)
	})
}
