package cyclesapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// APISetCycleMain makes the cycle its year's main cycle or not (office
// only): {"main": true|false}.
func (s *Handlers) APISetCycleMain(c *gin.Context) {
	var in struct {
		Main *bool `json:"main"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.Main == nil {
		s.APIError(c, apperr.InvalidField("main", "请说明是否设为本年度主考核"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		cy, _, err := cycles.SetMain(c, tx, httpx.CurrentUser(c).Actor(), id, *in.Main)
		return cy, err
	})
}

// CycleMainSubmit makes the cycle its year's main cycle or not from its
// page; a refusal (another main cycle that year, say) comes back on the
// page, beside the button.
func (s *Handlers) CycleMainSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	main := c.PostForm("main") == "1"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, _, err := cycles.SetMain(c, tx, httpx.CurrentUser(c).Actor(), id, main)
		return err
	})
	if e := apperr.From(err); err != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		s.showCycle(c, apperr.Status(e.Code), nil, map[string]string{"main": e.Message})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/cycles/"+strconv.FormatInt(id, 10), "cycle_main_saved")
}
