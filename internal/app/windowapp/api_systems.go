package windowapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/bizsys"
	"minyi/internal/httpx"
)

// The office's API for business systems: the same records and audit as
// the console page (/console/business-systems). Every route is
// office-only.

// APIListSystems lists the business systems, enabled ones first, by name.
func (s *Handlers) APIListSystems(c *gin.Context) {
	list, err := bizsys.List(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// APICreateSystem adds a business system: {"name", "unit_ids"}. A name
// already used is refused, so sending the same system twice adds it once.
func (s *Handlers) APICreateSystem(c *gin.Context) {
	var in bizsys.Input
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return bizsys.Create(c, tx, httpx.CurrentUser(c).Actor(), in)
	})
}

// APIGetSystem answers with a system and its tokens (their hints; a token
// itself is never stored).
func (s *Handlers) APIGetSystem(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var sys bizsys.System
	var tokens []bizsys.Token
	if err == nil {
		sys, err = bizsys.Find(c, s.Pool, id)
	}
	if err == nil {
		tokens, err = bizsys.ListTokens(c, s.Pool, []int64{id})
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"system": sys, "tokens": tokens})
}

// APIUpdateSystem changes a system as the console does: {"name"} renames
// it, {"unit_ids"} sets the units it may create requests for, and
// {"disabled": true} disables it (none of its tokens is then accepted) or
// false enables it again. Fields left out keep their value; at least one
// is required, and sending the same patch twice changes nothing more.
func (s *Handlers) APIUpdateSystem(c *gin.Context) {
	var patch bizsys.Patch
	id, ok := s.PathIDAndBody(c, &patch)
	if !ok {
		return
	}
	if patch.Name == nil && patch.UnitIDs == nil && patch.Disabled == nil {
		s.APIError(c, apperr.InvalidField("disabled", "请提供要修改的字段：name、unit_ids 或 disabled"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return bizsys.Apply(c, tx, httpx.CurrentUser(c).Actor(), id, patch)
	})
}

// APIIssueSystemToken issues a token to the system; the answer holds the
// token, the only time it is ever shown.
func (s *Handlers) APIIssueSystemToken(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			t, token, err := bizsys.IssueToken(c, tx, httpx.CurrentUser(c).Actor(), id)
			return gin.H{"id": t.ID, "token": token, "token_info": t}, err
		})
	}
}

// APIRevokeSystemToken revokes one of the system's tokens at once.
func (s *Handlers) APIRevokeSystemToken(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var tokenID int64
	if err == nil {
		tokenID, err = httpx.IDParam(c, "token_id")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		t, err := bizsys.RevokeToken(c, tx, httpx.CurrentUser(c).Actor(), id, tokenID)
		return gin.H{"token": t}, err
	})
}
