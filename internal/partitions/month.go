// Package partitions lists the monthly partitions of ratings and archives
// old months under the retention policy: a month is written to a file
// that restore can load back, verified, and its partition dropped; months
// of assessment cycles whose results are not final, months within the
// retention period and months with open business (held ratings, open
// appeals, flags, cases, reopened reviews) are refused. The daily
// aggregate of an archived month stays, so scores and published results
// read the same.
package partitions

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Month is a calendar month, as a partition of ratings holds it in the
// configured time zone.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth parses "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Month{}, fmt.Errorf("month %q: want YYYY-MM between 2000-01 and 2100-12", s)
	}
	return Month{t.Year(), t.Month()}, nil
}

// MonthOf is the month of t in loc.
func MonthOf(t time.Time, loc *time.Location) Month {
	l := t.In(loc)
	return Month{l.Year(), l.Month()}
}

// monthOfPartition reads the month of a partition name ratings_YYYYMM.
func monthOfPartition(name string) (Month, bool) {
	digits, ok := strings.CutPrefix(name, "ratings_")
	if !ok || len(digits) != 6 {
		return Month{}, false
	}
	if _, err := strconv.Atoi(digits); err != nil {
		return Month{}, false
	}
	m, err := ParseMonth(digits[:4] + "-" + digits[4:])
	return m, err == nil
}

// String is "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// Partition is the name of the month's partition, ratings_YYYYMM.
func (m Month) Partition() string { return fmt.Sprintf("ratings_%04d%02d", m.Year, int(m.Month)) }

// First is the month's first day as a date (midnight UTC), for date columns.
func (m Month) First() time.Time { return time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, time.UTC) }

// Add is the month n months later (earlier for negative n).
func (m Month) Add(n int) Month {
	t := m.First().AddDate(0, n, 0)
	return Month{t.Year(), t.Month()}
}

// Before reports whether m is earlier than o.
func (m Month) Before(o Month) bool { return m.First().Before(o.First()) }

// Bounds are the month's first instant and the next month's first instant
// in loc: the bounds minyi_ensure_rating_partitions gives its partition.
func (m Month) Bounds(loc *time.Location) (lo, hi time.Time) {
	lo = time.Date(m.Year, m.Month, 1, 0, 0, 0, 0, loc)
	return lo, time.Date(m.Year, m.Month+1, 1, 0, 0, 0, 0, loc)
}
