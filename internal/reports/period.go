// Package reports builds the printable monthly and quarterly report (月报 /
// 季报) for the leadership: the headline figures of a period with their
// change against the previous period (环比) and the same period a year
// before (同比), the daily ratings, the level shares of the last twelve
// months, the units ranked per category, the most frequent problems (the
// reasons of the 差评 the period's cases were opened on), the
// rectification cases opened, answered on time and overdue, and a row per
// unit. Every figure comes from the daily aggregate of ratings
// (internal/ratings) and the cases table: no request scans a period's
// ratings.
package reports

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"minyi/internal/apperr"
)

// Kinds of period.
const (
	Month   = "month"
	Quarter = "quarter"
)

// Period is a calendar month (N 1–12) or quarter (N 1–4) of a year.
type Period struct {
	Kind string
	Year int
	N    int
}

// ErrBadPeriod is the error of a period that is not YYYY-MM or YYYY-Qn.
var ErrBadPeriod = apperr.New(apperr.NotFound, "报告期不存在，应为“2026-11”（月）或“2026-Q3”（季度）")

// ParsePeriod reads "2026-11" (a month) or "2026-Q3" (a quarter) between
// the years 2000 and 2999. Anything else is ErrBadPeriod.
func ParsePeriod(s string) (Period, error) {
	y, rest, ok := strings.Cut(s, "-")
	if !ok || len(y) != 4 {
		return Period{}, ErrBadPeriod
	}
	year, err := strconv.Atoi(y)
	if err != nil || year < 2000 || year > 2999 {
		return Period{}, ErrBadPeriod
	}
	p := Period{Kind: Month, Year: year}
	if q, isQ := strings.CutPrefix(rest, "Q"); isQ {
		p.Kind, rest = Quarter, q
		if len(rest) != 1 {
			return Period{}, ErrBadPeriod
		}
	} else if len(rest) != 2 {
		return Period{}, ErrBadPeriod
	}
	if p.N, err = strconv.Atoi(rest); err != nil || p.N < 1 || p.N > p.count() {
		return Period{}, ErrBadPeriod
	}
	return p, nil
}

// count is how many periods of the kind a year has.
func (p Period) count() int {
	if p.Kind == Quarter {
		return 4
	}
	return 12
}

// String is the period's key in URLs: 2026-11 or 2026-Q3.
func (p Period) String() string {
	if p.Kind == Quarter {
		return fmt.Sprintf("%d-Q%d", p.Year, p.N)
	}
	return fmt.Sprintf("%d-%02d", p.Year, p.N)
}

// quarterNames are the quarters as a report's title names them.
var quarterNames = [...]string{"", "第一季度", "第二季度", "第三季度", "第四季度"}

// Label is the period in words: 2026年11月, 2026年第三季度.
func (p Period) Label() string {
	if p.Kind == Quarter {
		return strconv.Itoa(p.Year) + "年" + quarterNames[p.N]
	}
	return fmt.Sprintf("%d年%d月", p.Year, p.N)
}

// Title is the report's name: 月报 or 季报.
func (p Period) Title() string {
	if p.Kind == Quarter {
		return "季报"
	}
	return "月报"
}

// months is how many calendar months the period spans.
func (p Period) months() int {
	if p.Kind == Quarter {
		return 3
	}
	return 1
}

// First is the period's first day and Last its last (in UTC, dates only).
func (p Period) First() time.Time {
	m := p.N
	if p.Kind == Quarter {
		m = 3*(p.N-1) + 1
	}
	return time.Date(p.Year, time.Month(m), 1, 0, 0, 0, 0, time.UTC)
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.First().AddDate(0, p.months(), -1) }

// Prev is the period before (环比).
func (p Period) Prev() Period {
	if p.N == 1 {
		return Period{Kind: p.Kind, Year: p.Year - 1, N: p.count()}
	}
	return Period{Kind: p.Kind, Year: p.Year, N: p.N - 1}
}

// Next is the period after.
func (p Period) Next() Period {
	if p.N == p.count() {
		return Period{Kind: p.Kind, Year: p.Year + 1, N: 1}
	}
	return Period{Kind: p.Kind, Year: p.Year, N: p.N + 1}
}

// YearAgo is the same period a year before (同比).
func (p Period) YearAgo() Period { return Period{Kind: p.Kind, Year: p.Year - 1, N: p.N} }

// Contains reports whether the day (a date at midnight UTC, as Day gives)
// lies in the period.
func (p Period) Contains(day time.Time) bool {
	return !day.Before(p.First()) && !day.After(p.Last())
}

// Day is the calendar date of t in loc as midnight UTC, the form periods
// compare with.
func Day(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Of returns the period of the kind that holds the day.
func Of(kind string, day time.Time) Period {
	if kind == Quarter {
		return Period{Kind: Quarter, Year: day.Year(), N: (int(day.Month())-1)/3 + 1}
	}
	return Period{Kind: Month, Year: day.Year(), N: int(day.Month())}
}

// Recent lists the last n periods of the kind up to the one holding today,
// newest first.
func Recent(kind string, today time.Time, n int) []Period {
	out := make([]Period, 0, n)
	for p := Of(kind, today); len(out) < n; p = p.Prev() {
		out = append(out, p)
	}
	return out
}

// Span is the days a report reads of a period on today: its first day to
// its last, or to today while it runs. Future reports Started false.
type Span struct {
	From, To time.Time
	// Running says the period holds today: its figures are "so far".
	Running bool
	// Started is false for a period after today.
	Started bool
}

// SpanOn returns the period's span on today (a Day).
func (p Period) SpanOn(today time.Time) Span {
	s := Span{From: p.First(), To: p.Last(), Started: !today.Before(p.First())}
	if p.Contains(today) {
		s.To, s.Running = today, true
	}
	return s
}
