package targetsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
)

// Evidence files (佐证材料) of a sheet's indicators: the unit uploads a
// file (owned by the unit) and attaches it to an indicator; the office and
// the unit download it through /console/evidence/:id, an assessor unit
// through its own route (assessorsapp) for the indicators it assesses.

// targetEvidenceRow is one indicator with its files, as the page lists it.
type targetEvidenceRow struct {
	Indicator targets.Indicator
	Files     []targets.IndicatorFile
}

// fillEvidence lists the files of each current indicator.
func (s *Handlers) fillEvidence(c *gin.Context, d *targetPageData) error {
	files, err := targets.ListEvidence(c, s.Pool, d.Sheet.ID)
	if err != nil {
		return err
	}
	for _, in := range d.Sheet.Indicators {
		row := targetEvidenceRow{Indicator: in}
		for _, f := range files {
			if f.IndicatorID == in.ID {
				row.Files = append(row.Files, f)
			}
		}
		d.EvidenceRows = append(d.EvidenceRows, row)
	}
	return nil
}

// AttachEvidenceSubmit stores the form's file as the unit's and attaches
// it to the chosen indicator (indicator_id); a missing file, a bad
// indicator or too many files show the page again with the message.
func (s *Handlers) AttachEvidenceSubmit(c *gin.Context) {
	s.sheetAction(c, "target_evidence_added", func(tx pgx.Tx, sh targets.Sheet) error {
		indicator, _ := strconv.ParseInt(c.PostForm("indicator_id"), 10, 64)
		ids, err := evidenceform.Save(c, tx, "file", &sh.UnitID)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return apperr.InvalidField("file", "请选择要上传的佐证材料（PDF、PNG或JPEG，不超过10MB）")
		}
		_, err = targets.AttachEvidence(c, tx, httpx.CurrentUser(c).Actor(), sh, indicator, ids[0], s.Now())
		return err
	}, func(err error) targetForms {
		f := targetForms{EvidenceErrors: map[string]string{}}
		if fields, ok := httpx.FieldErrors(err); ok {
			for k, v := range fields {
				f.EvidenceErrors[k] = v
			}
		} else {
			f.EvidenceErrors["_"] = apperr.From(err).Message
		}
		return f
	})
}

// DetachEvidenceSubmit removes a file (evidence_id) from an indicator
// (indicator_id) of the sheet.
func (s *Handlers) DetachEvidenceSubmit(c *gin.Context) {
	sh, ok := s.sheetForWrite(c)
	if !ok {
		return
	}
	indicator, _ := strconv.ParseInt(c.PostForm("indicator_id"), 10, 64)
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return targets.DetachEvidence(c, tx, httpx.CurrentUser(c).Actor(), sh, indicator, c.PostForm("evidence_id"))
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, targetPath(sh.ID)+"#evidence", "target_evidence_removed")
}

// APITargetEvidence lists the files attached to the :id sheet's indicators.
func (s *Handlers) APITargetEvidence(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListEvidence(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APIAttachTargetEvidence attaches {"indicator_id", "evidence_id"} (a file
// the unit uploaded through POST /api/v1/evidence) to the :id sheet.
func (s *Handlers) APIAttachTargetEvidence(c *gin.Context) {
	var in struct {
		IndicatorID int64  `json:"indicator_id"`
		EvidenceID  string `json:"evidence_id"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return targets.AttachEvidence(c, tx, httpx.CurrentUser(c).Actor(), sh, in.IndicatorID, in.EvidenceID, s.Now())
	})
}

// APIDetachTargetEvidence removes the :evidence_id file from the
// :indicator_id indicator of the :id sheet.
func (s *Handlers) APIDetachTargetEvidence(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	indicator, err := httpx.IDParam(c, "indicator_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		err := targets.DetachEvidence(c, tx, httpx.CurrentUser(c).Actor(), sh, indicator, c.Param("evidence_id"))
		return gin.H{"removed": err == nil}, err
	})
}
