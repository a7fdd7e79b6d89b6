package linksapp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/links"
)

// The office's API for online integrations and their signing keys: the
// same records and audit as the console pages (/console/rating-links).
// Every route is office-only.

// integrationBody is an integration's fields as the API takes them, each
// optional: origins is a list, as the API answers it.
type integrationBody struct {
	Name    *string   `json:"name"`
	PF      *int      `json:"pf"`
	Origins *[]string `json:"origins"`
	Enabled *bool     `json:"enabled"`
}

// sent reports whether the body names any field.
func (b integrationBody) sent() bool {
	return b.Name != nil || b.PF != nil || b.Origins != nil || b.Enabled != nil
}

// over is in with the fields the body sent put in.
func (b integrationBody) over(in links.Input) links.Input {
	if b.Name != nil {
		in.Name = *b.Name
	}
	if b.PF != nil {
		in.PF = *b.PF
	}
	if b.Origins != nil {
		in.Origins = strings.Join(*b.Origins, "\n")
	}
	if b.Enabled != nil {
		in.Enabled = *b.Enabled
	}
	return in
}

// APIListIntegrations lists the online integrations by name.
func (s *Handlers) APIListIntegrations(c *gin.Context) {
	list, err := links.ListIntegrations(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// APICreateIntegration adds an integration: {"name", "pf" (1 PC, 2 app),
// "origins" (the web origins that may frame the rating page, may be
// empty), "enabled" (true when left out)}. A name already used is
// refused, so sending the same integration twice adds it once.
func (s *Handlers) APICreateIntegration(c *gin.Context) {
	var body integrationBody
	if err := httpx.BindJSON(c, &body, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	in := body.over(links.Input{Enabled: true})
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return links.SaveIntegration(c, tx, httpx.CurrentUser(c).Actor(), 0, in)
	})
}

// APIGetIntegration answers with an integration and its keys (their ids;
// a secret is shown only when made).
func (s *Handlers) APIGetIntegration(c *gin.Context) {
	it, err := s.integration(c)
	var keys []links.Key
	if err == nil {
		keys, err = links.ListKeys(c, s.Pool, it.ID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"integration": it, "keys": keys})
}

// APIUpdateIntegration changes the fields sent: name, pf, origins (the
// whole list) and enabled (false refuses every link of the integration
// at once, true takes them again).
func (s *Handlers) APIUpdateIntegration(c *gin.Context) {
	var body integrationBody
	id, ok := s.PathIDAndBody(c, &body)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		it, err := links.FindIntegration(c, tx, id)
		if err != nil || !body.sent() {
			return it, err
		}
		in := body.over(links.Input{Name: it.Name, PF: it.PF, Origins: strings.Join(it.Origins, "\n"), Enabled: it.Enabled})
		return links.SaveIntegration(c, tx, httpx.CurrentUser(c).Actor(), id, in)
	})
}

// APINewKey makes a signing key for the integration; the answer holds the
// secret, the only time it is ever shown, and an example link it signed.
// A new key does not end the others: rotating is making one, moving the
// platform to it, then revoking the old.
func (s *Handlers) APINewKey(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	c.Header("Cache-Control", "no-store")
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		k, secret, err := links.NewKey(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id)
		if err != nil {
			return nil, err
		}
		return gin.H{"key_id": k.KeyID, "secret": secret, "key": k, "example": s.exampleLink(k.KeyID, secret)}, nil
	})
}

// APIRevokeKey revokes one of the integration's keys at once: links it
// signed are refused from then on; revoking again is harmless.
func (s *Handlers) APIRevokeKey(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	kid := c.Param("kid")
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if err := links.RevokeKey(c, tx, httpx.CurrentUser(c).Actor(), id, kid); err != nil {
			return nil, err
		}
		keys, err := links.ListKeys(c, tx, id)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if k.KeyID == kid {
				return gin.H{"key": k}, nil
			}
		}
		return nil, apperr.New(apperr.NotFound, "密钥不存在")
	})
}
