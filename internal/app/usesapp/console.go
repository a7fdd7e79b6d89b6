package usesapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/rewards"
	"minyi/internal/users"
)

// pageSize is how many units the page lists at a time.
const pageSize = 50

// gradeKeys are the grades of the table's form, best first.
var gradeKeys = []string{assessment.GradeExcellent, assessment.GradeGood, assessment.GradePass, assessment.GradeFail}

type gradeField struct{ Key, Label, Value string }

// pageData is the 结果运用 page of a cycle.
type pageData struct {
	httpx.BasePage
	Cycle    cycles.Cycle
	Final    bool
	Own      bool // a unit user: its own line only
	Settings rewards.Settings
	Grades   []gradeField
	Form     map[string]string
	Errors   map[string]string
	Error    string
	Lines    []rewards.UnitLine
	Rows     []amountRow
	Proposed []proposedRow
	Pager    httpx.Pager
	PPager   httpx.Pager
	Link     string
}

// recordForm is the form recording 通报批评 or 表彰 of a unit, open with
// the posted values and the refusal when it was the one posted.
type recordForm struct {
	Link, CSRF, Kind, Label string
	Unit                    int64
	Open                    bool
	Values, Errors          map[string]string
}

// proposedRow is a unit proposed for a consequence, with its forms.
type proposedRow struct {
	rewards.UnitLine
	CritForm, CommForm recordForm
}

func (d *pageData) recordForm(unitID int64, kind, label string) recordForm {
	f := recordForm{Link: d.Link, CSRF: d.CSRF, Kind: kind, Label: label, Unit: unitID, Values: map[string]string{}, Errors: map[string]string{}}
	if d.Form["form"] == "record" && d.Form["unit"] == strconv.FormatInt(unitID, 10) && d.Form["kind"] == kind {
		f.Open, f.Values, f.Errors = true, d.Form, d.Errors
	}
	return f
}

// fixed writes v with the given decimals, trailing zeros dropped.
func fixed(v int64, decimals int) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= decimals {
		s = "0" + s
	}
	out := s[:len(s)-decimals]
	if frac := strings.TrimRight(s[len(s)-decimals:], "0"); frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// parseFixed reads a non-negative decimal with at most decimals places as
// an integer of that scale: "12.5" with 2 is 1250.
func parseFixed(s string, decimals int) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > decimals || whole == "" || len(whole) > 12 {
		return 0, false
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	frac += strings.Repeat("0", decimals-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil
}

// settingsForm is the table's form as stored values.
func settingsForm(s rewards.Settings) map[string]string {
	t := s.Table
	f := map[string]string{"mode": t.Mode, "base": fixed(t.Base, 2), "raise": fixed(t.RaiseBP, 2),
		"cut_accountability": fixed(t.CutAccountabilityBP, 2), "cut_failed_task": fixed(t.CutFailedTaskBP, 2),
		"threshold": strconv.FormatFloat(s.CriticismThreshold, 'f', -1, 64)}
	if t.PerHead {
		f["per_head"] = "1"
	}
	for _, g := range gradeKeys {
		if v, ok := t.Grades[g]; ok {
			if t.Mode == rewards.ModeCoefficient {
				f["grade_"+g] = fixed(v, 4)
			} else {
				f["grade_"+g] = fixed(v, 2)
			}
		}
	}
	return f
}

// settingsFromForm reads the posted table; a field that is not a number
// of the right form is refused beside it.
func settingsFromForm(c *gin.Context) (rewards.Settings, error) {
	e := apperr.Fields{}
	num := func(field string, decimals int, msg string) int64 {
		v, ok := parseFixed(c.PostForm(field), decimals)
		if !ok {
			e.Add(field, msg)
		}
		return v
	}
	t := rewards.Table{Mode: c.PostForm("mode"), PerHead: c.PostForm("per_head") != "", Grades: map[string]int64{}}
	t.Base = num("base", 2, "基数须为金额（元），最多两位小数")
	for _, g := range gradeKeys {
		if strings.TrimSpace(c.PostForm("grade_"+g)) == "" {
			continue
		}
		if t.Mode == rewards.ModeCoefficient {
			t.Grades[g] = num("grade_"+g, 4, assessment.GradeLabel(g)+"的系数须为数字，最多四位小数")
		} else {
			t.Grades[g] = num("grade_"+g, 2, assessment.GradeLabel(g)+"的金额须为金额（元），最多两位小数")
		}
	}
	t.RaiseBP = num("raise", 2, "上浮比例须为百分数，最多两位小数")
	t.CutAccountabilityBP = num("cut_accountability", 2, "扣减比例须为百分数，最多两位小数")
	t.CutFailedTaskBP = num("cut_failed_task", 2, "扣减比例须为百分数，最多两位小数")
	th, err := strconv.ParseFloat(strings.TrimSpace(c.PostForm("threshold")), 64)
	if err != nil {
		e.Add("threshold", "通报批评的扣分标准须为分数")
	}
	if err := e.Err(); err != nil {
		return rewards.Settings{}, err
	}
	return rewards.Settings{Table: t, CriticismThreshold: th}, nil
}

// formFields maps the stored settings' fields to the form's.
var formFields = map[string]string{"raise_bp": "raise", "cut_accountability_bp": "cut_accountability",
	"cut_failed_task_bp": "cut_failed_task", "criticism_threshold": "threshold", "grades": "grades"}

// UsesPage shows the 结果运用 page: for the office the bonus table form,
// the units proposed for 通报批评, a case or 表彰 with one-step actions,
// and every unit's amount (paged) with the export; for a leader the same
// read-only; for a unit its own line.
func (s *Handlers) UsesPage(c *gin.Context) {
	s.render(c, http.StatusOK, nil, nil, "")
}

func (s *Handlers) render(c *gin.Context, status int, form, errs map[string]string, msg string) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, id)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	d := pageData{BasePage: s.Base(c, cy.Name+" · 结果运用", "cycles"), Cycle: cy, Own: u.Role == users.RoleUnit,
		Errors: errs, Error: msg, Link: usesLink(cy.ID)}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	page := httpx.PageParam(c)
	if form["form"] == "factors" {
		page = httpx.PageNumber(form["page"])
	}
	lines, total, set, err := rewards.Lines(c, s.Pool, id, rewards.Filter{UnitID: ownUnit(u), Offset: (page - 1) * pageSize, Limit: pageSize})
	switch {
	case apperr.Is(err, apperr.Conflict):
		set, err = rewards.LoadSettings(c, s.Pool, id)
	case err == nil:
		d.Final = true
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if d.Final && d.Office {
		if err := rewards.Suggest(c, s.Pool, id, s.Today().Format(time.DateOnly), lines); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	d.Settings, d.Lines, d.Rows = set, lines, amountRows(lines, form, errs)
	if d.Own && len(d.Rows) == 1 && d.Rows[0].CaseID != nil {
		r := &d.Rows[0]
		if r.CaseStatus, r.CaseDue, err = rewards.CaseState(c, s.Pool, *r.CaseID); err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	if d.Final && !d.Own {
		ppage := httpx.PageNumber(c.Query("ppage"))
		proposed, ptotal, _, err := rewards.Lines(c, s.Pool, id, rewards.Filter{Proposed: true, Offset: (ppage - 1) * pageSize, Limit: pageSize})
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Form = form
		for _, l := range proposed {
			d.Proposed = append(d.Proposed, proposedRow{UnitLine: l,
				CritForm: d.recordForm(l.UnitID, rewards.KindCriticism, "登记通报批评"),
				CommForm: d.recordForm(l.UnitID, rewards.KindCommendation, "登记表彰")})
		}
		d.PPager = httpx.NewPager(ppage, pageSize, ptotal, func(p int) string {
			return d.Link + "?" + url.Values{"ppage": {strconv.Itoa(p)}, "page": {strconv.Itoa(page)}}.Encode() + "#proposed"
		})
		d.PPager.Unit = "个"
	}
	d.Form = form
	if d.Form == nil || d.Form["form"] != "table" {
		f := settingsForm(set)
		for k, v := range form {
			f[k] = v
		}
		d.Form = f
	}
	for _, g := range gradeKeys {
		d.Grades = append(d.Grades, gradeField{g, assessment.GradeLabel(g), d.Form["grade_"+g]})
	}
	d.Pager = httpx.NewPager(page, pageSize, total, func(p int) string {
		return d.Link + "?" + url.Values{"page": {strconv.Itoa(p)}, "ppage": {c.DefaultQuery("ppage", "1")}}.Encode() + "#amounts"
	})
	d.Pager.Unit = "个"
	s.Render(c, status, "console/uses.html", d)
}

// refuse shows the page again with the refusal beside the form's fields.
func (s *Handlers) refuse(c *gin.Context, err error, form map[string]string) bool {
	fields, ok := refusal(err)
	if !ok {
		s.ConsoleError(c, err)
		return true
	}
	errs := map[string]string{}
	for k, v := range fields {
		if f, ok := formFields[k]; ok {
			k = f
		}
		errs[k] = v
	}
	s.render(c, apperr.Status(apperr.From(err).Code), form, errs, fields["_"])
	return true
}

// SettingsSubmit saves the bonus table and the 通报批评 threshold.
func (s *Handlers) SettingsSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := httpx.PostedForm(c, "table", "mode", "base", "grade_excellent", "grade_good", "grade_pass", "grade_fail",
		"per_head", "raise", "cut_accountability", "cut_failed_task", "threshold")
	in, err := settingsFromForm(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := rewards.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in)
			return err
		})
	}
	if err != nil {
		s.refuse(c, err, form)
		return
	}
	httpx.Redirect(c, usesLink(id)+"#table", "uses_table_saved")
}

// RecordSubmit records 通报批评 or 表彰 of a unit; a second record shows
// the first.
func (s *Handlers) RecordSubmit(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	kind := c.Param("kind")
	in := rewards.RecordInput{DocNo: c.PostForm("doc_no"), DocDate: c.PostForm("doc_date"), Body: c.PostForm("body")}
	var created bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, created, err = rewards.AddRecord(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, kind, in)
		return err
	})
	if err != nil {
		form := httpx.PostedForm(c, "record", "doc_no", "doc_date", "body")
		form["unit"], form["kind"] = strconv.FormatInt(unitID, 10), kind
		s.refuse(c, err, form)
		return
	}
	flash := "uses_record_saved"
	if !created {
		flash = "uses_record_exists"
	}
	httpx.Redirect(c, usesLink(id)+"#p-"+strconv.FormatInt(unitID, 10), flash)
}

// CaseSubmit opens the unit's rectification case in one step; a second
// press shows the case already opened.
func (s *Handlers) CaseSubmit(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var created bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, created, err = rewards.OpenCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID)
		return err
	})
	if err != nil {
		s.refuse(c, err, nil)
		return
	}
	flash := "uses_case_opened"
	if !created {
		flash = "uses_case_exists"
	}
	httpx.Redirect(c, usesLink(id)+"#p-"+strconv.FormatInt(unitID, 10), flash)
}
