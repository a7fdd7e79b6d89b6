// Package workdays is the working-day calendar (工作日历): the State
// Council's holidays (放假日) and make-up workdays (调休上班) per calendar
// year, and the arithmetic of deadlines counted in working days.
//
// A working day is a Monday to Friday that is not a holiday, or a Saturday
// or Sunday that is a make-up workday. A year is either present (its
// calendar was shipped or entered by the office) or absent; any computation
// that touches an absent year fails with the code no_calendar rather than
// guessing.
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

// NoCalendarError is the no_calendar error for year, with the message the
// office and units see.
func NoCalendarError(year int) error {
	return apperr.New(apperr.NoCalendar,
		fmt.Sprintf("%d年的工作日历尚未录入，无法计算期限，请绩效办先录入该年节假日安排", year))
}

// Has reports whether the calendar holds year.
func (c *Calendar) Has(year int) bool { return c != nil && c.years[year] }

// check returns no_calendar unless the calendar holds year.
func (c *Calendar) check(year int) error {
	if !c.Has(year) {
		return NoCalendarError(year)
	}
	return nil
}

// Special returns the holiday or make-up workday on d's date, if any.
func (c *Calendar) Special(d time.Time) (Day, bool) {
	if c == nil {
		return Day{}, false
	}
	day, ok := c.days[civilOf(d)]
	return day, ok
}

// IsWorkday reports whether d's date is a working day. It returns
// no_calendar when d's year is not in the calendar.
func (c *Calendar) IsWorkday(d time.Time) (bool, error) {
	if err := c.check(d.Year()); err != nil {
		return false, err
	}
	return c.isWorkday(d), nil
}

func (c *Calendar) isWorkday(d time.Time) bool {
	if day, ok := c.days[civilOf(d)]; ok {
		return day.Kind == Workday
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// midnight returns the start of d's date in d's location.
func midnight(d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, d.Location())
}

// AddWorkdays returns the date n working days after start: the start day
// itself never counts, whatever its kind, and the result is the n-th
// working day after it, at midnight in start's location; the deadline is
// the end of that day. A case sent on a Friday with n = 1 is due on Monday,
// or on the next working day when Monday is a holiday. n = 0 returns start's
// date. It returns invalid for a negative n and no_calendar when a year the
// count passes through (start's included) is not in the calendar.
func (c *Calendar) AddWorkdays(start time.Time, n int) (time.Time, error) {
	if n < 0 {
		return time.Time{}, apperr.InvalidField("days", "工作日天数不能为负数")
	}
	d := midnight(start)
	if err := c.check(d.Year()); err != nil {
		return time.Time{}, err
	}
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if err := c.check(d.Year()); err != nil {
			return time.Time{}, err
		}
		if c.isWorkday(d) {
			n--
		}
	}
	return d, nil
}

// WorkdaysBetween returns how many working days lie after a's date up to
// and including b's date, so WorkdaysBetween(s, AddWorkdays(s, n)) is n;
// when b is before a the count is negative (−WorkdaysBetween(b, a)). It
// returns no_calendar when a year from a's to b's is not in the calendar.
func (c *Calendar) WorkdaysBetween(a, b time.Time) (int, error) {
	by, bm, bd := b.Date()
	from, to := midnight(a), time.Date(by, bm, bd, 0, 0, 0, 0, a.Location())
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	for y := from.Year(); y <= to.Year(); y++ {
		if err := c.check(y); err != nil {
			return 0, err
		}
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.isWorkday(d) {
			n++
		}
	}
	return sign * n, nil
}
