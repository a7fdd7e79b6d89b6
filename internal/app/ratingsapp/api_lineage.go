package ratingsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/httpx"
	"minyi/internal/units"
)

// APIUnitLineage answers the unit's predecessors and successors (沿革).
func (s *Handlers) APIUnitLineage(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	l, err := units.FindLineage(c, s.Pool, u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}

// APIAddPredecessor records a predecessor of the unit (office only).
func (s *Handlers) APIAddPredecessor(c *gin.Context) {
	var in units.PredecessorInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return units.AddPredecessor(c, tx, httpx.CurrentUser(c).Actor(), id, in)
	})
}

// APIRemovePredecessor deletes a predecessor of the unit (office only).
func (s *Handlers) APIRemovePredecessor(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var pid int64
	if err == nil {
		pid, err = httpx.IDParam(c, "pid")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return gin.H{"removed": true}, units.RemovePredecessor(c, tx, httpx.CurrentUser(c).Actor(), id, pid)
	})
}
