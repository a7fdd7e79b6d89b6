package casesapp

import (
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/httpx"
)

// uploadInTx stores the form's optional evidence file (证明材料) of field
// in tx, owned by owner, and returns its id in a list (empty when none was
// chosen): the evidence of an appeal against a rating and of a case's
// done report.
func uploadInTx(c *gin.Context, tx pgx.Tx, field string, owner *int64) ([]string, error) {
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
