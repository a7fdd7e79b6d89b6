package server

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/httpx"
	"minyi/internal/units"
)

func (s *Server) apiListNetworks(c *gin.Context) {
	u, ok := s.unitFromPath(c)
	if !ok {
		return
	}
	list, err := units.ListNetworks(c, s.Pool, u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// networkTx runs a change of networks in a transaction and answers with
// its result; this instance then reads the networks again.
func (s *Server) networkTx(c *gin.Context, status int, fn func(tx pgx.Tx) (units.Network, error)) {
	s.APITx(c, status, func(tx pgx.Tx) (any, error) {
		n, err := fn(tx)
		s.networks.forget()
		return n, err
	})
}

func (s *Server) apiCreateNetwork(c *gin.Context) {
	var in units.NetworkInput
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.networkTx(c, http.StatusCreated, func(tx pgx.Tx) (units.Network, error) {
			return units.CreateNetwork(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		})
	}
}

func (s *Server) apiUpdateNetwork(c *gin.Context) {
	// PATCH changes only the fields sent.
	var patch struct {
		DailyCap *int    `json:"daily_cap"`
		Name     *string `json:"name"`
	}
	id, ok := s.PathIDAndBody(c, &patch)
	if !ok {
		return
	}
	s.networkTx(c, http.StatusOK, func(tx pgx.Tx) (units.Network, error) {
		cur, err := units.FindNetwork(c, tx, id)
		if err != nil {
			return units.Network{}, err
		}
		if patch.DailyCap != nil {
			cur.DailyCap = *patch.DailyCap
		}
		if patch.Name != nil {
			cur.Name = *patch.Name
		}
		return units.UpdateNetwork(c, tx, httpx.CurrentUser(c).Actor(), id, cur.DailyCap, cur.Name)
	})
}

func (s *Server) apiDeleteNetwork(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.networkTx(c, http.StatusOK, func(tx pgx.Tx) (units.Network, error) {
			return units.DeleteNetwork(c, tx, httpx.CurrentUser(c).Actor(), id)
		})
	}
}
