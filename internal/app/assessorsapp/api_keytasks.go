package assessorsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/assessors"
	"minyi/internal/httpx"
)

// APIListKeyTasks lists the cycle's key tasks: the office all, a unit
// those it leads.
func (s *Handlers) APIListKeyTasks(c *gin.Context) {
	cycleID, err := httpx.IDParam(c, "id")
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	var lead *int64
	if err == nil && !seesAll(c) {
		var me int64
		me, err = assessorUnit(c)
		lead = &me
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := assessors.ListKeyTasks(c, s.Pool, cycleID, lead, limit, offset)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, listJSON[assessors.KeyTask]{list, total})
}

// APICreateKeyTask sets up a key task of the cycle (the office's).
func (s *Handlers) APICreateKeyTask(c *gin.Context) {
	var in assessors.KeyTaskInput
	cycleID, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return assessors.CreateKeyTask(c, tx, httpx.CurrentUser(c).Actor(), cycleID, in)
	})
}

// keyTaskJSON is a key task with a page of its units' progress.
type keyTaskJSON struct {
	assessors.KeyTask
	Units listJSON[assessors.Member] `json:"units"`
}

// visibleTask loads the :id task for the office, or for its lead unit
// (403 for any other unit).
func (s *Handlers) visibleTask(c *gin.Context) (assessors.KeyTask, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return assessors.KeyTask{}, err
	}
	if seesAll(c) {
		return assessors.FindKeyTask(c, s.Pool, id)
	}
	me, err := assessorUnit(c)
	if err != nil {
		return assessors.KeyTask{}, err
	}
	return assessors.CheckLead(c, s.Pool, id, me)
}

// APIGetKeyTask answers the task and a page of its units' progress.
func (s *Handlers) APIGetKeyTask(c *gin.Context) {
	t, err := s.visibleTask(c)
	limit, offset, perr := httpx.Paging(c)
	if err == nil {
		err = perr
	}
	var out keyTaskJSON
	if err == nil {
		out.KeyTask = t
		out.Units.Items, out.Units.Total, err = assessors.ListMembers(c, s.Pool, t.ID, limit, offset)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APISetLead sets {"lead_unit_id"} (the office's).
func (s *Handlers) APISetLead(c *gin.Context) {
	var in struct {
		LeadUnitID int64 `json:"lead_unit_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.SetLead(c, tx, httpx.CurrentUser(c).Actor(), id, in.LeadUnitID)
	})
}

// APIAddMembers adds {"unit_ids"} to the task (the office's).
func (s *Handlers) APIAddMembers(c *gin.Context) {
	var in struct {
		UnitIDs []int64 `json:"unit_ids"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.AddMembers(c, tx, httpx.CurrentUser(c).Actor(), id, in.UnitIDs)
	})
}

// APIRemoveMember removes :unit_id from the task (the office's).
func (s *Handlers) APIRemoveMember(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unitID, err := unitParam(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.RemoveMember(c, tx, httpx.CurrentUser(c).Actor(), id, unitID)
	})
}

// APILinkIndicator names {"indicator_id"} (null clears it) as the member's
// indicator carrying the task (the office's).
func (s *Handlers) APILinkIndicator(c *gin.Context) {
	var in struct {
		IndicatorID *int64 `json:"indicator_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unitID, err := unitParam(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessors.LinkIndicator(c, tx, httpx.CurrentUser(c).Actor(), id, unitID, in.IndicatorID)
	})
}
