package linksapp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/links"
)

// KeySubmit makes a signing key for the integration and shows its secret
// on the page this once (not through a redirect, so it is in no URL and
// no later page), with an example link it signed.
func (s *Handlers) KeySubmit(c *gin.Context) {
	it, err := s.integration(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var k links.Key
	var secret string
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		k, secret, err = links.NewKey(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), it.ID)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	s.show(c, http.StatusOK, it, func(d *pageData) {
		d.NewKey, d.NewSecret, d.Example = k.KeyID, secret, s.exampleLink(k.KeyID, secret)
	})
}

// exampleLink is a link signed with a key just made, valid for two hours,
// shown with its secret so the platform can check its own signer.
func (s *Handlers) exampleLink(keyID, secret string) string {
	example := links.Link{Unit: "1", Case: "SL2026120400001", Item: "EXAMPLE-ITEM", Stage: "3",
		Expires: s.Now().Add(2 * time.Hour).Truncate(time.Second), KeyID: keyID}
	return example.URL(s.Config.PublicBaseURL, secret)
}

// RevokeSubmit revokes one of the integration's keys.
func (s *Handlers) RevokeSubmit(c *gin.Context) {
	it, err := s.integration(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			return links.RevokeKey(c, tx, httpx.CurrentUser(c).Actor(), it.ID, c.Param("kid"))
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, pageURL(it.ID)+"#keys", "link_key_revoked")
}
