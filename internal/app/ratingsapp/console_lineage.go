package ratingsapp

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
	"minyi/internal/users"
)

// loadLineage fills the unit page's lineage section: the unit's
// predecessors and successors, and for the office the units it may name
// as a predecessor (every other unit, one query).
func (s *Handlers) loadLineage(c *gin.Context, d *unitPageData) error {
	var err error
	if d.Lineage, err = units.FindLineage(c, s.Pool, d.Unit.ID); err != nil {
		return err
	}
	if httpx.CurrentUser(c).Role != users.RoleOffice {
		return nil
	}
	all, err := units.ListUnits(c, s.Pool, nil)
	if err != nil {
		return err
	}
	d.allUnits = all
	named := map[int64]bool{d.Unit.ID: true}
	for _, p := range d.Lineage.Predecessors {
		named[p.UnitID] = true
	}
	for _, u := range all {
		if !named[u.ID] {
			d.LinUnits = append(d.LinUnits, u)
		}
	}
	return nil
}

// AddPredecessorSubmit names a predecessor of the unit from its page; a
// refused form comes back with its messages.
func (s *Handlers) AddPredecessorSubmit(c *gin.Context) {
	u, err := s.visibleUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := units.PredecessorInput{Note: c.PostForm("note")}
	if v := strings.TrimSpace(c.PostForm("predecessor_id")); v != "" {
		// A malformed id is left at 0, which Validate refuses in words.
		in.PredecessorID, _ = strconv.ParseInt(v, 10, 64)
	}
	s.unitFormWrite(c, u, "predecessor_id", func(tx pgx.Tx) error {
		_, err := units.AddPredecessor(c, tx, httpx.CurrentUser(c).Actor(), u.ID, in)
		return err
	}, func(d *unitPageData, errs map[string]string) { d.LinForm, d.LinErrs = in, errs }, "#lineage", "predecessor_added")
}

// unitFormWrite runs write in a transaction for one of the office's forms
// on the unit's page: a refusal (invalid fields, or a conflict shown under
// conflictKey) shows the page again with the messages, through fill; on
// success it goes back to the page's anchor with the flash.
func (s *Handlers) unitFormWrite(c *gin.Context, u units.Unit, conflictKey string, write func(pgx.Tx) error,
	fill func(*unitPageData, map[string]string), anchor, flash string) {
	err := db.Tx(c, s.Pool, write)
	errs, ok := httpx.FieldErrors(err)
	if apperr.Is(err, apperr.Conflict) {
		errs, ok = map[string]string{conflictKey: apperr.From(err).Message}, true
	}
	if ok {
		s.showUnitForm(c, func(d *unitPageData) { fill(d, errs) })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(u.ID)+anchor, flash)
}

// RemovePredecessorSubmit deletes a predecessor of the unit.
func (s *Handlers) RemovePredecessorSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var pid int64
	if err == nil {
		pid, err = httpx.IDParam(c, "pid")
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			return units.RemovePredecessor(c, tx, httpx.CurrentUser(c).Actor(), id, pid)
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, unitPath(id)+"#lineage", "predecessor_removed")
}
