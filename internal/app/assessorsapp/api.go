package assessorsapp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
)

// listJSON is a page of a list with its total.
type listJSON[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// APIAssessedUnits lists the units the signed-in assessor unit assesses in
// the cycle (?q=, ?limit=, ?offset=).
func (s *Handlers) APIAssessedUnits(c *gin.Context) {
	me, err := assessorUnit(c)
	var cycleID int64
	if err == nil {
		cycleID, err = httpx.IDParam(c, "id")
	}
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := assessors.ListAssessedUnits(c, s.Pool, cycleID, me, assessors.UnitPage{Search: c.Query("q"), Limit: limit, Offset: offset})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, listJSON[assessors.AssessedUnit]{list, total})
}

// APIAssessedUnit answers what the assessor sees of one unit it assesses;
// 403 for a unit it does not assess.
func (s *Handlers) APIAssessedUnit(c *gin.Context) {
	me, err := assessorUnit(c)
	var cycleID, unitID int64
	if err == nil {
		cycleID, err = httpx.IDParam(c, "id")
	}
	if err == nil {
		unitID, err = unitParam(c)
	}
	var v assessors.UnitView
	if err == nil {
		v, err = assessors.LoadUnitView(c, s.Pool, cycleID, me, unitID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APIListProposals lists the cycle's deduction proposals: the office all
// of them (?status=), a unit those it proposed.
func (s *Handlers) APIListProposals(c *gin.Context) {
	cycleID, err := httpx.IDParam(c, "id")
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	f := assessors.ProposalFilter{CycleID: cycleID, Status: c.Query("status"), Limit: limit, Offset: offset}
	if err == nil && !seesAll(c) {
		var me int64
		me, err = assessorUnit(c)
		f.ProposerID = &me
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := assessors.ListProposals(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, listJSON[assessors.Proposal]{list, total})
}

// APIPropose records the signed-in assessor unit's deduction proposal.
func (s *Handlers) APIPropose(c *gin.Context) {
	var in assessors.ProposalInput
	cycleID, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	me, err := assessorUnit(c)
	if err == nil {
		_, err = s.cycleOf(c)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return assessors.Propose(c, tx, httpx.CurrentUser(c).Actor(), cycleID, me, in, s.Now())
	})
}

// APIConfirmProposal files the proposal as a deduction (the office's).
func (s *Handlers) APIConfirmProposal(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.ConfirmProposal(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
	})
}

// APIRejectProposal rejects the proposal with {"reason"} (the office's).
func (s *Handlers) APIRejectProposal(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.RejectProposal(c, tx, httpx.CurrentUser(c).Actor(), id, in.Reason, s.Now())
	})
}

// presetsJSON is the presets and the one the cycle uses.
type presetsJSON struct {
	Presets []assessment.DeductionPreset `json:"presets"`
	Current string                       `json:"current"`
}

// APIDeductionPresets lists the deduction-reason presets and the cycle's.
func (s *Handlers) APIDeductionPresets(c *gin.Context) {
	cycleID, err := httpx.IDParam(c, "id")
	var v assessment.SettingsVersion
	if err == nil {
		if _, err = s.cycleOf(c); err == nil {
			v, err = assessment.LoadSettings(c, s.Pool, cycleID)
		}
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	cur := v.Settings.DeductionPreset
	if cur == "" {
		cur = assessment.MatchDeductionPreset(v.Settings)
	}
	c.JSON(http.StatusOK, presetsJSON{assessment.DeductionPresets(), cur})
}

// APIApplyPreset sets the cycle's deduction reasons to {"preset"} (the
// office's), with {"proposers": {reason key: unit id}} choosing the unit of
// each proposer's role the preset names (0: none; a reason left out gets
// the unit its role matches by name); it answers the new settings version.
func (s *Handlers) APIApplyPreset(c *gin.Context) {
	var in struct {
		Preset    string           `json:"preset"`
		Proposers map[string]int64 `json:"proposers"`
	}
	cycleID, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.ApplyDeductionPreset(c, tx, httpx.CurrentUser(c).Actor(), cycleID, strings.TrimSpace(in.Preset), in.Proposers)
	})
}

// APIOpenAssessorCase opens a case {"unit_id", "problem"} as the signed-in
// assessor unit.
func (s *Handlers) APIOpenAssessorCase(c *gin.Context) {
	var in feedback.AssessorCaseInput
	cycleID, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	me, err := assessorUnit(c)
	if err == nil {
		_, err = s.cycleOf(c)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return assessors.OpenCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), cycleID, me, in, s.Now())
	})
}

// APIAssessorCases lists the cases the signed-in assessor unit opened,
// with their progress.
func (s *Handlers) APIAssessorCases(c *gin.Context) {
	me, err := assessorUnit(c)
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := assessors.ListCases(c, s.Pool, me, s.Now().In(s.Config.Location), limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, listJSON[feedback.Case]{list, total})
}
