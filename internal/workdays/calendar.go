// Package workdays is the working-day calendar (工作日历): the State
// Council's holidays (放假日) and make-up workdays (调休上班) per calendar
// year, and the arithmetic of deadlines counted in working days.
//
// A working day is a Monday to Friday that is not a holiday, or a Saturday
// or Sunday that is a make-up workday. A year is either present (its
// calendar was shipped or entered by the office) or absent. Work never
// stops for an absent year: a count through it takes Saturdays and Sundays
// off and nothing else, and its answer is provisional (暂定) until the
// office enters the year, when every provisional deadline is recomputed.
//
// Dates are local dates: a time.Time stands for its calendar day in its own
// location, so callers pass times in config.Location (t.In(loc)).
package workdays

import (
	"fmt"
	"time"

	"minyi/internal/apperr"
)

// Kinds of calendar days.
const (
	// Holiday is a day off (放假), on a weekday or a weekend.
	Holiday = "holiday"
	// Workday is a Saturday or Sunday that is a working day (调休上班).
	Workday = "workday"
)

// Year bounds of a calendar.
const (
	MinYear = 2000
	MaxYear = 2100
)

// dateLayout is the layout of dates in the API, the text form and SQL.
const dateLayout = "2006-01-02"

// Day is one special day of a year's calendar.
type Day struct {
	Date string `json:"date" db:"date"` // YYYY-MM-DD
	Kind string `json:"kind" db:"kind"` // Holiday or Workday
	Name string `json:"name" db:"name"` // the festival, e.g. 春节
}

// civil is a calendar date without a location.
type civil struct {
	y int
	m time.Month
	d int
}

func civilOf(t time.Time) civil { y, m, d := t.Date(); return civil{y, m, d} }

// Calendar answers working-day questions for the years it holds. The zero
// value holds no year. A Calendar is read-only once built and safe for
// concurrent use.
type Calendar struct {
	years map[int]bool
	days  map[civil]Day
}

// New builds a calendar holding years with the special days given; days
// outside years are ignored, and a malformed date is an error.
func New(years []int, days []Day) (*Calendar, error) {
	c := &Calendar{years: map[int]bool{}, days: map[civil]Day{}}
	for _, y := range years {
		c.years[y] = true
	}
	for _, d := range days {
		t, err := time.Parse(dateLayout, d.Date)
		if err != nil {
			return nil, fmt.Errorf("workdays: bad date %q: %w", d.Date, err)
		}
		if c.years[t.Year()] {
			c.days[civilOf(t)] = d
		}
	}
	return c, nil
}

// Has reports whether the calendar holds year.
func (c *Calendar) Has(year int) bool { return c != nil && c.years[year] }

// Absent returns the years from..to that the calendar does not hold,
// ascending.
func (c *Calendar) Absent(from, to int) []int {
	var out []int
	for y := from; y <= to; y++ {
		if !c.Has(y) {
			out = append(out, y)
		}
	}
	return out
}

// Special returns the holiday or make-up workday on d's date, if any.
func (c *Calendar) Special(d time.Time) (Day, bool) {
	if c == nil {
		return Day{}, false
	}
	day, ok := c.days[civilOf(d)]
	return day, ok
}

// IsWorkday reports whether d's date is a working day; provisional is
// true when d's year is absent, and the answer then follows the weekend
// alone.
func (c *Calendar) IsWorkday(d time.Time) (workday, provisional bool) {
	return c.isWorkday(d), !c.Has(d.Year())
}

func (c *Calendar) isWorkday(d time.Time) bool {
	if c != nil {
		if day, ok := c.days[civilOf(d)]; ok {
			return day.Kind == Workday
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// midnight returns the start of d's date in d's location.
func midnight(d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, d.Location())
}

// Due is a deadline counted in working days: the last day, at midnight in
// the start's location (the deadline is the end of that day), and whether
// the count passed through years absent from the calendar, counted with
// weekends only.
type Due struct {
	Date time.Time
	// Provisional is true when Absent is not empty: the deadline is 暂定
	// and is recomputed when the office enters those years.
	Provisional bool
	// Absent lists the absent years the count passed through, ascending.
	Absent []int
}

// String is the deadline's date, YYYY-MM-DD.
func (d Due) String() string { return d.Date.Format(dateLayout) }

// AddWorkdays returns the date n working days after start: the start day
// itself never counts, whatever its kind, and the result is the n-th
// working day after it, at midnight in start's location; the deadline is
// the end of that day. A case sent on a Friday with n = 1 is due on Monday,
// or on the next working day when Monday is a holiday. n = 0 returns start's
// date. Years absent from the calendar (start's included) are counted with
// weekends only and make the answer provisional. It returns invalid for a
// negative n.
func (c *Calendar) AddWorkdays(start time.Time, n int) (Due, error) {
	if n < 0 {
		return Due{}, apperr.InvalidField("days", "工作日天数不能为负数")
	}
	d := midnight(start)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if c.isWorkday(d) {
			n--
		}
	}
	return c.due(start, d), nil
}

// due is the Due ending on d of a count from start.
func (c *Calendar) due(start, d time.Time) Due {
	absent := c.Absent(start.Year(), d.Year())
	return Due{Date: d, Provisional: len(absent) > 0, Absent: absent}
}

// WorkdaysBetween returns how many working days lie after a's date up to
// and including b's date, so WorkdaysBetween(s, AddWorkdays(s, n)) is n;
// when b is before a the count is negative (−WorkdaysBetween(b, a)).
// provisional is true when a year from a's to b's is absent (counted with
// weekends only).
func (c *Calendar) WorkdaysBetween(a, b time.Time) (n int, provisional bool) {
	by, bm, bd := b.Date()
	from, to := midnight(a), time.Date(by, bm, bd, 0, 0, 0, 0, a.Location())
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.isWorkday(d) {
			n++
		}
	}
	return sign * n, len(c.Absent(from.Year(), to.Year())) > 0
}
