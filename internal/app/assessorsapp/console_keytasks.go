package assessorsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

func keyTasksPath(cycleID int64) string { return cyclePath(cycleID) + "/key-tasks" }

func keyTaskPath(id int64) string { return "/console/key-tasks/" + itoa(id) }

type keyTasksPageData struct {
	httpx.BasePage
	Cycle  cycles.Cycle
	Tasks  []assessors.KeyTask
	Pager  httpx.Pager
	Units  []units.Unit
	Form   map[string]string
	Picked map[int64]bool
	Errors map[string]string
}

// KeyTasksPage lists the cycle's key tasks: the office all of them with
// the form to set one up, a unit those it leads.
func (s *Handlers) KeyTasksPage(c *gin.Context) {
	s.showKeyTasks(c, http.StatusOK, nil, nil, nil)
}

func (s *Handlers) showKeyTasks(c *gin.Context, status int, form map[string]string, picked map[int64]bool, errs map[string]string) {
	cy, err := s.cycleOf(c)
	var lead *int64
	if err == nil && !seesAll(c) {
		var me int64
		me, err = assessorUnit(c)
		lead = &me
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := keyTasksPageData{BasePage: s.Base(c, cy.Name+" 重点任务", "cycles"), Cycle: cy, Form: form, Picked: picked, Errors: errs}
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	page, offset := pageOffset(c)
	var total int
	d.Tasks, total, err = assessors.ListKeyTasks(c, s.Pool, cy.ID, lead, pageSize, offset)
	if err == nil && d.Office {
		d.Units, err = units.ListUnits(c, s.Pool, nil)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(n int) string { return keyTasksPath(cy.ID) + "?page=" + strconv.Itoa(n) })
	s.Render(c, status, "console/key_tasks.html", d)
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

// CreateKeyTaskSubmit sets up a key task (the office's).
func (s *Handlers) CreateKeyTaskSubmit(c *gin.Context) {
	cy, err := s.cycleOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	lead, _ := strconv.ParseInt(c.PostForm("lead_unit_id"), 10, 64)
	in := assessors.KeyTaskInput{Name: c.PostForm("name"), Description: c.PostForm("description"), LeadUnitID: lead,
		UnitIDs: formIDs(c, "unit_ids")}
	var t assessors.KeyTask
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		t, err = assessors.CreateKeyTask(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, in)
		return err
	})
	if err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			picked := map[int64]bool{}
			for _, id := range in.UnitIDs {
				picked[id] = true
			}
			s.showKeyTasks(c, http.StatusUnprocessableEntity, map[string]string{"name": in.Name, "description": in.Description,
				"lead_unit_id": c.PostForm("lead_unit_id")}, picked, errs)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, keyTaskPath(t.ID), "key_task_created")
}

type keyTaskPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Task    assessors.KeyTask
	Members []assessors.Member
	Pager   httpx.Pager
	Units   []units.Unit
	Error   string
}

// KeyTaskPage shows a key task and its units' progress: to the office
// (with the forms to change its lead unit, units and linked indicators)
// and, read-only, to its lead unit; any other unit gets the 403 page.
func (s *Handlers) KeyTaskPage(c *gin.Context) {
	s.showKeyTask(c, http.StatusOK, "")
}

func (s *Handlers) showKeyTask(c *gin.Context, status int, msg string) {
	t, err := s.visibleTask(c)
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, t.CycleID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := keyTaskPageData{BasePage: s.Base(c, t.Name+" · 重点任务", "cycles"), Cycle: cy, Task: t, Error: msg}
	page, offset := pageOffset(c)
	var total int
	d.Members, total, err = assessors.ListMembers(c, s.Pool, t.ID, pageSize, offset)
	if err == nil && d.Office {
		err = assessors.FillOptions(c, s.Pool, t.CycleID, d.Members)
		if err == nil {
			d.Units, err = units.ListUnits(c, s.Pool, nil)
		}
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(n int) string { return keyTaskPath(t.ID) + "?page=" + strconv.Itoa(n) })
	s.Render(c, status, "console/key_task.html", d)
}

// KeyTaskChangeSubmit runs one of the office's changes to a key task:
// op=lead (lead_unit_id), op=add (unit_ids), op=remove (unit_id) or
// op=link (unit_id, indicator_id; empty clears it).
func (s *Handlers) KeyTaskChangeSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	actor := httpx.CurrentUser(c).Actor()
	unitID, _ := strconv.ParseInt(c.PostForm("unit_id"), 10, 64)
	flash := "key_task_members"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		switch c.PostForm("op") {
		case "lead":
			lead, _ := strconv.ParseInt(c.PostForm("lead_unit_id"), 10, 64)
			flash = "key_task_lead"
			_, err = assessors.SetLead(c, tx, actor, id, lead)
		case "add":
			_, err = assessors.AddMembers(c, tx, actor, id, formIDs(c, "unit_ids"))
		case "remove":
			_, err = assessors.RemoveMember(c, tx, actor, id, unitID)
		case "link":
			var ind *int64
			if v, perr := strconv.ParseInt(c.PostForm("indicator_id"), 10, 64); perr == nil {
				ind = &v
			}
			flash = "key_task_indicator"
			_, err = assessors.LinkIndicator(c, tx, actor, id, unitID, ind)
		default:
			err = httpx.ErrNotFound
		}
		return err
	})
	if err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			var msg string
			for _, m := range errs {
				msg = m
			}
			s.showKeyTask(c, http.StatusUnprocessableEntity, msg)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, keyTaskPath(id), flash)
}
