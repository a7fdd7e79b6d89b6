package inspectionsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
)

// listJSON is a page of a list with its total.
type listJSON[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

// APIList lists a page of the cycle's inspections (?kind=, ?unit_id=,
// ?limit=, ?offset=); a unit user gets those of its unit.
func (s *Handlers) APIList(c *gin.Context) {
	cycleID, err := httpx.IDParam(c, "id")
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	f := inspections.Filter{CycleID: cycleID, Kind: c.Query("kind"), Limit: limit, Offset: offset}
	if err == nil {
		err = parseFilter(c.Query("kind"), c.Query("unit_id"), &f)
	}
	if err == nil {
		_, err = cycles.FindCycle(c, s.Pool, cycleID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := inspections.List(c, s.Pool, f, viewer(c))
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, listJSON[inspections.Inspection]{list, total})
}

// parseFilter reads the kind and unit filters; invalid for a kind not
// listed or a unit id that is not a number.
func parseFilter(kind, unit string, f *inspections.Filter) error {
	if kind != "" && inspections.KindLabel(kind) == "" {
		return apperr.InvalidField("kind", "检查类型无效")
	}
	f.Kind = kind
	if unit != "" {
		id, err := strconv.ParseInt(unit, 10, 64)
		if err != nil || id <= 0 {
			return apperr.InvalidField("unit_id", "单位编号无效")
		}
		f.UnitID = &id
	}
	return nil
}

// APICreate records an inspection of the cycle (the office's); 201, or
// 200 for a retry with the same client_key.
func (s *Handlers) APICreate(c *gin.Context) {
	var in inspections.Input
	cycleID, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.BindJSON(c, &in, 256<<10)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	var out inspections.Inspection
	var created bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, created, err = inspections.Create(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in, s.Today().Format("2006-01-02"))
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), out)
}

// APIGet answers an inspection as the user may see it; a unit user gets
// 404 for an inspection that did not inspect its unit.
func (s *Handlers) APIGet(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var out inspections.Inspection
	if err == nil {
		out, err = inspections.Find(c, s.Pool, id, viewer(c))
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APIAddFinding adds a finding (the office's); 201, or 200 for a retry
// with the same client_key.
func (s *Handlers) APIAddFinding(c *gin.Context) {
	var in inspections.FindingInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var out inspections.Finding
	var created bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, created, err = inspections.AddFinding(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), out)
}

// caseJSON is the case a finding became and whether this call opened it.
type caseJSON struct {
	Case    feedback.Case `json:"case"`
	Created bool          `json:"created"`
}

// proposalJSON is the proposal a finding became and whether this call
// made it.
type proposalJSON struct {
	Proposal assessors.Proposal `json:"proposal"`
	Created  bool               `json:"created"`
}

// APIFindingToCase turns the finding into a rectification case (the
// office's); 201, or 200 with the existing case.
func (s *Handlers) APIFindingToCase(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	var out caseJSON
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out.Case, out.Created, err = inspections.ToCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), id, s.Now())
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(out.Created), out)
}

// APIFindingToProposal turns the finding into a deduction proposal with
// {"reason_key"} (the office's); 201, or 200 with the existing proposal.
func (s *Handlers) APIFindingToProposal(c *gin.Context) {
	var in struct {
		ReasonKey string `json:"reason_key"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var out proposalJSON
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out.Proposal, out.Created, err = inspections.ToProposal(c, tx, httpx.CurrentUser(c).Actor(), id, in.ReasonKey, s.Now())
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(out.Created), out)
}
