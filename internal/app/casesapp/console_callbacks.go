package casesapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/callbacks"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/search"
)

// callbackPath is a case's call-back page; id is the case's, as in the route.
func callbackPath(id string) string { return "/console/callbacks/" + id }

type callbacksListPage struct {
	httpx.BasePage
	Cases  []callbacks.Case
	Cycles []cycles.Cycle
	Export httpx.ExportLinks
	Pager  httpx.Pager
	Q      string // the keyword box
	State  string // the state tab: callbacks.StatePending, …
	States []stateTab
}

// stateTab is one of the list's state tabs with its link.
type stateTab struct {
	Label, Link string
	Current     bool
}

// callbackFilter reads the list's filter (state, q, page) of the request.
func (s *Handlers) callbackFilter(q url.Values, u *int64) (callbacks.ListFilter, error) {
	state, err := callbacks.ParseState(q.Get("state"))
	if err != nil {
		return callbacks.ListFilter{}, err
	}
	k, err := search.Parse(q.Get("q"))
	return callbacks.ListFilter{UnitID: u, State: state, Q: k, Today: s.todayString()}, err
}

// CallbacksPage lists the cases to call back, fifty a page: 待回访 (the
// default), 已回访 or all.
func (s *Handlers) CallbacksPage(c *gin.Context) {
	f, err := s.callbackFilter(c.Request.URL.Query(), httpx.CurrentUser(c).UnitID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	page := httpx.PageParam(c)
	f.Limit, f.Offset = queuePageSize, (page-1)*queuePageSize
	list, total, err := callbacks.ListCallbackCases(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	q := url.Values{"state": {f.State}}
	if f.Q.Raw != "" {
		q.Set("q", f.Q.Raw)
	}
	p := callbacksListPage{BasePage: s.Base(c, "回访", "callbacks"), Cases: list, Q: f.Q.Raw, State: f.State,
		Export: httpx.NewExportLinks("/console/callbacks", q)}
	for _, st := range callbacks.States {
		tq := url.Values{"state": {st.Key}}
		if f.Q.Raw != "" {
			tq.Set("q", f.Q.Raw)
		}
		p.States = append(p.States, stateTab{Label: st.Label, Link: "/console/callbacks?" + tq.Encode(), Current: st.Key == f.State})
	}
	p.Pager = httpx.NewPager(page, queuePageSize, total, func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return "/console/callbacks?" + q.Encode()
	})
	p.Pager.Unit = "件"
	if p.Office {
		if p.Cycles, _, err = cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 20}); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	s.Render(c, http.StatusOK, "console/callbacks.html", p)
}

type callbackPage struct {
	httpx.BasePage
	callbackView
	Form    callbacks.CallInput
	Errors  map[string]string
	NewLink *followupLinkJSON
}

func (s *Handlers) renderCallbackPage(c *gin.Context, status int, p callbackPage) {
	v, err := s.loadCallbackView(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	p.BasePage, p.callbackView = s.Base(c, "回访 · 案件 #"+strconv.FormatInt(v.Case.ID, 10), "callbacks"), v
	s.Render(c, status, "console/callback.html", p)
}

// CallbackPage shows a case's call-back page.
func (s *Handlers) CallbackPage(c *gin.Context) {
	s.renderCallbackPage(c, http.StatusOK, callbackPage{})
}

// CallbackSubmit records a call-back from the case's call-back page.
func (s *Handlers) CallbackSubmit(c *gin.Context) {
	in := callbacks.CallInput{CallerName: c.PostForm("caller_name"), CalledAt: c.PostForm("called_at"),
		Said: c.PostForm("said"), Outcome: c.PostForm("outcome"), ClientKey: c.PostForm("client_key")}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		k, err := s.callbackCase(c, tx)
		if err != nil {
			return err
		}
		_, _, err = callbacks.RecordCall(c, tx, httpx.CurrentUser(c).Actor(), k.ID, in, s.Now(), s.Config.Location)
		return err
	})
	if errs, bad := httpx.FieldErrors(err); bad {
		s.renderCallbackPage(c, http.StatusUnprocessableEntity, callbackPage{Form: in, Errors: errs})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, callbackPath(c.Param("id")), "callback_recorded")
}

// FollowupLinkSubmit issues a 追评 link and shows it once on the page.
func (s *Handlers) FollowupLinkSubmit(c *gin.Context) {
	days := 0
	if v := strings.TrimSpace(c.PostForm("days")); v != "" {
		n, err := httpx.ParseInt(v)
		if err != nil {
			n = -1
		}
		days = n
	}
	l, err := s.issueFollowupLink(c, days)
	if errs, bad := httpx.FieldErrors(err); bad {
		s.renderCallbackPage(c, http.StatusUnprocessableEntity, callbackPage{Errors: errs})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.renderCallbackPage(c, http.StatusCreated, callbackPage{NewLink: &l})
}

// CarryMarkSubmit marks or unmarks a case to carry into next year's targets
// from its call-back page.
func (s *Handlers) CarryMarkSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "整改案件不存在"))
		return
	}
	carry := c.PostForm("carry") == "1"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return callbacks.MarkCarry(c, tx, httpx.CurrentUser(c).Actor(), id, carry, s.Now())
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "case_carry_unmarked"
	if carry {
		flash = "case_carry_marked"
	}
	httpx.Redirect(c, callbackPath(c.Param("id")), flash)
}

// callbackCycle loads the cycle named by the id path parameter.
func (s *Handlers) callbackCycle(c *gin.Context) (cycles.Cycle, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return cycles.Cycle{}, apperr.New(apperr.NotFound, "考核年度不存在")
	}
	return cycles.FindCycle(c, s.Pool, id)
}

type caseDeductionsPage struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	Reasons   []assessment.DeductionReason
	ReasonKey string
	Proposals []callbacks.Proposal
	Message   string
}

// CaseDeductionsPage shows the deduction proposals from the cycle's overdue
// cases.
func (s *Handlers) CaseDeductionsPage(c *gin.Context) {
	s.renderCaseDeductions(c, http.StatusOK, c.Query("reason_key"), "")
}

func (s *Handlers) renderCaseDeductions(c *gin.Context, status int, reasonKey, msg string) {
	y, err := s.callbackCycle(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	set, err := assessment.LoadSettings(c, s.Pool, y.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if _, ok := set.Settings.Reason(reasonKey); !ok {
		reasonKey = ""
	}
	list, err := callbacks.Proposals(c, s.Pool, y.ID, reasonKey, s.todayString(), s.Config.Location, nil)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/callback_deductions.html", caseDeductionsPage{BasePage: s.Base(c, "逾期扣分建议 · "+y.Name, "cycles"),
		Cycle: y, Reasons: set.Settings.DeductionReasons, ReasonKey: reasonKey, Proposals: list, Message: msg})
}

// CaseDeductionSubmit confirms a deduction proposal from the proposals page.
func (s *Handlers) CaseDeductionSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "考核年度不存在"))
		return
	}
	unitID, _ := strconv.ParseInt(c.PostForm("unit_id"), 10, 64)
	reason := c.PostForm("reason_key")
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := callbacks.ConfirmProposal(c, tx, httpx.CurrentUser(c).Actor(), id, unitID, reason, s.todayString(), s.Config.Location)
		return err
	})
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.renderCaseDeductions(c, apperr.Status(apperr.From(err).Code), reason, apperr.From(err).Message)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/cycles/"+c.Param("id")+"/case-deductions?reason_key="+reason, "case_deduction_confirmed")
}

type caseCarryPage struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Cycles  []cycles.Cycle
	Cases   []callbacks.CarryCase
	Form    map[string]string
	Errors  map[string]string
	Message string
}

// CaseCarryPage shows the cycle's cases marked to carry into next year's
// targets.
func (s *Handlers) CaseCarryPage(c *gin.Context) { s.renderCaseCarry(c, http.StatusOK, nil, nil, "") }

func (s *Handlers) renderCaseCarry(c *gin.Context, status int, form, errs map[string]string, msg string) {
	y, err := s.callbackCycle(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	all, _, err := cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 500})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	later := []cycles.Cycle{}
	for _, n := range all {
		if n.PeriodStart > y.PeriodEnd {
			later = append(later, n)
		}
	}
	list, err := callbacks.MarkedCases(c, s.Pool, y.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/callback_carry.html", caseCarryPage{BasePage: s.Base(c, "整改转入下一年度目标 · "+y.Name, "cycles"),
		Cycle: y, Cycles: later, Cases: list, Form: form, Errors: errs, Message: msg})
}

// CaseCarrySubmit carries the marked cases into the chosen cycle's target
// drafts.
func (s *Handlers) CaseCarrySubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "考核年度不存在"))
		return
	}
	form := map[string]string{"next_cycle_id": c.PostForm("next_cycle_id"), "points": c.PostForm("points")}
	next, _ := strconv.ParseInt(form["next_cycle_id"], 10, 64)
	points, perr := strconv.ParseFloat(strings.TrimSpace(form["points"]), 64)
	if perr != nil {
		points = -1
	}
	var out []callbacks.CarryResult
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = callbacks.Carry(c, tx, httpx.CurrentUser(c).Actor(), id, callbacks.CarryInput{NextCycleID: next, Points: points}, s.Now())
		return err
	})
	if errs, bad := httpx.FieldErrors(err); bad {
		s.renderCaseCarry(c, http.StatusUnprocessableEntity, form, errs, "")
		return
	}
	if apperr.Is(err, apperr.Conflict) {
		s.renderCaseCarry(c, http.StatusConflict, form, nil, apperr.From(err).Message)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "case_carry_done"
	if len(out) == 0 {
		flash = "case_carry_nothing"
	}
	httpx.Redirect(c, "/console/cycles/"+c.Param("id")+"/case-carry", flash)
}
