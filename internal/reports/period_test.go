package reports_test

import (
	"testing"
	"time"

	"minyi/internal/reports"
)

func TestParsePeriodAndItsNeighbours(t *testing.T) {
	for _, tc := range []struct {
		in, label, prev, next, yearAgo, first, last string
	}{
		{"2026-11", "2026年11月", "2026-10", "2026-12", "2025-11", "2026-11-01", "2026-11-30"},
		{"2026-01", "2026年1月", "2025-12", "2026-02", "2025-01", "2026-01-01", "2026-01-31"},
		{"2024-02", "2024年2月", "2024-01", "2024-03", "2023-02", "2024-02-01", "2024-02-29"},
		{"2026-Q3", "2026年第三季度", "2026-Q2", "2026-Q4", "2025-Q3", "2026-07-01", "2026-09-30"},
		{"2026-Q1", "2026年第一季度", "2025-Q4", "2026-Q2", "2025-Q1", "2026-01-01", "2026-03-31"},
		{"2026-Q4", "2026年第四季度", "2026-Q3", "2027-Q1", "2025-Q4", "2026-10-01", "2026-12-31"},
	} {
		p, err := reports.ParsePeriod(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		got := []string{p.String(), p.Label(), p.Prev().String(), p.Next().String(), p.YearAgo().String(),
			p.First().Format(time.DateOnly), p.Last().Format(time.DateOnly)}
		want := []string{tc.in, tc.label, tc.prev, tc.next, tc.yearAgo, tc.first, tc.last}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: field %d is %q, want %q", tc.in, i, got[i], want[i])
			}
		}
	}
	for _, bad := range []string{"", "2026", "2026-13", "2026-00", "2026-1", "2026-Q0", "2026-Q5", "2026-Q12", "1999-01", "26-11", "2026-11-01", "２０２６-11", "2026-q3"} {
		if _, err := reports.ParsePeriod(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestRecentPeriodsAndSpans(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	// 1 January 00:30 in Shanghai is still 31 December in UTC: the local day counts.
	today := reports.Day(time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC), sh)
	if today.Format(time.DateOnly) != "2027-01-01" {
		t.Fatalf("local day %v", today)
	}
	months := reports.Recent(reports.Month, today, 12)
	if len(months) != 12 || months[0].String() != "2027-01" || months[11].String() != "2026-02" {
		t.Errorf("months %v", months)
	}
	quarters := reports.Recent(reports.Quarter, today, 8)
	if len(quarters) != 8 || quarters[0].String() != "2027-Q1" || quarters[7].String() != "2025-Q2" {
		t.Errorf("quarters %v", quarters)
	}
	s := months[0].SpanOn(today)
	if !s.Running || !s.Started || s.To != today {
		t.Errorf("running span %+v", s)
	}
	if s := months[1].SpanOn(today); s.Running || s.To.Format(time.DateOnly) != "2026-12-31" {
		t.Errorf("finished span %+v", s)
	}
	if s := months[0].Next().SpanOn(today); s.Started {
		t.Errorf("a future month started: %+v", s)
	}
}
