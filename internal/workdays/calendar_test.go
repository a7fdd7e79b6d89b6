package workdays_test

import (
	"fmt"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/workdays"
)

// date is a local date in Beijing time, as callers pass them.
func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02", s, beijing)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var beijing = time.FixedZone("CST", 8*3600)

// calendar2024 is the 2024 National Day block and the 2025 New Year, as in
// the State Council notices, with 2024 and 2025 present.
func calendar2024(t *testing.T) *workdays.Calendar {
	t.Helper()
	var days []workdays.Day
	for d := 1; d <= 7; d++ {
		days = append(days, workdays.Day{Date: "2024-10-0" + string(rune('0'+d)), Kind: workdays.Holiday, Name: "国庆节"})
	}
	days = append(days,
		workdays.Day{Date: "2024-09-29", Kind: workdays.Workday, Name: "国庆节"},
		workdays.Day{Date: "2024-10-12", Kind: workdays.Workday, Name: "国庆节"},
		workdays.Day{Date: "2025-01-01", Kind: workdays.Holiday, Name: "元旦节"},
		workdays.Day{Date: "2026-01-01", Kind: workdays.Holiday, Name: "元旦节"}) // 2026 absent: ignored
	c, err := workdays.New([]int{2024, 2025}, days)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestIsWorkday(t *testing.T) {
	c := calendar2024(t)
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2024-09-27", true},  // Friday
		{"2024-09-28", false}, // Saturday
		{"2024-09-29", true},  // Sunday, make-up workday
		{"2024-10-01", false}, // holiday
		{"2024-10-07", false}, // holiday, Monday
		{"2024-10-08", true},
		{"2024-10-12", true}, // Saturday, make-up workday
		{"2024-10-13", false},
		{"2025-01-01", false}, // holiday, Wednesday
		{"2025-01-02", true},
	} {
		got, err := c.IsWorkday(date(t, tc.day))
		if err != nil || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v", tc.day, got, err, tc.want)
		}
	}
}

func TestAddWorkdays(t *testing.T) {
	c := calendar2024(t)
	for _, tc := range []struct {
		start string
		n     int
		want  string
	}{
		{"2024-09-27", 0, "2024-09-27"},
		{"2024-09-27", 1, "2024-09-29"}, // Friday + 1: the make-up Sunday
		{"2024-09-29", 1, "2024-09-30"},
		{"2024-09-29", 2, "2024-10-08"}, // across the National Day block
		{"2024-09-30", 1, "2024-10-08"},
		{"2024-10-03", 1, "2024-10-08"}, // a start inside the block does not count
		{"2024-10-03", 5, "2024-10-12"}, // 8, 9, 10, 11, make-up Saturday 12
		{"2024-10-11", 1, "2024-10-12"},
		{"2024-12-27", 3, "2025-01-02"}, // Friday: 30, 31, (1 Jan holiday), 2 Jan — across the year end
		{"2024-12-31", 1, "2025-01-02"},
		{"2024-09-20", 15, "2024-10-16"}, // 23–27, 29, 30, 8–12 Oct, 14–16 Oct
	} {
		got, err := c.AddWorkdays(date(t, tc.start), tc.n)
		if err != nil || got.Format("2006-01-02") != tc.want {
			t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s", tc.start, tc.n, got.Format("2006-01-02"), err, tc.want)
			continue
		}
		if got.Location() != beijing || got.Hour() != 0 {
			t.Errorf("AddWorkdays(%s, %d) = %v, want midnight in the start's location", tc.start, tc.n, got)
		}
		between, err := c.WorkdaysBetween(date(t, tc.start), got)
		if err != nil || between != tc.n {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.start, tc.want, between, err, tc.n)
		}
		if back, err := c.WorkdaysBetween(got, date(t, tc.start)); err != nil || back != -tc.n {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.want, tc.start, back, err, -tc.n)
		}
	}
	// The time of day does not matter, only the local date.
	late := time.Date(2024, 9, 30, 23, 59, 0, 0, beijing)
	if got, err := c.AddWorkdays(late, 1); err != nil || got.Format("2006-01-02") != "2024-10-08" {
		t.Errorf("AddWorkdays(late on 30 Sep, 1) = %v, %v", got, err)
	}
	if _, err := c.AddWorkdays(date(t, "2024-10-08"), -1); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("negative n: %v, want invalid", err)
	}
}

func TestNoCalendar(t *testing.T) {
	c := calendar2024(t)
	check := func(what string, err error, year int) {
		t.Helper()
		want := fmt.Sprintf("%d年的工作日历尚未录入，无法计算期限，请绩效办先录入该年节假日安排", year)
		if e := apperr.From(err); e.Code != apperr.NoCalendar || e.Message != want {
			t.Errorf("%s: %v, want no_calendar for %d", what, err, year)
		}
	}
	_, err := c.IsWorkday(date(t, "2026-03-02"))
	check("IsWorkday in 2026", err, 2026)
	_, err = c.AddWorkdays(date(t, "2025-12-30"), 2) // the second lies in 2026
	check("AddWorkdays into 2026", err, 2026)
	_, err = c.AddWorkdays(date(t, "2023-12-30"), 1)
	check("AddWorkdays from 2023", err, 2023)
	_, err = c.WorkdaysBetween(date(t, "2025-12-01"), date(t, "2026-01-05"))
	check("WorkdaysBetween into 2026", err, 2026)
	var zero *workdays.Calendar
	_, err = zero.IsWorkday(date(t, "2024-01-02"))
	check("nil calendar", err, 2024)
	if got, err := c.AddWorkdays(date(t, "2025-12-30"), 1); err != nil || got.Format("2006-01-02") != "2025-12-31" {
		t.Errorf("AddWorkdays ending in 2025 = %v, %v", got, err)
	}
	if s := apperr.Status(apperr.NoCalendar); s != 409 {
		t.Errorf("no_calendar maps to %d, want 409", s)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
