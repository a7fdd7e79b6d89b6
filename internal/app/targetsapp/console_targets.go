package targetsapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/selfeval"
	"minyi/internal/targets"
)

// targetPath is the console page of a sheet.
func targetPath(id int64) string { return "/console/targets/" + strconv.FormatInt(id, 10) }

// targetsListPath is the console list of a cycle's sheets.
func targetsListPath(cycleID int64) string {
	return "/console/targets?cycle_id=" + strconv.FormatInt(cycleID, 10)
}

// targetCycle picks the cycle named by ?cycle_id= (or the form's
// cycle_id), else the newest; ok is false when there is no cycle at all.
func (s *Handlers) targetCycle(c *gin.Context) (cy cycles.Cycle, list []cycles.Cycle, ok bool, err error) {
	list, _, err = cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 100})
	if err != nil || len(list) == 0 {
		return cycles.Cycle{}, list, false, err
	}
	v := c.Query("cycle_id")
	if v == "" {
		v = c.PostForm("cycle_id")
	}
	if v == "" {
		return list[0], list, true, nil
	}
	id, perr := strconv.ParseInt(v, 10, 64)
	if perr != nil || id <= 0 {
		return cycles.Cycle{}, list, false, apperr.New(apperr.NotFound, "考核年度不存在")
	}
	cy, err = cycles.FindCycle(c, s.Pool, id)
	return cy, list, err == nil, err
}

type targetListRow struct {
	targetLine
	StatusLabel string
	Link        string
	WarnLink    string
}

type targetsPageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Cycles     []cycles.Cycle
	HasCycle   bool
	Rows       []targetListRow
	Settings   targets.Settings
	Frequency  string
	Warnings   []targetWarningView
	WarnTotal  int
	WarnLink   string
	PublicLink string
	Errors     map[string]string
	Counts     map[string]int
	// SelfEvalOverdue are the cycle's self-evaluation periods past their
	// due date with reports missing (the office's and leaders' warning).
	SelfEvalOverdue []selfeval.Overdue
}

// TargetsPage lists a cycle's sheets: for the office every unit with its
// sheet's status, counts and warnings, and the cycle's settings; for a
// unit its own sheet and warnings.
func (s *Handlers) TargetsPage(c *gin.Context) { s.showTargets(c, http.StatusOK, nil, nil) }

func (s *Handlers) showTargets(c *gin.Context, status int, form *targets.Settings, errs map[string]string) {
	cy, list, ok, err := s.targetCycle(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := targetsPageData{BasePage: s.Base(c, "目标管理", "targets"), Cycle: cy, Cycles: list, HasCycle: ok, Errors: errs,
		Counts: map[string]int{}}
	if !ok {
		s.Render(c, status, "console/targets.html", d)
		return
	}
	lines, warns, err := s.targetLines(c, cy.ID)
	var set targets.Settings
	if err == nil {
		set, err = targets.FindSettings(c, s.Pool, cy.ID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if err == nil && httpx.CurrentUser(c).SeesAll() {
		d.SelfEvalOverdue, err = selfeval.OverduePeriods(c, s.Pool, cy.ID, s.Today().Format("2006-01-02"), 366)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if form != nil {
		set = *form
	}
	d.Settings, d.Frequency, d.Warnings, d.WarnTotal = set, targets.FrequencyLabel(set.Frequency), warningViews(warns), len(warns)
	d.WarnLink = "/console/targets/warnings?cycle_id=" + strconv.FormatInt(cy.ID, 10)
	d.PublicLink = "/targets/" + strconv.FormatInt(cy.ID, 10)
	for _, l := range lines {
		r := targetListRow{targetLine: l, StatusLabel: "未编制"}
		r.WarnLink = d.WarnLink + "&unit_id=" + strconv.FormatInt(l.Unit.ID, 10)
		if l.Sheet != nil {
			r.StatusLabel, r.Link = targets.StatusLabel(l.Sheet.Status), targetPath(l.Sheet.ID)
			d.Counts[l.Sheet.Status]++
		} else {
			d.Counts["none"]++
		}
		d.Rows = append(d.Rows, r)
	}
	s.Render(c, status, "console/targets.html", d)
}

// CreateTargetSubmit starts a unit's sheet (a unit user's own) and opens it.
func (s *Handlers) CreateTargetSubmit(c *gin.Context) {
	cy, _, ok, err := s.targetCycle(c)
	if err == nil && !ok {
		err = apperr.New(apperr.NotFound, "考核年度不存在")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	var unitID int64
	if u.UnitID != nil {
		unitID = *u.UnitID
	} else if unitID, err = strconv.ParseInt(c.PostForm("unit_id"), 10, 64); err != nil || unitID <= 0 {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "单位不存在"))
		return
	}
	var sh targets.Sheet
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		sh, _, err = targets.CreateSheet(c, tx, u.Actor(), cy.ID, unitID, s.Now())
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, targetPath(sh.ID), "target_created")
}

// TargetSettingsSubmit saves the cycle's reporting frequency, due days and
// the self-evaluation lock.
func (s *Handlers) TargetSettingsSubmit(c *gin.Context) {
	cy, _, ok, err := s.targetCycle(c)
	if err == nil && !ok {
		err = apperr.New(apperr.NotFound, "考核年度不存在")
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	set := targets.Settings{CycleID: cy.ID, Frequency: c.PostForm("frequency"), SelfEvalLocked: c.PostForm("self_eval_locked") == "1"}
	n, convErr := httpx.ParseInt(strings.TrimSpace(c.PostForm("due_days")))
	set.DueDays = n
	if convErr != nil {
		set.DueDays = -1
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, err = targets.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), set, s.Now())
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		if convErr != nil {
			errs["due_days"] = "报送期限须为0到90之间的整数天数"
		}
		s.showTargets(c, http.StatusUnprocessableEntity, &set, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, targetsListPath(cy.ID)+"#settings", "target_settings_saved")
}

type targetWarningsPageData struct {
	httpx.BasePage
	Cycle    cycles.Cycle
	Cycles   []cycles.Cycle
	HasCycle bool
	Units    []targetLine
	UnitID   int64
	Kind     string
	Warnings []targetWarningView
	Back     string
}

// TargetWarningsPage lists the office's early warnings of a cycle,
// filtered by unit and kind.
func (s *Handlers) TargetWarningsPage(c *gin.Context) {
	cy, list, ok, err := s.targetCycle(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := targetWarningsPageData{BasePage: s.Base(c, "目标预警", "targets"), Cycle: cy, Cycles: list, HasCycle: ok,
		Kind: c.Query("kind")}
	if ok {
		f, ferr := warningFilter(c)
		if ferr != nil {
			s.ConsoleError(c, ferr)
			return
		}
		if f.UnitID != nil {
			d.UnitID = *f.UnitID
		}
		var warns []targets.Warning
		if d.Units, _, err = s.targetLines(c, cy.ID); err == nil {
			warns, err = targets.Warnings(c, s.Pool, cy.ID, f, s.Now(), s.Config.Location)
		}
		d.Warnings = warningViews(warns)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Back = targetsListPath(cy.ID)
	}
	s.Render(c, http.StatusOK, "console/target_warnings.html", d)
}

// targetWarningView is a warning with its explanation in Chinese.
type targetWarningView struct {
	targets.Warning
	Text string
}

func warningViews(list []targets.Warning) []targetWarningView {
	out := make([]targetWarningView, 0, len(list))
	for _, w := range list {
		v := targetWarningView{Warning: w}
		switch {
		case w.Kind == targets.WarnMissingReport:
			v.Text = w.PeriodLabel + "进度报告应于 " + w.Due + " 前报送，尚未报送"
		case w.Percent != nil:
			v.Text = "完成时限 " + w.Deadline + " 已过，最近报告完成 " + strconv.Itoa(*w.Percent) + "%"
		default:
			v.Text = "完成时限 " + w.Deadline + " 已过，未报告进度"
		}
		out = append(out, v)
	}
	return out
}
