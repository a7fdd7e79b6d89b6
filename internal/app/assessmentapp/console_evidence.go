package assessmentapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// Evidence files (证明材料) are uploaded in console forms (multipart, see
// formUpload and uploadInTx; the route table caps the route's body) or as
// base64 JSON through the API, and served back only to the office and the
// owning unit (evidenceform.Send), whichever feature stored them: the
// download routes here serve the files of assessment entries, bonus
// claims and deductions, and those the case, feedback and results forms
// of internal/server store themselves.

// evidencePath is where a stored file is downloaded in the console.
func evidencePath(id string) string { return "/console/evidence/" + id }

// storeEvidence stores an uploaded file in its own transaction.
func (s *Handlers) storeEvidence(c *gin.Context, owner *int64, filename string, data []byte) (assessment.EvidenceFile, error) {
	var out assessment.EvidenceFile
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = assessment.SaveEvidence(c, tx, httpx.CurrentUser(c).Actor(), owner, filename, data)
		return err
	})
	return out, err
}

// evidenceOwner is the unit an upload belongs to: the user's unit, or for
// the office the given unit_id (empty: office only).
func evidenceOwner(c *gin.Context, raw string) (*int64, error) {
	u := httpx.CurrentUser(c)
	if u.Role != users.RoleOffice {
		if u.UnitID == nil {
			return nil, apperr.New(apperr.Forbidden, "账号未关联单位，不能上传证明材料")
		}
		return u.UnitID, nil
	}
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, apperr.InvalidField("unit_id", "单位编号无效")
	}
	return &id, nil
}

// loadReadableEvidence loads the :id file if the user may read it; a file
// of another unit is not_found, so its existence is not revealed.
func (s *Handlers) loadReadableEvidence(c *gin.Context) (assessment.EvidenceFile, []byte, error) {
	f, data, err := assessment.LoadEvidence(c, s.Pool, c.Param("id"))
	if err != nil {
		return f, nil, err
	}
	u := httpx.CurrentUser(c)
	if !assessment.CanReadEvidence(f, u.Role == users.RoleOffice, u.UnitID) {
		return assessment.EvidenceFile{}, nil, apperr.New(apperr.NotFound, "证明材料不存在")
	}
	return f, data, nil
}

// evidenceUpload is an API upload: the API takes only JSON (a cross-site
// form cannot send it), so the file's bytes come base64-encoded.
type evidenceUpload struct {
	Filename string `json:"filename"`
	Content  []byte `json:"content_base64"`
	UnitID   int64  `json:"unit_id"`
}

// APIUploadEvidence stores an evidence file sent base64-encoded in JSON.
func (s *Handlers) APIUploadEvidence(c *gin.Context) {
	var in evidenceUpload
	err := httpx.BindJSON(c, &in, assessment.MaxEvidenceBytes*4/3+64<<10)
	if apperr.Is(err, apperr.Invalid) && len(apperr.From(err).Fields) == 0 && c.Request.ContentLength > assessment.MaxEvidenceBytes*4/3 {
		err = apperr.InvalidField("file", assessment.MsgEvidenceSize)
	}
	var owner *int64
	if err == nil {
		raw := ""
		if in.UnitID != 0 {
			raw = strconv.FormatInt(in.UnitID, 10)
		}
		owner, err = evidenceOwner(c, raw)
	}
	var f assessment.EvidenceFile
	if err == nil {
		f, err = s.storeEvidence(c, owner, in.Filename, in.Content)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusCreated, f)
}

// APIDownloadEvidence sends the :id evidence file to a user who may read it.
func (s *Handlers) APIDownloadEvidence(c *gin.Context) {
	f, data, err := s.loadReadableEvidence(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	evidenceform.Send(c, f, data)
}

// EvidenceDownload sends the :id evidence file to a console user who may
// read it.
func (s *Handlers) EvidenceDownload(c *gin.Context) {
	f, data, err := s.loadReadableEvidence(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	evidenceform.Send(c, f, data)
}

// formUpload reads an optional evidence file of a multipart form field,
// refusing one over the evidence size limit: ok is false when none was
// chosen.
func formUpload(c *gin.Context, field string) (name string, data []byte, ok bool, err error) {
	return httpx.FormFile(c, field, assessment.MaxEvidenceBytes, assessment.MsgEvidenceSize)
}

// evidenceLink is an evidence file as the pages list it.
type evidenceLink struct {
	assessment.EvidenceFile
	Link, SizeText string
}

// evidenceLinks describes the files of ids that the user may read.
func (s *Handlers) evidenceLinks(c *gin.Context, ids []string) ([]evidenceLink, error) {
	files, err := assessment.EvidenceInfo(c, s.Pool, ids)
	if err != nil {
		return nil, err
	}
	u := httpx.CurrentUser(c)
	var out []evidenceLink
	for _, f := range files {
		if assessment.CanReadEvidence(f, u.Role == users.RoleOffice, u.UnitID) {
			out = append(out, evidenceLink{EvidenceFile: f, Link: evidencePath(f.ID), SizeText: sizeText(f.Size)})
		}
	}
	return out, nil
}

func sizeText(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.Itoa((n+1023)/1024) + " KB"
	}
	return strconv.Itoa(n) + " B"
}
