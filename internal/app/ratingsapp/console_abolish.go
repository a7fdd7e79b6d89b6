package ratingsapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/httpx"
	"minyi/internal/units"
)

// abolitionView is the unit page's abolition section (撤销单位): the
// state, and for the office the form to abolish (with the units that may
// continue it) or the button to restore.
type abolitionView struct {
	// On is the day the unit was abolished as pages write it, empty while
	// it exists; Pending says it is recorded for a day still to come.
	On      string
	Pending bool
	Note    string
	// Options are the units the office may name as successors: every
	// other unit not abolished.
	Options    []units.Unit
	Form       units.AbolishInput
	Errs       map[string]string
	RestoreErr string
}

// Chosen reports whether the form names the unit as a successor.
func (v abolitionView) Chosen(id int64) bool {
	for _, s := range v.Form.SuccessorIDs {
		if s == id {
			return true
		}
	}
	return false
}

// fillAbolition fills the section from the unit and, for the office, the
// units of the lineage form (LinUnits holds every other unit).
func (s *Handlers) fillAbolition(c *gin.Context, d *unitPageData) {
	u := d.Unit
	if u.AbolishedOn != nil {
		d.Abolition.On, d.Abolition.Note = units.DateText(*u.AbolishedOn), u.AbolitionNote
		d.Abolition.Pending = *u.AbolishedOn > s.Today().Format("2006-01-02")
		d.Terminals.Active = "停止接收（单位已撤销）"
		if d.Abolition.Pending {
			d.Terminals.Active = "正常（" + d.Abolition.On + "起停止）"
		}
	}
	for _, o := range d.allUnits {
		if o.ID != u.ID && o.AbolishedOn == nil {
			d.Abolition.Options = append(d.Abolition.Options, o)
		}
	}
}

func abolishForm(c *gin.Context) units.AbolishInput {
	in := units.AbolishInput{On: strings.TrimSpace(c.PostForm("abolished_on")), Note: c.PostForm("note")}
	for _, v := range c.PostFormArray("successor_ids") {
		if v = strings.TrimSpace(v); v == "" { // 无
			continue
		}
		// A malformed id is kept as -1, which Validate refuses in words.
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			id = -1
		}
		in.SuccessorIDs = append(in.SuccessorIDs, id)
	}
	return in
}

// AbolishSubmit records that the unit was abolished, from its page; a
// refused form comes back with its messages and what was typed.
func (s *Handlers) AbolishSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := abolishForm(c)
	typed := in
	typed.SuccessorIDs = append([]int64(nil), in.SuccessorIDs...)
	s.unitFormWrite(c, u, "_", func(tx pgx.Tx) error {
		_, err := units.Abolish(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), u.ID, in)
		return err
	}, func(d *unitPageData, errs map[string]string) { d.Abolition.Form, d.Abolition.Errs = typed, errs }, "#abolition", "unit_abolished")
}

// RestoreUnitSubmit undoes the unit's abolition; a refusal shows beside
// the button.
func (s *Handlers) RestoreUnitSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.unitFormWrite(c, u, "_", func(tx pgx.Tx) error {
		_, err := units.Restore(c, tx, httpx.CurrentUser(c).Actor(), u.ID)
		return err
	}, func(d *unitPageData, errs map[string]string) { d.Abolition.RestoreErr = errs["_"] }, "#abolition", "unit_restored")
}

// APIAbolishUnit records that the unit was abolished (office only).
func (s *Handlers) APIAbolishUnit(c *gin.Context) {
	var in units.AbolishInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return units.Abolish(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, in)
	})
}

// APIRestoreUnit undoes the unit's abolition (office only).
func (s *Handlers) APIRestoreUnit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return units.Restore(c, tx, httpx.CurrentUser(c).Actor(), id)
	})
}
