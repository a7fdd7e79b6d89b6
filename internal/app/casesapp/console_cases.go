package casesapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/inspections"
	"minyi/internal/units"
	"minyi/internal/users"
)

// Console pages of rectification cases: the list with filters (the office
// also opens cases from target monitoring and assessment results there),
// one case with its timeline and the forms of the user's role and the
// case's state, and the office's working-day periods.

func casePath(id int64) string { return "/console/cases/" + strconv.FormatInt(id, 10) }

type casesPageData struct {
	httpx.BasePage
	Cases    []feedback.Case
	Pager    httpx.Pager
	Units    []units.Unit
	Cycles   []cycles.Cycle
	Statuses []struct{ Key, Label string }
	Filter   map[string]string
	Form     map[string]string
	Errors   map[string]string
	Today    string
	Export   httpx.ExportLinks
}

// CasesPage lists rectification cases: the office sees all (or those of
// ?unit_id=), a unit its own; ?status= and ?overdue= (any, answer, fix)
// narrow the list.
func (s *Handlers) CasesPage(c *gin.Context) {
	var form map[string]string
	if k := c.Query("source_kind"); k != "" {
		// Prefilled from a target warning or a unit's result page; the
		// list itself stays unfiltered by unit.
		form = map[string]string{"source_kind": k, "source_id": c.Query("source_id"), "cycle_id": c.Query("cycle_id"), "unit_id": c.Query("unit_id")}
		c.Request.URL.RawQuery = ""
	}
	s.showCases(c, http.StatusOK, form, nil)
}

func (s *Handlers) showCases(c *gin.Context, status int, form, errs map[string]string) {
	f, err := s.caseFilterOf(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	page := httpx.PageParam(c)
	f.Limit, f.Offset = queuePageSize, (page-1)*queuePageSize
	list, total, err := feedback.ListCases(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := casesPageData{BasePage: s.Base(c, "整改案件", "cases"), Cases: list, Statuses: feedback.CaseStatuses,
		Form: form, Errors: errs, Today: f.Today.Format("2006-01-02"),
		Filter: map[string]string{"unit_id": c.Query("unit_id"), "status": f.Status, "overdue": f.Overdue, "q": f.Q.Raw}}
	if u.SeesAll() {
		if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	if u.Role == users.RoleOffice {
		if d.Cycles, _, err = cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 100}); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	q := url.Values{}
	for k, v := range d.Filter {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.Export = httpx.NewExportLinks("/console/cases", q)
	d.Pager = httpx.NewPager(page, queuePageSize, total, func(n int) string {
		q.Set("page", strconv.Itoa(n))
		return "/console/cases?" + q.Encode()
	})
	s.Render(c, status, "console/feedback_cases.html", d)
}

// CaseOpenSubmit opens a case from target monitoring or an assessment
// result (office).
func (s *Handlers) CaseOpenSubmit(c *gin.Context) {
	form := map[string]string{"source_kind": c.PostForm("source_kind"), "source_id": c.PostForm("source_id"),
		"cycle_id": c.PostForm("cycle_id"), "unit_id": c.PostForm("unit_id"), "problem": c.PostForm("problem")}
	num := func(k string) int64 { n, _ := strconv.ParseInt(strings.TrimSpace(form[k]), 10, 64); return n }
	in := feedback.OfficeCaseInput{Kind: form["source_kind"], SourceID: num("source_id"), CycleID: num("cycle_id"),
		UnitID: num("unit_id"), Problem: form["problem"]}
	var cs feedback.Case
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		cs, err = feedback.OpenOfficeCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showCases(c, http.StatusUnprocessableEntity, form, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, casePath(cs.ID), "case_opened")
}

type casePageData struct {
	httpx.BasePage
	Case          feedback.Case
	Updates       []feedback.CaseUpdate
	Evidence      map[string]assessment.EvidenceFile
	AnswerOverdue bool
	FixOverdue    bool
	Form          map[string]string
	Errors        map[string]string
	Message       string
	Today         string
	// Follower: the user's unit is the assessor that opened the case and
	// only follows it (no forms).
	Follower bool
	// InspectionLink is the page of the inspection whose finding the case
	// was opened on (source kind inspection), "" otherwise.
	InspectionLink string
}

// CasePage shows one case with its timeline and the forms of the user's role
// and the case's state.
func (s *Handlers) CasePage(c *gin.Context) {
	s.showCase(c, http.StatusOK, nil, nil, "")
}

func (s *Handlers) showCase(c *gin.Context, status int, form, errs map[string]string, msg string) {
	cs, err := s.visibleCase(c)
	var d caseDetail
	if err == nil {
		d, err = s.caseDetailOf(c, cs)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	p := casePageData{BasePage: s.Base(c, "整改案件 #"+cs.IDString(), "cases"), Case: cs, Updates: d.Updates,
		AnswerOverdue: d.AnswerOverdue, FixOverdue: d.FixOverdue, Form: form, Errors: errs, Message: msg,
		Today: s.Now().In(s.Config.Location).Format("2006-01-02"), Evidence: map[string]assessment.EvidenceFile{}}
	if u := httpx.CurrentUser(c); !u.CanSeeUnit(cs.UnitID) {
		p.Follower = true
	}
	if cs.Kind == feedback.KindInspection {
		if id, err := strconv.ParseInt(cs.SourceID, 10, 64); err == nil {
			if f, err := inspections.FindFinding(c, s.Pool, id); err == nil {
				p.InspectionLink = "/console/inspections/" + strconv.FormatInt(f.InspectionID, 10) + "#f" + cs.SourceID
			}
		}
	}
	if p.Form == nil {
		p.Form = map[string]string{"explanation": cs.Explanation, "responsible": cs.Responsible, "measures": cs.Measures,
			"outcome": cs.Outcome, "problem": cs.Problem}
		if cs.FixDue != nil {
			p.Form["fix_due"] = *cs.FixDue
		}
	}
	ids := []string{}
	for _, u := range d.Updates {
		ids = append(ids, u.EvidenceIDs...)
	}
	files, err := assessment.EvidenceInfo(c, s.Pool, ids)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, f := range files {
		p.Evidence[f.ID] = f
	}
	s.Render(c, status, "console/case.html", p)
}

// CaseStepSubmit runs a workflow action from a console form; the done
// report carries its evidence file, stored in the same transaction.
func (s *Handlers) CaseStepSubmit(name string) gin.HandlerFunc {
	step := caseSteps[name]
	return func(c *gin.Context) {
		id, err := httpx.IDParam(c, "id")
		if err != nil {
			s.ConsoleError(c, apperr.New(apperr.NotFound, "整改案件不存在"))
			return
		}
		form := map[string]string{}
		for _, k := range []string{"explanation", "responsible", "measures", "outcome", "fix_due", "body", "reason", "problem", "released"} {
			form[k] = c.PostForm(k)
		}
		version, _ := httpx.ParseInt(c.PostForm("version"))
		in := feedback.CaseAction{Version: version, Explanation: form["explanation"], Responsible: form["responsible"],
			Measures: form["measures"], Outcome: form["outcome"], FixDue: form["fix_due"], Body: form["body"],
			Reason: form["reason"], Problem: form["problem"], Released: form["released"] == "1"}
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			if name == "done" {
				files, err := evidenceform.Save(c, tx, "file", httpx.CurrentUser(c).UnitID)
				if err != nil {
					return err
				}
				in.EvidenceIDs = files
			}
			_, err := step(c, tx, s, id, in)
			return err
		})
		switch {
		case err == nil:
			httpx.Redirect(c, casePath(id), "case_"+name)
		case apperr.Is(err, apperr.Invalid):
			errs, _ := httpx.FieldErrors(err)
			s.showCase(c, http.StatusUnprocessableEntity, form, errs, "")
		case apperr.Is(err, apperr.Conflict):
			s.showCase(c, http.StatusConflict, form, nil, apperr.From(err).Message)
		default:
			s.ConsoleError(c, err)
		}
	}
}

type caseSettingsPageData struct {
	httpx.BasePage
	Settings []feedback.CaseSetting
	Errors   map[string]string
	Reminder reminderForm
}

// CaseSettingsPage shows the working-day periods of cases.
func (s *Handlers) CaseSettingsPage(c *gin.Context) {
	s.showCaseSettings(c, http.StatusOK, nil, nil)
}

// showCaseSettings renders the page; reminder refills a refused reminder
// form (nil: the stored settings).
func (s *Handlers) showCaseSettings(c *gin.Context, status int, errs map[string]string, reminder *reminderForm) {
	list, err := feedback.ListCaseSettings(c, s.Pool)
	var set feedback.ReminderSettings
	if err == nil {
		set, err = feedback.LoadReminderSettings(c, s.Pool)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if reminder == nil {
		reminder = &reminderForm{DaysBefore: strconv.Itoa(set.DaysBefore), EscalateAfter: strconv.Itoa(set.EscalateAfter)}
	}
	s.Render(c, status, "console/case_settings.html", caseSettingsPageData{BasePage: s.Base(c, "整改期限设置", "cases"),
		Settings: list, Errors: errs, Reminder: *reminder})
}

// CaseSettingsSubmit saves the working-day periods of cases.
func (s *Handlers) CaseSettingsSubmit(c *gin.Context) {
	days := map[string]int{}
	e := apperr.Fields{}
	for _, g := range feedback.SourceGroups {
		v := strings.TrimSpace(c.PostForm(g.Key))
		n, err := httpx.ParseInt(v)
		if err != nil {
			e.Add(g.Key, "请填写1至60的整数")
			continue
		}
		days[g.Key] = n
	}
	err := e.Err()
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := feedback.SaveCaseSettings(c, tx, httpx.CurrentUser(c).Actor(), days, s.Now())
			return err
		})
	}
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showCaseSettings(c, http.StatusUnprocessableEntity, errs, nil)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/cases/settings", "case_settings_saved")
}
