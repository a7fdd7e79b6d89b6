package itemsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/items"
)

// StageSubmit adds a stage or changes the one with the posted code.
func (s *Handlers) StageSubmit(c *gin.Context) {
	in := items.StageInput{Code: c.PostForm("code"), Name: c.PostForm("name")}
	if n, err := httpx.ParseInt(c.PostForm("position")); err == nil {
		in.Position = n
	}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := items.SaveStage(c, tx, httpx.CurrentUser(c).Actor(), in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showList(c, http.StatusUnprocessableEntity, func(d *itemsPageData) { d.StageForm, d.StageErrs = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/items#stages", "stage_saved")
}

// StageRetireSubmit retires a stage; StageRestoreSubmit puts it back.
func (s *Handlers) StageRetireSubmit(c *gin.Context)  { s.setStageRetired(c, true) }
func (s *Handlers) StageRestoreSubmit(c *gin.Context) { s.setStageRetired(c, false) }

func (s *Handlers) setStageRetired(c *gin.Context, retired bool) {
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return items.SetStageRetired(c, tx, httpx.CurrentUser(c).Actor(), c.Param("code"), retired)
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "stage_restored"
	if retired {
		flash = "stage_retired"
	}
	httpx.Redirect(c, "/console/items#stages", flash)
}
