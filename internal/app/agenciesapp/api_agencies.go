package agenciesapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

// The office's API for survey agencies: accounts, tokens, quotas, progress
// and uploads. Every route is office-only.

// APIListAgencies lists a survey's agencies with their progress.
func (s *Handlers) APIListAgencies(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		_, err = surveys.FindSurvey(c, s.Pool, id)
	}
	var list []agencies.Summary
	if err == nil {
		list, err = agencies.ListAgencies(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// APICreateAgency registers an agency for the survey of the path.
func (s *Handlers) APICreateAgency(c *gin.Context) {
	var in agencies.Input
	if id, ok := s.PathIDAndBody(c, &in); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			return agencies.CreateAgency(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		})
	}
}

// APIGetAgency answers with an agency and its tokens (their hints; a token
// itself is never stored).
func (s *Handlers) APIGetAgency(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	var tokens []agencies.Token
	if err == nil {
		a, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err == nil {
		tokens, err = agencies.ListTokens(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"agency": a, "tokens": tokens})
}

// APIUpdateAgency changes the fields sent: name, contact, and disabled
// (true disables the account so none of its tokens is accepted).
func (s *Handlers) APIUpdateAgency(c *gin.Context) {
	var patch struct {
		Name     *string `json:"name"`
		Contact  *string `json:"contact"`
		Disabled *bool   `json:"disabled"`
	}
	id, ok := s.PathIDAndBody(c, &patch)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		actor := httpx.CurrentUser(c).Actor()
		a, err := agencies.FindAgency(c, tx, id)
		if err != nil {
			return nil, err
		}
		if patch.Name != nil || patch.Contact != nil {
			in := agencies.Input{Name: a.Name, Contact: a.Contact}
			if patch.Name != nil {
				in.Name = *patch.Name
			}
			if patch.Contact != nil {
				in.Contact = *patch.Contact
			}
			if a, err = agencies.UpdateAgency(c, tx, actor, id, in); err != nil {
				return nil, err
			}
		}
		if patch.Disabled != nil {
			a, err = agencies.SetDisabled(c, tx, actor, id, *patch.Disabled)
		}
		return a, err
	})
}

// APIIssueAgencyToken issues a token to the agency; the answer holds the
// token, the only time it is ever shown.
func (s *Handlers) APIIssueAgencyToken(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			t, token, err := agencies.IssueToken(c, tx, httpx.CurrentUser(c).Actor(), id)
			return gin.H{"id": t.ID, "token": token, "token_info": t}, err
		})
	}
}

// APIRevokeAgencyToken revokes one of the agency's tokens at once.
func (s *Handlers) APIRevokeAgencyToken(c *gin.Context) {
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
		t, err := agencies.RevokeToken(c, tx, httpx.CurrentUser(c).Actor(), id, tokenID)
		return gin.H{"token": t}, err
	})
}

// APIAgencyQuotas lists the agency's target sample sizes.
func (s *Handlers) APIAgencyQuotas(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		_, err = agencies.FindAgency(c, s.Pool, id)
	}
	var list []agencies.Quota
	if err == nil {
		list, err = agencies.ListQuotas(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// APISetAgencyQuotas sets targets: {"items": [{"group_key", "unit_id"
// (omitted: every unit), "target" (0 removes)}]}, applied in order.
func (s *Handlers) APISetAgencyQuotas(c *gin.Context) {
	var body struct {
		Items []agencies.QuotaInput `json:"items"`
	}
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.BindJSON(c, &body, 1<<20)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		list, err := agencies.SetQuotas(c, tx, httpx.CurrentUser(c).Actor(), id, body.Items)
		return gin.H{"total": len(list), "items": list}, err
	})
}

// APIAgencyProgress answers with the agency's progress against its quotas.
func (s *Handlers) APIAgencyProgress(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	if err == nil {
		a, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.showProgress(c, a)
}

// APIAgencyUploads lists the agency's uploads, newest first.
func (s *Handlers) APIAgencyUploads(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		_, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.listUploads(c, id)
}

// APIAgencyUpload answers with one of the agency's uploads and its report.
func (s *Handlers) APIAgencyUpload(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.showUpload(c, id, "upload_id")
}
