package inspectionsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
)

// APIAddFiles attaches uploaded evidence files ({"evidence_ids"}, from
// POST /api/v1/evidence; "shared": true to let the inspected units
// download them) to the inspection (the office's).
func (s *Handlers) APIAddFiles(c *gin.Context) {
	var in struct {
		EvidenceIDs []string `json:"evidence_ids"`
		Shared      bool     `json:"shared"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return inspections.AddFiles(c, tx, httpx.CurrentUser(c).Actor(), id, in.EvidenceIDs, in.Shared)
	})
}

// APIRemoveFile takes the :file off the inspection (the office's).
func (s *Handlers) APIRemoveFile(c *gin.Context) {
	s.fileTx(c, nil, func(tx pgx.Tx, id int64, file string) (inspections.Inspection, error) {
		return inspections.RemoveFile(c, tx, httpx.CurrentUser(c).Actor(), id, file)
	})
}

// APIShareFile shares the :file with the inspected units or stops sharing
// it ({"shared": true|false}, the office's).
func (s *Handlers) APIShareFile(c *gin.Context) {
	var in struct {
		Shared *bool `json:"shared"`
	}
	s.fileTx(c, &in, func(tx pgx.Tx, id int64, file string) (inspections.Inspection, error) {
		if in.Shared == nil {
			return inspections.Inspection{}, apperr.InvalidField("shared", "请说明是否提供给被检查单位下载")
		}
		return inspections.ShareFile(c, tx, httpx.CurrentUser(c).Actor(), id, file, *in.Shared)
	})
}

// fileTx reads the body into in (nil: none) and runs fn on the :file of
// the :id inspection in a transaction, answering the inspection.
func (s *Handlers) fileTx(c *gin.Context, in any, fn func(tx pgx.Tx, id int64, file string) (inspections.Inspection, error)) {
	id, ok := s.PathIDAndBody(c, in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		file, err := fileParam(c)
		if err != nil {
			return nil, err
		}
		return fn(tx, id, file)
	})
}

// APIDownloadFile sends the :file of the inspection to a user who may
// download it (inspections.ReadableFile).
func (s *Handlers) APIDownloadFile(c *gin.Context) {
	if err := s.sendFile(c); err != nil {
		s.APIError(c, err)
	}
}

// FileDownload is APIDownloadFile for the console.
func (s *Handlers) FileDownload(c *gin.Context) {
	if err := s.sendFile(c); err != nil {
		s.ConsoleError(c, err)
	}
}

func (s *Handlers) sendFile(c *gin.Context) error {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return err
	}
	file, err := fileParam(c)
	if err != nil {
		return err
	}
	f, err := inspections.ReadableFile(c, s.Pool, id, file, viewer(c))
	if err != nil {
		return err
	}
	ef, data, err := assessment.LoadEvidence(c, s.Pool, f.ID)
	if err != nil {
		return err
	}
	evidenceform.Send(c, ef, data)
	return nil
}

// itemsJSON is the picker's list: the leaves of the cycle's schemes by
// parent item.
type itemGroupJSON struct {
	Scheme string                   `json:"scheme"`
	Parent string                   `json:"parent"`
	Items  []inspections.SchemeItem `json:"items"`
}

// APIItemOptions lists the indicators of the cycle's current scheme(s) an
// inspection may cover, grouped by their parent item.
func (s *Handlers) APIItemOptions(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		_, err = cycles.FindCycle(c, s.Pool, id)
	}
	var groups []inspections.ItemGroup
	if err == nil {
		groups, err = inspections.ItemOptions(c, s.Pool, id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	out := make([]itemGroupJSON, 0, len(groups))
	for _, g := range groups {
		out = append(out, itemGroupJSON(g))
	}
	c.JSON(http.StatusOK, gin.H{"groups": out})
}

// APISetItems makes {"scheme_items": [refs]} the inspection's scheme
// indicators (the office's).
func (s *Handlers) APISetItems(c *gin.Context) {
	var in struct {
		SchemeItems []string `json:"scheme_items"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return inspections.SetItems(c, tx, httpx.CurrentUser(c).Actor(), id, in.SchemeItems)
	})
}

// fileParam is the :file path parameter, an evidence file's id; not_found
// (MsgFileNotFound) when it is not one.
func fileParam(c *gin.Context) (string, error) {
	id, err := uuid.Parse(c.Param("file"))
	if err != nil {
		return "", apperr.New(apperr.NotFound, inspections.MsgFileNotFound)
	}
	return id.String(), nil
}
