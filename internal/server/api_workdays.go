package server

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/workdays"
)

// maxDeadlineDays bounds the days of a deadline computation.
const maxDeadlineDays = 1000

// yearParam reads the :year path parameter (2000–2100) or returns
// not_found.
func yearParam(c *gin.Context) (int, error) {
	y, err := parseInt(c.Param("year"))
	if err != nil || y < workdays.MinYear || y > workdays.MaxYear {
		return 0, apperr.New(apperr.NotFound, "年度须在2000到2100之间")
	}
	return y, nil
}

func (s *Server) apiListWorkdayYears(c *gin.Context) {
	list, err := workdays.ListYears(c, s.Pool)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

func (s *Server) apiGetWorkdayYear(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		s.apiError(c, err)
		return
	}
	y, err := workdays.FindYear(c, s.Pool, year)
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, y)
}

// apiPutWorkdayYear replaces a year's list: 201 when the year was absent,
// 200 otherwise (also when nothing changed).
func (s *Server) apiPutWorkdayYear(c *gin.Context) {
	year, err := yearParam(c)
	var in struct {
		Note string         `json:"note"`
		Days []workdays.Day `json:"days"`
	}
	if err == nil {
		err = bindJSON(c, &in, 64<<10)
	}
	if err != nil {
		s.apiError(c, err)
		return
	}
	var res workdays.SaveResult
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		res, err = workdays.SaveYear(c, tx, currentUser(c).Actor(), workdays.YearInput{Year: year, Note: in.Note, Days: in.Days}, s.Now())
		return err
	})
	if err != nil {
		s.apiError(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, res.Year)
}

// deadlineReply is a computed deadline.
type deadlineReply struct {
	Start      string `json:"start"`
	Days       int    `json:"days"`
	Due        string `json:"due"`
	DueWeekday string `json:"due_weekday"`
}

// computeDeadline parses start (YYYY-MM-DD) and days and returns the
// deadline, with invalid errors naming the parameter, or no_calendar.
func (s *Server) computeDeadline(c *gin.Context, start, days string) (deadlineReply, error) {
	f := apperr.Fields{}
	d, err := time.ParseInLocation("2006-01-02", start, s.Config.Location)
	if err != nil {
		f.Add("start", "开始日期须为有效日期，格式为 YYYY-MM-DD")
	}
	n, err := parseInt(days)
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
	return deadlineReply{Start: start, Days: n, Due: due.Format("2006-01-02"), DueWeekday: workdays.WeekdayLabel(due.Weekday())}, nil
}

func (s *Server) apiWorkdayDeadline(c *gin.Context) {
	out, err := s.computeDeadline(c, c.Query("start"), c.Query("days"))
	if err != nil {
		s.apiError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}
