package workdays_test

import (
	"context"
	"testing"

	"github.com/6tail/lunar-go/HolidayUtil"

	"minyi/internal/testutil"
	"minyi/internal/workdays"
)

// Seeded years: the calendars of github.com/6tail/lunar-go (HolidayUtil)
// that pass our rules. migrations/0007_workdays.sql was generated from the
// library once; this test keeps the two identical.
const firstSeeded, lastSeeded = 2017, 2026

// lunarDays returns the library's days of year as our Days.
func lunarDays(year int) []workdays.Day {
	var out []workdays.Day
	for e := HolidayUtil.GetHolidaysByYear(year).Front(); e != nil; e = e.Next() {
		h := e.Value.(*HolidayUtil.Holiday)
		kind := workdays.Holiday
		if h.IsWork() {
			kind = workdays.Workday
		}
		out = append(out, workdays.Day{Date: h.GetDay(), Kind: kind, Name: h.GetName()})
	}
	return out
}

func TestSeedMatchesLunarGo(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	years, err := workdays.ListYears(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(years) != lastSeeded-firstSeeded+1 {
		t.Fatalf("%d seeded years, want %d–%d", len(years), firstSeeded, lastSeeded)
	}
	for _, y := range years {
		if y.Source != workdays.SourceSeed || y.Year < firstSeeded || y.Year > lastSeeded {
			t.Errorf("year %d source %s", y.Year, y.Source)
		}
		got, err := workdays.FindYear(ctx, pool, y.Year)
		if err != nil {
			t.Fatal(err)
		}
		want := lunarDays(y.Year)
		if len(got.Days) != len(want) {
			t.Errorf("%d: %d seeded days, lunar-go has %d", y.Year, len(got.Days), len(want))
			continue
		}
		for i := range want {
			if got.Days[i] != want[i] {
				t.Errorf("%d: seeded %+v, lunar-go %+v", y.Year, got.Days[i], want[i])
			}
		}
		// Every seeded year passes the rules the office's entries must pass.
		if err := (workdays.YearInput{Year: y.Year, Days: got.Days}).Validate(); err != nil {
			t.Errorf("%d breaks the rules: %v", y.Year, err)
		}
	}
	// lunar-go carries nothing after the last seeded year: 2027 is the
	// office's to enter once the State Council announces it.
	if d := lunarDays(lastSeeded + 1); len(d) != 0 {
		t.Errorf("lunar-go now carries %d; extend the seed in a new migration", lastSeeded+1)
	}
}

// TestKnownDays pins facts of the State Council notices on the seeded data.
func TestKnownDays(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	c, err := workdays.Load(ctx, pool, 2019, 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2024-02-04", true},  // Sunday, 春节调休上班
		{"2024-02-10", false}, // 春节
		{"2024-02-18", true},  // Sunday, 春节调休上班
		{"2024-10-01", false}, {"2024-10-04", false}, {"2024-10-07", false},
		{"2024-10-08", true},
		{"2024-10-12", true}, // Saturday, 国庆调休上班
		{"2025-01-01", false},
		{"2025-01-26", true}, // Sunday, 春节调休上班
		{"2025-02-03", false},
		{"2025-02-05", true},
		{"2026-01-04", true},  // Sunday, 元旦调休上班
		{"2026-02-23", false}, // the ninth day of 春节 2026
		{"2026-10-10", true},  // Saturday, 国庆调休上班
		{"2026-11-21", false}, // an ordinary Saturday
	} {
		got, provisional := c.IsWorkday(date(t, tc.day))
		if provisional || got != tc.want {
			t.Errorf("IsWorkday(%s) = %v, %v; want %v", tc.day, got, provisional, tc.want)
		}
	}
	// 2024-09-30 + 1 working day: 1–7 October off, due on the 8th.
	due, err := workdays.Deadline(ctx, pool, date(t, "2024-09-30"), 1)
	if err != nil || due.String() != "2024-10-08" || due.Provisional {
		t.Errorf("Deadline(2024-09-30, 1) = %v, %v", due, err)
	}
	// Across the year end 2024/2025: 31 Dec, (1 Jan off), 2, 3 Jan.
	due, err = workdays.Deadline(ctx, pool, date(t, "2024-12-30"), 3)
	if err != nil || due.String() != "2025-01-03" || due.Provisional {
		t.Errorf("Deadline(2024-12-30, 3) = %v, %v", due, err)
	}
	// 2027 is absent: a deadline reaching it is provisional, counted with
	// weekends only: 21–25, 28–31 Dec, 1 Jan, 4–8 Jan.
	due, err = workdays.Deadline(ctx, pool, date(t, "2026-12-20"), 15)
	if err != nil || due.String() != "2027-01-08" || !due.Provisional || len(due.Absent) != 1 || due.Absent[0] != 2027 {
		t.Errorf("Deadline into 2027: %+v, %v", due, err)
	}
}
