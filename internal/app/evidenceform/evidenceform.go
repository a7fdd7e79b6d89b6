// Package evidenceform turns a console form's optional evidence file
// (证明材料) into a stored evidence record, and sends a stored file back as
// a download. It is glue shared by the handler packages that take or serve
// evidence (assessmentapp for claims and scores, casesapp for appeals and
// case reports, targetsapp for indicators' 佐证材料, assessorsapp for an
// assessor's downloads) and is not a handler package itself.
package evidenceform

import (
	"mime"
	"net/http"

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

// Send writes a stored file as an attachment with its sniffed type, never
// cached and never sniffed again by the browser.
func Send(c *gin.Context, f assessment.EvidenceFile, data []byte) {
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, f.ContentType, data)
}
