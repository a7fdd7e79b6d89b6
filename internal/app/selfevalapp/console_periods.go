package selfevalapp

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
	"minyi/internal/selfeval"
)

// periodRow is one period of the cycle's page: for the office with its
// counts, for a unit with its own report's status.
type periodRow struct {
	selfeval.Period
	Counts      selfeval.Counts
	Status      string
	StatusLabel string
	Link        string
}

type periodsPageData struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Rows    []periodRow
	Office  bool
	SeesAll bool
	UnitID  int64
	// Form is the new period's form (kept when refused), Errors its
	// messages; EditID names the period whose edit was refused.
	Form   selfeval.PeriodInput
	Errors map[string]string
	EditID int64
}

// PeriodsPage is a cycle's self-evaluation periods: the office defines
// them and sees each period's counts; a unit sees its report's status in
// each and opens its report.
func (s *Handlers) PeriodsPage(c *gin.Context) {
	s.showPeriods(c, http.StatusOK, selfeval.PeriodInput{}, nil, 0)
}

func (s *Handlers) showPeriods(c *gin.Context, status int, form selfeval.PeriodInput, errs map[string]string, editID int64) {
	cy, err := s.cycleOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	d := periodsPageData{BasePage: s.Base(c, cy.Name+" 自评", "cycles"), Cycle: cy, Office: u.SeesAll() && !u.ReadOnly(),
		SeesAll: u.SeesAll(), Form: form, Errors: errs, EditID: editID}
	today := s.today()
	if u.SeesAll() {
		list, err := selfeval.ListPeriods(c, s.Pool, cy.ID)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		for _, p := range list {
			counts, err := selfeval.CountPeriod(c, s.Pool, p, today)
			if err != nil {
				s.ConsoleError(c, err)
				return
			}
			d.Rows = append(d.Rows, periodRow{Period: p, Counts: counts, Link: periodPath(p.ID)})
		}
	} else if u.UnitID != nil {
		d.UnitID = *u.UnitID
		list, err := selfeval.ListUnitPeriods(c, s.Pool, cy.ID, *u.UnitID, today)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		for _, p := range list {
			d.Rows = append(d.Rows, periodRow{Period: p.Period, Status: p.Status, StatusLabel: selfeval.StatusLabel(p.Status),
				Link: reportPath(p.ID, *u.UnitID)})
		}
	}
	s.Render(c, status, "console/self_eval_periods.html", d)
}

func periodForm(c *gin.Context) selfeval.PeriodInput {
	return selfeval.PeriodInput{Name: c.PostForm("name"), CoversTo: c.PostForm("covers_to"), DueOn: c.PostForm("due_on"),
		Annual: c.PostForm("annual") == "1"}
}

// SavePeriodSubmit creates a period of the :id cycle (or changes the one
// of the same name) from the page's form.
func (s *Handlers) SavePeriodSubmit(c *gin.Context) {
	cy, err := s.cycleOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := periodForm(c)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := selfeval.SavePeriod(c, tx, httpx.CurrentUser(c).Actor(), cy.ID, in, s.Now())
		return err
	})
	s.afterPeriodWrite(c, cy.ID, in, err, 0)
}

// UpdatePeriodSubmit changes the :id period from its form: the row's on
// the cycle's page, or (back=period) the period page's, where it returns.
func (s *Handlers) UpdatePeriodSubmit(c *gin.Context) {
	p, err := s.periodOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := periodForm(c)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := selfeval.UpdatePeriod(c, tx, httpx.CurrentUser(c).Actor(), p.ID, in, s.Now())
		return err
	})
	if c.PostForm("back") == "period" {
		s.afterPeriodPageWrite(c, err, &in, "self_eval_period_saved")
		return
	}
	s.afterPeriodWrite(c, p.CycleID, in, err, p.ID)
}

// DeletePeriodSubmit deletes the :id period from its page and returns to
// the cycle's periods; refused (a unit has reported) on the period page.
func (s *Handlers) DeletePeriodSubmit(c *gin.Context) {
	var p selfeval.Period
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			p, err = selfeval.DeletePeriod(c, tx, httpx.CurrentUser(c).Actor(), id)
			return err
		})
	} else {
		err = apperr.New(apperr.NotFound, "自评期次不存在")
	}
	if err == nil {
		httpx.Redirect(c, periodsPath(p.CycleID), "self_eval_period_deleted")
		return
	}
	s.afterPeriodPageWrite(c, err, nil, "")
}

// afterPeriodPageWrite returns to the period page after a change from
// it: with the flash when done, else the form as typed (nil: as stored)
// and the messages beside it.
func (s *Handlers) afterPeriodPageWrite(c *gin.Context, err error, in *selfeval.PeriodInput, flash string) {
	if err == nil {
		id, _ := httpx.IDParam(c, "id")
		httpx.Redirect(c, periodPath(id), flash)
		return
	}
	fields, ok := s.formErrors(c, err)
	if !ok {
		return
	}
	s.showPeriod(c, apperr.Status(apperr.CodeOf(err)), in, fields)
}

func (s *Handlers) afterPeriodWrite(c *gin.Context, cycleID int64, in selfeval.PeriodInput, err error, editID int64) {
	if err == nil {
		httpx.Redirect(c, periodsPath(cycleID), "self_eval_period_saved")
		return
	}
	fields, ok := s.formErrors(c, err)
	if !ok {
		return
	}
	// The page reads the cycle from :id; an edit's :id is the period's.
	c.Params = gin.Params{{Key: "id", Value: strconv.FormatInt(cycleID, 10)}}
	s.showPeriods(c, apperr.Status(apperr.CodeOf(err)), in, fields, editID)
}

type overviewPageData struct {
	httpx.BasePage
	Cycle  cycles.Cycle
	Period selfeval.Period
	// Office may change and delete the period: Form is its edit form
	// (as typed when refused), Errors the messages.
	Office   bool
	Form     selfeval.PeriodInput
	Errors   map[string]string
	EditOpen bool
	Counts   selfeval.Counts
	Rows     []overviewRow
	Pager    httpx.Pager
	Search   string
	Status   string
	Statuses []statusChoice
}

type overviewRow struct {
	selfeval.UnitRow
	StatusLabel string
	Link        string
}

type statusChoice struct{ Key, Label string }

const pageSize = 50

// PeriodPage is the office's (and leaders') overview of a period: counts
// of submitted, late and missing reports and a page of units, searchable
// by name and filtered by status; the office changes or deletes the
// period there. A unit user is sent to its report.
func (s *Handlers) PeriodPage(c *gin.Context) { s.showPeriod(c, http.StatusOK, nil, nil) }

func (s *Handlers) showPeriod(c *gin.Context, status int, form *selfeval.PeriodInput, errs map[string]string) {
	p, err := s.periodOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	if !u.SeesAll() {
		if u.UnitID == nil {
			s.ConsoleError(c, apperr.New(apperr.Forbidden, MsgNotYours))
			return
		}
		c.Redirect(http.StatusSeeOther, reportPath(p.ID, *u.UnitID))
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, p.CycleID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := overviewPageData{BasePage: s.Base(c, p.Name+" · "+cy.Name, "cycles"), Cycle: cy, Period: p,
		Search: c.Query("q"), Office: !u.ReadOnly(), Errors: errs,
		Form: selfeval.PeriodInput{Name: p.Name, CoversTo: p.CoversTo, DueOn: p.DueOn, Annual: p.Annual}}
	if form != nil {
		d.Form = *form
	}
	_, refused := errs["_"]
	d.EditOpen = c.Query("edit") == "1" || (len(errs) > 0 && !refused)
	for _, st := range selfeval.Statuses {
		d.Statuses = append(d.Statuses, statusChoice{st, selfeval.StatusLabel(st)})
		if c.Query("status") == st {
			d.Status = st
		}
	}
	today := s.today()
	page := httpx.PageParam(c)
	list, total, err := selfeval.ListUnits(c, s.Pool, p, today, selfeval.Filter{Search: d.Search, Status: d.Status,
		Limit: pageSize, Offset: (page - 1) * pageSize})
	if err == nil {
		d.Counts, err = selfeval.CountPeriod(c, s.Pool, p, today)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, r := range list {
		d.Rows = append(d.Rows, overviewRow{UnitRow: r, StatusLabel: selfeval.StatusLabel(r.Status), Link: reportPath(p.ID, r.UnitID)})
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(n int) string {
		v := url.Values{}
		if d.Search != "" {
			v.Set("q", d.Search)
		}
		if d.Status != "" {
			v.Set("status", d.Status)
		}
		v.Set("page", strconv.Itoa(n))
		return periodPath(p.ID) + "?" + v.Encode()
	})
	d.Pager.Unit = "个"
	s.Render(c, status, "console/self_eval_period.html", d)
}
