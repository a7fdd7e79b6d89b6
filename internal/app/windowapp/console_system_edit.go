package windowapp

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// systemEditData is the page that renames a business system or changes
// its units.
type systemEditData struct {
	httpx.BasePage
	System bizsys.System
	Units  []units.Unit
	Form   bizsys.Input
	Errs   map[string]string
	Back   string
}

// Chosen reports whether the form has the unit ticked.
func (d systemEditData) Chosen(id int64) bool { return slices.Contains(d.Form.UnitIDs, id) }

// EditSystemPage shows the form with the system's name and units.
func (s *Handlers) EditSystemPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var sys bizsys.System
	if err == nil {
		sys, err = bizsys.Find(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showSystemEdit(c, http.StatusOK, sys, bizsys.Input{Name: sys.Name, UnitIDs: sys.UnitIDs}, nil)
}

func (s *Handlers) showSystemEdit(c *gin.Context, status int, sys bizsys.System, in bizsys.Input, errs map[string]string) {
	list, err := units.ListUnits(c, s.Pool, nil)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/business_system_edit.html", systemEditData{BasePage: s.Base(c, "修改业务系统", "units"),
		System: sys, Units: list, Form: in, Errs: errs, Back: systemsPath + "#system-" + strconv.FormatInt(sys.ID, 10)})
}

// UpdateSystemSubmit saves the system's name and units; bad input shows
// the form again with its errors and what was typed.
func (s *Handlers) UpdateSystemSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := bizsys.Input{Name: c.PostForm("name"), UnitIDs: formIDs(c, "unit_ids")}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := bizsys.Update(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		sys, ferr := bizsys.Find(c, s.Pool, id)
		if ferr != nil {
			s.ConsoleError(c, ferr)
			return
		}
		s.showSystemEdit(c, http.StatusUnprocessableEntity, sys, in, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, systemsPath+"#system-"+strconv.FormatInt(id, 10), "business_system_updated")
}

// formIDs reads the ids ticked in a form's checkboxes of the name,
// leaving out what is not a number.
func formIDs(c *gin.Context, name string) []int64 {
	var ids []int64
	for _, v := range c.PostFormArray(name) {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
