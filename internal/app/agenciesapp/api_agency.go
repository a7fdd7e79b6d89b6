package agenciesapp

import (
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/surveys"
)

// maxAgencyBatchBytes bounds an agency's JSON batch (up to agencies.MaxRows
// rows with long opinions); a file is bounded by surveys.MaxFileBytes.
const maxAgencyBatchBytes = 16 << 20

const ctxAgency = "minyi.agency"

// AgencyAuth lets through requests carrying an active agency token.
func (s *Handlers) AgencyAuth(c *gin.Context) {
	token, ok := httpx.BearerToken(c)
	if !ok {
		s.APIError(c, apperr.New(apperr.Unauthorized, "缺少机构令牌（Authorization: Bearer <token>）"))
		return
	}
	if d := s.Limiter.Allow(c, s.Config.Limits.Agency, "ag:"+hex.EncodeToString(secure.SHA256(token)[:16])); d.Limited {
		s.LimitedAPI(c, d.RetryAfter)
		return
	}
	sess, err := agencies.Authenticate(c, s.Pool, token)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.Set(ctxAgency, sess)
	c.Next()
}

func currentAgency(c *gin.Context) agencies.Session { return c.MustGet(ctxAgency).(agencies.Session) }

// agencyUnitJSON is a unit as an agency sees it: enough to name it in an upload.
type agencyUnitJSON struct {
	ID        int64   `json:"id"`
	ShortCode *string `json:"short_code"`
	Name      string  `json:"name"`
}

type fileColumnJSON struct {
	Field    string   `json:"field"`
	Headers  []string `json:"headers"`
	Required bool     `json:"required"`
}

// AgencyWhoAmI tells an agency who it is and what it needs to prepare
// uploads: its survey's questions, groups and units, the accepted file
// columns and the limits.
func (s *Handlers) AgencyWhoAmI(c *gin.Context) {
	a := currentAgency(c).Agency
	cat, err := agencies.LoadCatalog(c, s.Pool, a.SurveyID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	sv := cat.Survey
	listed := cat.Listed()
	list := make([]agencyUnitJSON, len(listed))
	for i, u := range listed {
		list[i] = agencyUnitJSON{ID: u.ID, ShortCode: u.ShortCode, Name: u.Name}
	}
	var cols []fileColumnJSON
	for _, col := range agencies.FileColumns(sv) {
		cols = append(cols, fileColumnJSON{Field: col.Field, Headers: col.Names, Required: col.Required})
	}
	c.JSON(http.StatusOK, gin.H{
		"agency": gin.H{"id": a.ID, "name": a.Name, "contact": a.Contact},
		"survey": gin.H{"id": sv.ID, "title": sv.Title, "cycle_name": sv.CycleName, "status": sv.Status,
			"closes_at": sv.ClosesAt, "accepting": agencies.AcceptsUploads(sv, s.Now()) == nil, "allow_opinion": sv.AllowOpinion},
		"questions":    sv.Questions,
		"groups":       sv.Groups,
		"units":        list,
		"file_columns": cols,
		"limits":       gin.H{"max_rows": agencies.MaxRows, "max_file_bytes": surveys.MaxFileBytes, "max_batch_bytes": maxAgencyBatchBytes},
	})
}

// AgencyUploadJSON takes a JSON batch {"responses": [...]} and answers with
// the upload's row-by-row report.
func (s *Handlers) AgencyUploadJSON(c *gin.Context) {
	sess := currentAgency(c)
	up, err := s.storeAgencyUpload(c, sess.Agency, &sess.Token.ID, nil, func(surveys.Survey) (agencies.UploadInput, error) {
		var body struct {
			Responses []json.RawMessage `json:"responses"`
		}
		if err := httpx.DecodeJSON(c, &body, maxAgencyBatchBytes); err != nil {
			return agencies.UploadInput{}, err
		}
		rows, err := agencies.RowsFromJSON(body.Responses)
		return agencies.UploadInput{Format: agencies.FormatJSON, Rows: rows}, err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, up)
}

// AgencyUploadFile takes a CSV or .xlsx file in the multipart field "file":
// Minyi's own template, or another export read through the agency's saved
// mapping; without a mapping that fits, it answers 422 with a guessed one.
func (s *Handlers) AgencyUploadFile(c *gin.Context) {
	sess := currentAgency(c)
	up, err := s.storeAgencyUpload(c, sess.Agency, &sess.Token.ID, nil, func(sv surveys.Survey) (agencies.UploadInput, error) {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, surveys.MaxFileBytes+1<<20)
		data, name, err := httpx.UploadedFile(c, surveys.MaxFileBytes)
		if err != nil {
			return agencies.UploadInput{}, err
		}
		return agencies.ReadMappedFile(c, s.Pool, sess.Agency, data, name, sv)
	})
	if err != nil {
		s.answerUploadErr(c, err)
		return
	}
	c.JSON(http.StatusOK, up)
}

// storeAgencyUpload refuses an upload to a survey not taking answers before
// reading it, then reads the rows with read and stores them in one
// transaction with the upload's report.
func (s *Handlers) storeAgencyUpload(c *gin.Context, a agencies.Agency, tokenID *int64, staff *audit.Actor,
	read func(surveys.Survey) (agencies.UploadInput, error)) (agencies.Upload, error) {
	cat, err := agencies.LoadCatalog(c, s.Pool, a.SurveyID)
	if err != nil {
		return agencies.Upload{}, err
	}
	now := s.Now()
	if err := agencies.AcceptsUploads(cat.Survey, now); err != nil {
		return agencies.Upload{}, err
	}
	in, err := read(cat.Survey)
	if err != nil {
		return agencies.Upload{}, err
	}
	in.TokenID, in.UploadedBy = tokenID, staff
	var up agencies.Upload
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		up, err = agencies.StoreUpload(c, tx, a, cat, in, now, s.Config.Location)
		return err
	})
	return up, err
}

// AgencyProgress answers the signed-in agency with its progress against its
// quotas.
func (s *Handlers) AgencyProgress(c *gin.Context) { s.showProgress(c, currentAgency(c).Agency) }

// showProgress answers with the agency's progress against its quotas.
func (s *Handlers) showProgress(c *gin.Context, a agencies.Agency) {
	sv, err := surveys.FindSurvey(c, s.Pool, a.SurveyID)
	var p agencies.Progress
	if err == nil {
		p, err = agencies.AgencyProgress(c, s.Pool, a, sv)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

// AgencyTemplateXLSX downloads the upload template of the agency's survey.
func (s *Handlers) AgencyTemplateXLSX(c *gin.Context) {
	if err := s.sendTemplate(c, currentAgency(c).Agency); err != nil {
		s.APIError(c, err)
	}
}

// AgencyUploads lists the signed-in agency's uploads, newest first.
func (s *Handlers) AgencyUploads(c *gin.Context) { s.listUploads(c, currentAgency(c).Agency.ID) }

// AgencyUpload answers the signed-in agency with one of its uploads and its
// report.
func (s *Handlers) AgencyUpload(c *gin.Context) { s.showUpload(c, currentAgency(c).Agency.ID, "id") }

// listUploads answers with the agency's uploads, newest first.
func (s *Handlers) listUploads(c *gin.Context, agencyID int64) {
	limit, offset, err := httpx.Paging(c)
	var list []agencies.Upload
	var total int
	if err == nil {
		list, total, err = agencies.ListUploads(c, s.Pool, agencyID, limit, offset)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	// A list leaves out each upload's report (its outer field hides the
	// embedded one); GET …/uploads/:id gives it.
	type item struct {
		agencies.Upload
		Report *struct{} `json:"report,omitempty"`
	}
	out := make([]item, len(list))
	for i, u := range list {
		out[i] = item{Upload: u}
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": out})
}

// showUpload answers with one of the agency's uploads and its report; the
// upload's id is the path parameter param.
func (s *Handlers) showUpload(c *gin.Context, agencyID int64, param string) {
	id, err := httpx.IDParam(c, param)
	var up agencies.Upload
	if err == nil {
		up, err = agencies.FindUpload(c, s.Pool, agencyID, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, up)
}
