// Package evidenceform turns a console form's optional evidence file
// (证明材料) into a stored evidence record. It is glue shared by the handler
// packages that take evidence (assessmentapp for claims and scores, casesapp
// for appeals and case reports) and is not a handler package itself.
package evidenceform

import (
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/httpx"
)

// Save stores the form's optional file of field in tx, owned by owner, and
// returns its id in a list (empty when none was chosen); a file over the
// evidence size limit is invalid on the field.
func Save(c *gin.Context, tx pgx.Tx, field string, owner *int64) ([]string, error) {
	name, data, ok, err := httpx.FormFile(c, field, assessment.MaxEvidenceBytes, assessment.MsgEvidenceSize)
	if err != nil || !ok {
		return []string{}, err
	}
	f, err := assessment.SaveEvidence(c, tx, httpx.CurrentUser(c).Actor(), owner, name, data)
	if err != nil {
		return nil, apperr.InvalidField(field, apperr.From(err).Message)
	}
	return []string{f.ID}, nil
}
