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
		got, provisional := c.IsWorkday(date(t, tc.day))
		if provisional || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v", tc.day, got, provisional, tc.want)
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
		due, err := c.AddWorkdays(date(t, tc.start), tc.n)
		got := due.Date
		if err != nil || due.String() != tc.want || due.Provisional || due.Absent != nil {
			t.Errorf("AddWorkdays(%s, %d) = %+v, %v; want %s", tc.start, tc.n, due, err, tc.want)
			continue
		}
		if got.Location() != beijing || got.Hour() != 0 {
			t.Errorf("AddWorkdays(%s, %d) = %v, want midnight in the start's location", tc.start, tc.n, got)
		}
		between, provisional := c.WorkdaysBetween(date(t, tc.start), got)
		if provisional || between != tc.n {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.start, tc.want, between, provisional, tc.n)
		}
		if back, provisional := c.WorkdaysBetween(got, date(t, tc.start)); provisional || back != -tc.n {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v; want %d", tc.want, tc.start, back, provisional, -tc.n)
		}
	}
	// The time of day does not matter, only the local date.
	late := time.Date(2024, 9, 30, 23, 59, 0, 0, beijing)
	if got, err := c.AddWorkdays(late, 1); err != nil || got.String() != "2024-10-08" {
		t.Errorf("AddWorkdays(late on 30 Sep, 1) = %v, %v", got, err)
	}
	if _, err := c.AddWorkdays(date(t, "2024-10-08"), -1); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("negative n: %v, want invalid", err)
	}
}

// TestProvisional: a count through a year absent from the calendar takes
// Saturdays and Sundays off and nothing else, and says so.
func TestProvisional(t *testing.T) {
	c := calendar2024(t) // 2024 and 2025 present
	for _, tc := range []struct {
		start  string
		n      int
		want   string
		absent []int
	}{
		{"2025-12-30", 1, "2025-12-31", nil},                 // stays in 2025
		{"2025-12-30", 2, "2026-01-01", []int{2026}},         // 1 Jan 2026 counts: weekends only
		{"2025-12-26", 5, "2026-01-02", []int{2026}},         // 29, 30, 31 Dec, 1, 2 Jan
		{"2026-03-06", 1, "2026-03-09", []int{2026}},         // Friday to Monday
		{"2023-12-29", 2, "2024-01-02", []int{2023}},         // from an absent year into a present one
		{"2025-12-31", 0, "2025-12-31", nil},                 // n = 0 stays on the start
		{"2025-12-01", 300, "2027-01-25", []int{2026, 2027}}, // through two absent years
		{"2026-12-31", 0, "2026-12-31", []int{2026}},         // the start's year counts
	} {
		due, err := c.AddWorkdays(date(t, tc.start), tc.n)
		if err != nil || due.String() != tc.want || due.Provisional != (tc.absent != nil) || fmt.Sprint(due.Absent) != fmt.Sprint(tc.absent) {
			t.Errorf("AddWorkdays(%s, %d) = %+v, %v; want %s absent %v", tc.start, tc.n, due, err, tc.want, tc.absent)
		}
		if n, provisional := c.WorkdaysBetween(date(t, tc.start), due.Date); n != tc.n || provisional != (tc.absent != nil) {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, %v", tc.start, tc.want, n, provisional)
		}
	}
	if ok, provisional := c.IsWorkday(date(t, "2026-01-01")); !ok || !provisional {
		t.Errorf("IsWorkday(2026-01-01) = %v, %v; want a provisional working day", ok, provisional)
	}
	if ok, provisional := c.IsWorkday(date(t, "2026-01-03")); ok || !provisional {
		t.Errorf("IsWorkday(Saturday 2026-01-03) = %v, %v", ok, provisional)
	}
	var zero *workdays.Calendar
	if due, err := zero.AddWorkdays(date(t, "2024-01-05"), 1); err != nil || due.String() != "2024-01-08" || !due.Provisional {
		t.Errorf("nil calendar: %+v, %v", due, err)
	}
	if got := c.Absent(2023, 2027); fmt.Sprint(got) != "[2023 2026 2027]" {
		t.Errorf("Absent(2023, 2027) = %v", got)
	}
}

func itoa(n int) string { return fmt.Sprint(n) }
