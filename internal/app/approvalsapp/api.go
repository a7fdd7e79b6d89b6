package approvalsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/approvals"
	"minyi/internal/httpx"
)

// APIList lists the pending requests waiting for the signed-in leader (the
// office: every pending request), oldest first: {"items": [...], "total": n}.
func (s *Handlers) APIList(c *gin.Context) {
	f, err := filterFor(httpx.CurrentUser(c))
	if err == nil {
		f.Limit, f.Offset, err = httpx.PagingMax(c, 200)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := approvals.Waiting(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list, "total": total})
}

// APIGet returns one request with its decisions (leaders and the office).
func (s *Handlers) APIGet(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	if err := canSee(httpx.CurrentUser(c)); err != nil {
		s.APIError(c, err)
		return
	}
	r, err := approvals.Find(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// APIDecide records the signed-in leader's decision:
// {"decision": "approved"|"returned", "comment": "…"}.
func (s *Handlers) APIDecide(c *gin.Context) {
	var in approvals.DecideInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return decide(c, tx, s, id, in)
	})
}

// APIWithdraw withdraws a pending request (office): {"comment": "…"}
// (optional). The item is back with the office.
func (s *Handlers) APIWithdraw(c *gin.Context) {
	var in approvals.WithdrawInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return withdraw(c, tx, s, id, in)
	})
}
