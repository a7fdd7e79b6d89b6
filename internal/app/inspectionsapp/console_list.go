package inspectionsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
	"minyi/internal/secure"
)

type listPageData struct {
	httpx.BasePage
	Cycle       cycles.Cycle
	Inspections []inspections.Inspection
	Total       int
	Pager       httpx.Pager
	Kinds       []struct{ Key, Label string }
	Units       []inspections.UnitRef
	Kind        string
	UnitID      string
	FilterError string
}

// ListPage lists a page of the cycle's inspections, filtered by kind and
// unit: every inspection for the office and leaders, a unit those of its
// unit.
func (s *Handlers) ListPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := listPageData{BasePage: s.Base(c, cy.Name+" 检查记录", "cycles"), Cycle: cy, Kinds: inspections.Kinds,
		Kind: c.Query("kind"), UnitID: c.Query("unit_id")}
	page := httpx.PageParam(c)
	f := inspections.Filter{CycleID: cy.ID, Limit: pageSize, Offset: (page - 1) * pageSize}
	v := viewer(c)
	if err := parseFilter(d.Kind, d.UnitID, &f); err != nil {
		d.FilterError, f.Kind, f.UnitID, d.Kind, d.UnitID = "筛选条件无效，已显示全部检查记录。", "", nil, "", ""
	}
	d.Inspections, d.Total, err = inspections.List(c, s.Pool, f, v)
	if err == nil && v.UnitID == nil {
		d.Units, err = inspections.CycleUnits(c, s.Pool, cy.ID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, d.Total, func(n int) string {
		q := url.Values{"page": {strconv.Itoa(n)}}
		if d.Kind != "" {
			q.Set("kind", d.Kind)
		}
		if d.UnitID != "" {
			q.Set("unit_id", d.UnitID)
		}
		return listPath(cy.ID) + "?" + q.Encode()
	})
	s.Render(c, http.StatusOK, "console/inspections.html", d)
}

type newPageData struct {
	httpx.BasePage
	Cycle  cycles.Cycle
	Kinds  []struct{ Key, Label string }
	Units  []inspections.UnitRef
	Form   map[string]string
	Picked map[int64]bool
	Picker picker
	Errors map[string]string
}

// NewPage shows the form that records an inspection (the office's).
func (s *Handlers) NewPage(c *gin.Context) {
	form := map[string]string{"held_on": s.Today().Format("2006-01-02"), "client_key": secure.Token(12)}
	s.showNew(c, http.StatusOK, form, nil, nil, nil)
}

func (s *Handlers) showNew(c *gin.Context, status int, form map[string]string, picked map[int64]bool, items []string,
	errs map[string]string) {
	id, err := httpx.IDParam(c, "id")
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, id)
	}
	d := newPageData{Cycle: cy, Kinds: inspections.Kinds, Form: form, Picked: picked, Errors: errs}
	if err == nil {
		d.Units, err = inspections.CycleUnits(c, s.Pool, cy.ID)
	}
	if err == nil {
		d.Picker, err = s.loadPicker(c, cy.ID, items, errs["scheme_items"])
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.BasePage = s.Base(c, "登记检查 · "+cy.Name, "cycles")
	s.Render(c, status, "console/inspection_new.html", d)
}

// CreateSubmit records the inspection from the form and opens its page;
// bad input shows the form again with the messages beside the fields.
func (s *Handlers) CreateSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := inspections.Input{Kind: c.PostForm("kind"), HeldOn: c.PostForm("held_on"), Title: c.PostForm("title"),
		People: c.PostForm("people"), UnitIDs: formIDs(c, "unit_ids"), SchemeItems: c.PostFormArray("scheme_items"),
		ClientKey: c.PostForm("client_key")}
	var out inspections.Inspection
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, _, err = inspections.Create(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Today().Format("2006-01-02"))
		return err
	})
	if err != nil {
		if errs, ok := formErrors(err); ok {
			picked := map[int64]bool{}
			for _, u := range in.UnitIDs {
				picked[u] = true
			}
			form := httpx.PostedForm(c, "", "kind", "held_on", "title", "people", "client_key")
			s.showNew(c, http.StatusUnprocessableEntity, form, picked, in.SchemeItems, errs)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, inspectionPath(out.ID), "inspection_created")
}

// formIDs reads the ids of a multiple select; a bad value is left out.
func formIDs(c *gin.Context, field string) []int64 {
	var out []int64
	for _, v := range c.PostFormArray(field) {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// formErrors are the messages a form shows again: per field for invalid
// input, on top ("_") for a conflict such as a cycle whose result is final.
func formErrors(err error) (map[string]string, bool) {
	if apperr.Is(err, apperr.Conflict) {
		return map[string]string{"_": apperr.From(err).Message}, true
	}
	return httpx.FieldErrors(err)
}
