package assessmentapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// APIListRankAdjustments lists the :id cycle's rank adjustments (位次调整)
// the user may see (unit_id to one unit).
func (s *Handlers) APIListRankAdjustments(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	unit, err := queryUnit(c)
	var list []assessment.RankAdjustment
	if err == nil {
		list, err = assessment.ListRankAdjustments(c, s.Pool, id, unit)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APIAddRankAdjustment moves a unit to a place within its category with a
// reason (the office's): 201 when recorded, 200 for the same move again.
func (s *Handlers) APIAddRankAdjustment(c *gin.Context) {
	var in assessment.RankAdjustmentInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var a assessment.RankAdjustment
	created := false
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		a, created, err = assessment.AddRankAdjustment(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(created), a)
}

// APIRevokeRankAdjustment revokes a rank adjustment, keeping the record
// and the reason.
func (s *Handlers) APIRevokeRankAdjustment(c *gin.Context) {
	var in revokeBody
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return assessment.RevokeRankAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}

// RankAdjustmentSubmit moves the unit to a place within its category from
// its assessment page (the office's); a refused form is shown again.
func (s *Handlers) RankAdjustmentSubmit(c *gin.Context) {
	cy, ok := s.assessCycle(c)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := httpx.PostedForm(c, "rank", "to_rank", "reason")
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		to, perr := strconv.Atoi(strings.TrimSpace(c.PostForm("to_rank")))
		if perr != nil {
			return apperr.InvalidField("to_rank", "请填写调整后的位次（整数）")
		}
		in := assessment.RankAdjustmentInput{UnitID: unitID, ToRank: to, Reason: c.PostForm("reason")}
		_, _, err := assessment.AddRankAdjustment(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, in)
		return err
	})
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Conflict {
			err = apperr.InvalidField("to_rank", e.Message)
		}
		s.refuseOrFail(c, err, form)
		return
	}
	httpx.Redirect(c, assessUnitPath(cy.ID, unitID)+"#ranks", "rank_adjustment_added")
}

// RevokeRankAdjustmentSubmit revokes a rank adjustment with its reason.
func (s *Handlers) RevokeRankAdjustmentSubmit(c *gin.Context) {
	s.revokeSubmit(c, func(tx pgx.Tx, id int64, reason string) (int64, int64, error) {
		a, err := assessment.RevokeRankAdjustment(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, reason)
		return a.CycleID, a.UnitID, err
	}, "ranks", "rank_adjustment_revoked")
}
