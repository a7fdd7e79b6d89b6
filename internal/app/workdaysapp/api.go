package workdaysapp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/deadlines"
	"minyi/internal/httpx"
	"minyi/internal/workdays"
)

// maxDeadlineDays bounds the days of a deadline computation.
const maxDeadlineDays = 1000

// yearParam reads the :year path parameter (2000–2100) or returns
// not_found.
func yearParam(c *gin.Context) (int, error) {
	y, err := httpx.ParseInt(c.Param("year"))
	if err != nil || y < workdays.MinYear || y > workdays.MaxYear {
		return 0, apperr.New(apperr.NotFound, "年度须在2000到2100之间")
	}
	return y, nil
}

func (s *Handlers) APIListWorkdayYears(c *gin.Context) {
	list, err := workdays.ListYears(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

func (s *Handlers) APIGetWorkdayYear(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	y, err := workdays.FindYear(c, s.Pool, year)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, y)
}

// workdayYearSaved is a saved year with what the save did besides: the
// provisional deadlines it recomputed and notes on the input (days of
// another year in a holiday-cn file, left out).
type workdayYearSaved struct {
	workdays.YearCalendar
	Recomputed []workdays.Recomputation `json:"recomputed"`
	Notes      []string                 `json:"notes"`
}

// APIPutWorkdayYear replaces a year's list, given in Minyi's JSON form or
// as a holiday-cn file (told apart by shape): 201 when the year was
// absent, 200 otherwise (also when nothing changed).
func (s *Handlers) APIPutWorkdayYear(c *gin.Context) {
	year, err := yearParam(c)
	var in workdays.JSONYear
	if err == nil {
		err = httpx.BindJSON(c, &in, 64<<10)
	}
	var imp workdays.Import
	if err == nil {
		imp, err = in.Import(year)
	}
	if err == nil {
		imp.Input.Normalize()
		err = imp.Validate()
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	res, err := s.saveWorkdayYear(c, imp.Input)
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	out := workdayYearSaved{YearCalendar: res.Year, Recomputed: res.Recomputed, Notes: []string{}}
	if note := imp.OtherNote(); note != "" {
		out.Notes = append(out.Notes, note)
	}
	c.JSON(status, out)
}

// saveWorkdayYear saves the year and recomputes the provisional deadlines
// in one transaction (deadlines.SaveYear).
func (s *Handlers) saveWorkdayYear(c *gin.Context, in workdays.YearInput) (deadlines.SaveResult, error) {
	var res deadlines.SaveResult
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		res, err = deadlines.SaveYear(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, in, s.Now())
		return err
	})
	return res, err
}

// deadlineReply is a computed deadline; Provisional when the count passed
// through years without a calendar (AbsentYears), counted with weekends
// only.
type deadlineReply struct {
	Start       string `json:"start"`
	Days        int    `json:"days"`
	Due         string `json:"due"`
	DueWeekday  string `json:"due_weekday"`
	Provisional bool   `json:"provisional"`
	AbsentYears []int  `json:"absent_years"`
}

// AbsentLabel names the absent years, e.g. 2027年 or 2027年、2028年.
func (r deadlineReply) AbsentLabel() string {
	parts := make([]string, len(r.AbsentYears))
	for i, y := range r.AbsentYears {
		parts[i] = strconv.Itoa(y) + "年"
	}
	return strings.Join(parts, "、")
}

// computeDeadline parses start (YYYY-MM-DD) and days and returns the
// deadline, with invalid errors naming the parameter.
func (s *Handlers) computeDeadline(c *gin.Context, start, days string) (deadlineReply, error) {
	f := apperr.Fields{}
	d, err := time.ParseInLocation("2006-01-02", start, s.Config.Location)
	if err != nil {
		f.Add("start", "开始日期须为有效日期，格式为 YYYY-MM-DD")
	}
	n, err := httpx.ParseInt(days)
	if err != nil || n < 0 || n > maxDeadlineDays {
		f.Add("days", "工作日天数须为0到1000之间的整数")
	}
	if err := f.Err(); err != nil {
		return deadlineReply{}, err
	}
	due, err := workdays.Deadline(c, s.Pool, d, n)
	if err != nil {
		return deadlineReply{}, err
	}
	absent := due.Absent
	if absent == nil {
		absent = []int{}
	}
	return deadlineReply{Start: start, Days: n, Due: due.String(), DueWeekday: workdays.WeekdayLabel(due.Date.Weekday()),
		Provisional: due.Provisional, AbsentYears: absent}, nil
}

func (s *Handlers) APIWorkdayDeadline(c *gin.Context) {
	out, err := s.computeDeadline(c, c.Query("start"), c.Query("days"))
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
