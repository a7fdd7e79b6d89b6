package inspectionsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
)

// picker is the indicator picker of the record and edit forms: the
// leaves of the cycle's scheme(s) by parent item, those ticked, and the
// refusal to show beside it.
type picker struct {
	Groups []inspections.ItemGroup
	Picked map[string]bool
	// Kept are ticked items the current schemes no longer list (an
	// inspection keeps the indicators it was recorded with).
	Kept  []inspections.SchemeItem
	Error string
}

// loadPicker lists the cycle's indicators with refs ticked.
func (s *Handlers) loadPicker(c *gin.Context, cycleID int64, refs []string, msg string) (picker, error) {
	p := picker{Picked: map[string]bool{}, Error: msg}
	for _, r := range refs {
		p.Picked[r] = true
	}
	var err error
	p.Groups, err = inspections.ItemOptions(c, s.Pool, cycleID)
	return p, err
}

type itemsPageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Inspection inspections.Inspection
	Picker     picker
}

// ItemsPage shows the form that changes the indicators an inspection
// covers (the office's).
func (s *Handlers) ItemsPage(c *gin.Context) {
	s.showItems(c, http.StatusOK, nil, "")
}

func (s *Handlers) showItems(c *gin.Context, status int, refs []string, msg string) {
	id, err := httpx.IDParam(c, "id")
	var i inspections.Inspection
	if err == nil {
		i, err = inspections.Find(c, s.Pool, id, inspections.Viewer{})
	}
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, i.CycleID)
	}
	if refs == nil {
		for _, it := range i.SchemeItems {
			refs = append(refs, it.Ref)
		}
	}
	var p picker
	if err == nil {
		p, err = s.loadPicker(c, i.CycleID, refs, msg)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	listed := map[string]bool{}
	for _, g := range p.Groups {
		for _, it := range g.Items {
			listed[it.Ref] = true
		}
	}
	for _, it := range i.SchemeItems {
		if !listed[it.Ref] {
			p.Kept = append(p.Kept, it)
		}
	}
	d := itemsPageData{BasePage: s.Base(c, "涉及指标 · "+i.Title, "cycles"), Cycle: cy, Inspection: i, Picker: p}
	s.Render(c, status, "console/inspection_items.html", d)
}

// ItemsSubmit saves the ticked indicators and returns to the inspection;
// a refusal shows the form again with the ticks kept.
func (s *Handlers) ItemsSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	refs := c.PostFormArray("scheme_items")
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := inspections.SetItems(c, tx, httpx.CurrentUser(c).Actor(), id, refs)
		return err
	})
	if err != nil {
		if errs, ok := formErrors(err); ok {
			msg := errs["scheme_items"]
			if msg == "" {
				msg = errs["_"]
			}
			if refs == nil {
				refs = []string{}
			}
			s.showItems(c, http.StatusUnprocessableEntity, refs, msg)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, inspectionPath(id)+"#summary", "inspection_items")
}
