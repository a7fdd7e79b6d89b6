package workdaysapp

import (
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/users"
	"minyi/internal/workdays"
)

// workdayYearPath is the console page of a year's calendar.
func workdayYearPath(year int) string { return "/console/workdays/" + strconv.Itoa(year) }

// workdayYearRow is a year in the list.
type workdayYearRow struct {
	workdays.YearSummary
	Link string
}

// deadlineCalc is the deadline calculator as typed and its answer.
type deadlineCalc struct {
	Start, Days string
	Result      *deadlineReply
	Errors      map[string]string
}

type workdaysPageData struct {
	httpx.BasePage
	Years    []workdayYearRow
	NextYear int
	Calc     deadlineCalc
}

// WorkdaysPage lists the years with a calendar, the office's form to add a
// year and the deadline calculator (?start=&days=).
func (s *Handlers) WorkdaysPage(c *gin.Context) {
	list, err := workdays.ListYears(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := workdaysPageData{BasePage: s.Base(c, "工作日历", "cycles"), NextYear: s.Now().In(s.Config.Location).Year() + 1}
	for _, y := range list {
		d.Years = append(d.Years, workdayYearRow{YearSummary: y, Link: workdayYearPath(y.Year)})
		if y.Year >= d.NextYear {
			d.NextYear = y.Year + 1
		}
	}
	d.Calc = deadlineCalc{Start: c.Query("start"), Days: c.Query("days")}
	if d.Calc.Start == "" && d.Calc.Days == "" {
		d.Calc.Start, d.Calc.Days = s.Now().In(s.Config.Location).Format("2006-01-02"), "15"
	} else {
		res, err := s.computeDeadline(c, d.Calc.Start, d.Calc.Days)
		switch {
		case err == nil:
			d.Calc.Result = &res
		case apperr.Is(err, apperr.Invalid):
			d.Calc.Errors = apperr.From(err).Fields
			if len(d.Calc.Errors) == 0 {
				d.Calc.Errors = map[string]string{"_": apperr.From(err).Message}
			}
		default:
			s.ConsoleError(c, err)
			return
		}
	}
	s.Render(c, http.StatusOK, "console/workdays.html", d)
}

// monthView is one month of the calendar grid, weeks Monday first.
type monthView struct {
	Name  string
	Weeks [][]dayCell
}

// dayCell is a day of the grid; Day 0 is an empty cell.
type dayCell struct {
	Day   int
	Class string // wd-hol, wd-work, wd-rest (an ordinary weekend) or ""
	Mark  string // 休 or 班
	Title string
}

var monthNames = [...]string{"一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月", "十一月", "十二月"}

// calendarGrid lays out year's twelve months with the special days marked.
func calendarGrid(year int, days []workdays.Day) []monthView {
	special := map[string]workdays.Day{}
	for _, d := range days {
		special[d.Date] = d
	}
	out := make([]monthView, 12)
	for m := range 12 {
		first := time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, time.UTC)
		mv := monthView{Name: monthNames[m]}
		week := make([]dayCell, (int(first.Weekday())+6)%7) // blanks before the 1st, weeks start on Monday
		for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
			date := d.Format("2006-01-02")
			cell := dayCell{Day: d.Day(), Title: date + " " + workdays.WeekdayLabel(d.Weekday())}
			if sd, ok := special[date]; ok {
				cell.Title += " " + sd.Name + workdays.KindLabel(sd.Kind)
				cell.Class, cell.Mark = "wd-hol", "休"
				if sd.Kind == workdays.Workday {
					cell.Class, cell.Mark = "wd-work", "班"
				}
			} else if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				cell.Class = "wd-rest"
			}
			week = append(week, cell)
			if len(week) == 7 {
				mv.Weeks = append(mv.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			mv.Weeks = append(mv.Weeks, append(week, make([]dayCell, 7-len(week))...))
		}
		out[m] = mv
	}
	return out
}

// workdayYearForm is the office's form as typed.
type workdayYearForm struct {
	Note, Text string
}

type workdayYearPageData struct {
	httpx.BasePage
	Year    int
	Present bool
	Summary workdays.YearSummary
	Ranges  []workdays.Range
	Months  []monthView
	Form    workdayYearForm
	// Errors are the form's problems, each naming its line.
	Errors []string
	// Notices say what a save just did besides saving (days of another
	// year left out of a holiday-cn file).
	Notices []string
	// Recomputed are the provisional deadlines recomputed when the year
	// was entered or corrected, with links to their items.
	Recomputed []recomputedRow
}

// recomputedRow is a recomputed deadline on the year's page.
type recomputedRow struct {
	workdays.Recomputation
	ItemLabel, Link string
}

// recomputedRows lists the year's recomputed deadlines with their items.
func recomputedRows(list []workdays.Recomputation) []recomputedRow {
	out := make([]recomputedRow, len(list))
	for i, r := range list {
		id := strconv.FormatInt(r.EntityID, 10)
		row := recomputedRow{Recomputation: r, ItemLabel: "整改案件 #" + id, Link: "/console/cases/" + id}
		if r.Entity != workdays.EntityCase && r.CycleID != nil {
			row.ItemLabel, row.Link = "考核结果 · 复核申请 #"+id, "/console/cycles/"+strconv.FormatInt(*r.CycleID, 10)+"/results"
			if r.Entity == workdays.EntityPublication {
				row.ItemLabel = "考核结果 · 初步结果公布"
			}
		}
		out[i] = row
	}
	return out
}

// WorkdayYearPage shows a year's calendar as a grid and its list, with the
// office's form to replace the list. An absent year leads the office to
// the form to enter it.
func (s *Handlers) WorkdayYearPage(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	y, err := workdays.FindYear(c, s.Pool, year)
	if apperr.Is(err, apperr.NotFound) && httpx.CurrentUser(c).Role == users.RoleOffice {
		httpx.Redirect(c, "/console/workdays/new?year="+strconv.Itoa(year), "")
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showWorkdayYear(c, http.StatusOK, year, &y, workdayYearForm{Note: y.Note, Text: workdays.FormatText(y.Days)}, nil)
}

// NewWorkdayYearPage is the form to enter a year that has no calendar yet.
func (s *Handlers) NewWorkdayYearPage(c *gin.Context) {
	year, err := httpx.ParseInt(c.Query("year"))
	if err != nil || year < workdays.MinYear || year > workdays.MaxYear {
		s.ConsoleError(c, apperr.New(apperr.Invalid, "请填写要录入的年度（2000到2100之间），如 "+strconv.Itoa(s.Now().In(s.Config.Location).Year()+1)))
		return
	}
	if _, err := workdays.FindYear(c, s.Pool, year); err == nil {
		httpx.Redirect(c, workdayYearPath(year), "")
		return
	} else if !apperr.Is(err, apperr.NotFound) {
		s.ConsoleError(c, err)
		return
	}
	s.showWorkdayYear(c, http.StatusOK, year, nil, workdayYearForm{}, nil)
}

func (s *Handlers) showWorkdayYear(c *gin.Context, status, year int, y *workdays.YearCalendar, form workdayYearForm, errs []string) {
	s.renderWorkdayYear(c, status, year, y, form, errs, "", nil)
}

// renderWorkdayYear shows the year's page; flash and notices tell what a
// save just did when the page is shown in its answer.
func (s *Handlers) renderWorkdayYear(c *gin.Context, status, year int, y *workdays.YearCalendar, form workdayYearForm, errs []string,
	flash string, notices []string) {
	title := strconv.Itoa(year) + "年工作日历"
	d := workdayYearPageData{BasePage: s.Base(c, title, "cycles"), Year: year, Form: form, Errors: errs, Notices: notices}
	if flash != "" {
		d.Flash = s.Flashes[flash]
	}
	if y != nil {
		d.Present, d.Summary, d.Ranges, d.Months = true, y.YearSummary, workdays.Ranges(y.Days), calendarGrid(year, y.Days)
		list, err := workdays.ListRecomputationsOfYear(c, s.Pool, year)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Recomputed = recomputedRows(list)
	}
	s.Render(c, status, "console/workdays_year.html", d)
}

// maxWorkdayFile bounds an uploaded holiday-cn file (a year is about 4 KB).
const maxWorkdayFile = 64 << 10

// SaveWorkdayYearSubmit replaces a year's list from the form: the text
// form, or a JSON file (holiday-cn's or Minyi's) uploaded or pasted into
// the text box. Every problem is shown with its line (or the file's item)
// and nothing is saved until all are fixed.
func (s *Handlers) SaveWorkdayYearSubmit(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form := workdayYearForm{Note: c.PostForm("note"), Text: c.PostForm("days")}
	data, err := workdayFile(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if data == nil && strings.HasPrefix(strings.TrimSpace(form.Text), "{") {
		data = []byte(form.Text)
	}
	var imp workdays.Import
	var lineErrs []workdays.LineError
	if data != nil {
		imp, lineErrs = readWorkdayJSON(data, year, form.Note)
	} else {
		parsed, errs := workdays.ParseText(form.Text)
		imp, lineErrs = workdays.Import{Input: workdays.YearInput{Year: year, Note: form.Note, Days: parsed.Days}}, errs
		imp.Input.Normalize()
		if len(lineErrs) == 0 {
			lineErrs = workdays.LineProblems(imp.Input, parsed.Lines)
		}
	}
	if len(lineErrs) > 0 {
		msgs := make([]string, len(lineErrs))
		for i, e := range lineErrs {
			msgs[i] = e.String()
		}
		var cur *workdays.YearCalendar
		if y, err := workdays.FindYear(c, s.Pool, year); err == nil {
			cur = &y
		}
		s.showWorkdayYear(c, http.StatusUnprocessableEntity, year, cur, form, msgs)
		return
	}
	res, err := s.saveWorkdayYear(c, imp.Input)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "workdays_saved"
	switch {
	case res.Created:
		flash = "workdays_created"
	case !res.Changed:
		flash = "workdays_unchanged"
	}
	if note := imp.OtherNote(); note != "" {
		// The note would not survive a redirect: show the saved year now.
		saved := workdayYearForm{Note: res.Year.Note, Text: workdays.FormatText(res.Year.Days)}
		s.renderWorkdayYear(c, http.StatusOK, year, &res.Year, saved, nil, flash, []string{note})
		return
	}
	httpx.Redirect(c, workdayYearPath(year), flash)
}

// workdayFile reads the form's optional uploaded file (field file): nil
// when none was chosen, invalid when it is over maxWorkdayFile.
func workdayFile(c *gin.Context) ([]byte, error) {
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		return nil, nil
	}
	if fh.Size > maxWorkdayFile {
		return nil, apperr.InvalidField("file", "文件超过64KB，不是一年的节假日安排文件")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, apperr.InvalidField("file", "文件读取失败，请重新上传")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxWorkdayFile))
	if err != nil {
		return nil, apperr.InvalidField("file", "文件读取失败，请重新上传")
	}
	return data, nil
}

// readWorkdayJSON reads a JSON year for year; a note typed in the form
// replaces the file's. Problems come back as messages naming the file's
// items.
func readWorkdayJSON(data []byte, year int, note string) (workdays.Import, []workdays.LineError) {
	fail := func(err error) []workdays.LineError {
		e := apperr.From(err)
		if len(e.Fields) == 0 {
			return []workdays.LineError{{Message: e.Message}}
		}
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]workdays.LineError, len(keys))
		for i, k := range keys {
			out[i] = workdays.LineError{Message: e.Fields[k]}
		}
		return out
	}
	j, err := workdays.ParseJSON(data)
	if err != nil {
		return workdays.Import{}, fail(err)
	}
	if strings.TrimSpace(note) != "" {
		j.Note = note
	}
	imp, err := j.Import(year)
	if err != nil {
		return imp, fail(err)
	}
	imp.Input.Normalize()
	return imp, imp.Problems()
}
