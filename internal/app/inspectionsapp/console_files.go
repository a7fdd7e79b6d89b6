package inspectionsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
)

// AddFileSubmit stores the form's file (PDF, PNG or JPEG up to 10 MB, as
// every evidence file) and attaches it to the inspection, shared with the
// inspected units when the box is ticked.
func (s *Handlers) AddFileSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		ids, err := evidenceform.Save(c, tx, "file", nil)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return apperr.InvalidField("file", "请选择要上传的文件")
		}
		_, err = inspections.AddFiles(c, tx, httpx.CurrentUser(c).Actor(), id, ids, c.PostForm("shared") == "1")
		if e := apperr.From(err); apperr.Is(err, apperr.Invalid) && e.Fields["evidence_ids"] != "" {
			err = apperr.InvalidField("file", e.Fields["evidence_ids"])
		}
		return err
	})
	if err != nil {
		s.fileFormError(c, err)
		return
	}
	httpx.Redirect(c, inspectionPath(id)+"#files", "inspection_files")
}

// fileFormError shows the page again with a refusal beside the file form.
func (s *Handlers) fileFormError(c *gin.Context, err error) {
	if errs, ok := formErrors(err); ok {
		if m, top := errs["_"]; top {
			errs = map[string]string{"file": m}
		}
		if m := errs["shared"]; m != "" {
			errs = map[string]string{"file": m}
		}
		s.showInspection(c, http.StatusUnprocessableEntity, map[string]string{"form": "file"}, errs)
		return
	}
	s.ConsoleError(c, err)
}

// RemoveFileSubmit takes the :file off the inspection (the page asks to
// confirm first).
func (s *Handlers) RemoveFileSubmit(c *gin.Context) {
	s.fileAction(c, "inspection_file_removed", func(tx pgx.Tx, id int64, file string) error {
		_, err := inspections.RemoveFile(c, tx, httpx.CurrentUser(c).Actor(), id, file)
		return err
	})
}

// ShareFileSubmit shares the :file with the inspected units (shared=1) or
// stops sharing it (shared=0).
func (s *Handlers) ShareFileSubmit(c *gin.Context) {
	shared := c.PostForm("shared") == "1"
	flash := "inspection_file_shared"
	if !shared {
		flash = "inspection_file_unshared"
	}
	s.fileAction(c, flash, func(tx pgx.Tx, id int64, file string) error {
		_, err := inspections.ShareFile(c, tx, httpx.CurrentUser(c).Actor(), id, file, shared)
		return err
	})
}

// fileAction runs one action on the :file of the :id inspection and
// returns to its files; a refusal shows beside the file form.
func (s *Handlers) fileAction(c *gin.Context, flash string, run func(tx pgx.Tx, id int64, file string) error) {
	id, err := httpx.IDParam(c, "id")
	var file string
	if err == nil {
		file, err = fileParam(c)
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return run(tx, id, file) })
	}
	if err != nil {
		if apperr.Is(err, apperr.NotFound) && id != 0 && apperr.From(err).Message == inspections.MsgFileNotFound {
			err = apperr.New(apperr.Conflict, inspections.MsgFileNotFound+"，可能已被删除")
		}
		s.fileFormError(c, err)
		return
	}
	httpx.Redirect(c, inspectionPath(id)+"#files", flash)
}
