package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
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
	basePage
	Years    []workdayYearRow
	NextYear int
	Calc     deadlineCalc
}

// workdaysPage lists the years with a calendar, the office's form to add a
// year and the deadline calculator (?start=&days=).
func (s *Server) workdaysPage(c *gin.Context) {
	list, err := workdays.ListYears(c, s.Pool)
	if err != nil {
		s.consoleError(c, err)
		return
	}
	d := workdaysPageData{basePage: s.base(c, "工作日历", "cycles"), NextYear: s.Now().In(s.Config.Location).Year() + 1}
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
		case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.NoCalendar):
			d.Calc.Errors = apperr.From(err).Fields
			if len(d.Calc.Errors) == 0 {
				d.Calc.Errors = map[string]string{"_": apperr.From(err).Message}
			}
		default:
			s.consoleError(c, err)
			return
		}
	}
	s.render(c, http.StatusOK, "console/workdays.html", d)
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
	basePage
	Year    int
	Present bool
	Summary workdays.YearSummary
	Ranges  []workdays.Range
	Months  []monthView
	Form    workdayYearForm
	// Errors are the form's problems, each naming its line.
	Errors []string
}

// workdayYearPage shows a year's calendar as a grid and its list, with the
// office's form to replace the list. An absent year leads the office to
// the form to enter it.
func (s *Server) workdayYearPage(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.consoleError(c, err)
		return
	}
	y, err := workdays.FindYear(c, s.Pool, year)
	if apperr.Is(err, apperr.NotFound) && currentUser(c).Role == users.RoleOffice {
		redirect(c, "/console/workdays/new?year="+strconv.Itoa(year), "")
		return
	}
	if err != nil {
		s.consoleError(c, err)
		return
	}
	s.showWorkdayYear(c, http.StatusOK, year, &y, workdayYearForm{Note: y.Note, Text: workdays.FormatText(y.Days)}, nil)
}

// newWorkdayYearPage is the form to enter a year that has no calendar yet.
func (s *Server) newWorkdayYearPage(c *gin.Context) {
	year, err := parseInt(c.Query("year"))
	if err != nil || year < workdays.MinYear || year > workdays.MaxYear {
		s.consoleError(c, apperr.New(apperr.Invalid, "请填写要录入的年度（2000到2100之间），如 "+strconv.Itoa(s.Now().In(s.Config.Location).Year()+1)))
		return
	}
	if _, err := workdays.FindYear(c, s.Pool, year); err == nil {
		redirect(c, workdayYearPath(year), "")
		return
	} else if !apperr.Is(err, apperr.NotFound) {
		s.consoleError(c, err)
		return
	}
	s.showWorkdayYear(c, http.StatusOK, year, nil, workdayYearForm{}, nil)
}

func (s *Server) showWorkdayYear(c *gin.Context, status, year int, y *workdays.YearCalendar, form workdayYearForm, errs []string) {
	title := strconv.Itoa(year) + "年工作日历"
	d := workdayYearPageData{basePage: s.base(c, title, "cycles"), Year: year, Form: form, Errors: errs}
	if y != nil {
		d.Present, d.Summary, d.Ranges, d.Months = true, y.YearSummary, workdays.Ranges(y.Days), calendarGrid(year, y.Days)
	}
	s.render(c, status, "console/workdays_year.html", d)
}

// saveWorkdayYearSubmit replaces a year's list from the text form; every
// problem is shown with its line and nothing is saved until all are fixed.
func (s *Server) saveWorkdayYearSubmit(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.consoleError(c, err)
		return
	}
	form := workdayYearForm{Note: c.PostForm("note"), Text: c.PostForm("days")}
	parsed, lineErrs := workdays.ParseText(form.Text)
	in := workdays.YearInput{Year: year, Note: form.Note, Days: parsed.Days}
	in.Normalize()
	if len(lineErrs) == 0 {
		lineErrs = workdays.LineProblems(in, parsed.Lines)
	}
	var res workdays.SaveResult
	if len(lineErrs) == 0 {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			res, err = workdays.SaveYear(c, tx, currentUser(c).Actor(), in, s.Now())
			return err
		})
		if err != nil {
			s.consoleError(c, err)
			return
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
	flash := "workdays_saved"
	switch {
	case res.Created:
		flash = "workdays_created"
	case !res.Changed:
		flash = "workdays_unchanged"
	}
	redirect(c, workdayYearPath(year), flash)
}
