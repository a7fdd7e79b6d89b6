package results

import (
	"testing"
	"time"

	"minyi/internal/workdays"
)

// calendar2026 holds 2026 with the National Day holiday (1–7 October) and
// its make-up working day, Saturday 10 October; 2027 is absent.
func calendar2026(t *testing.T) *workdays.Calendar {
	t.Helper()
	days := []workdays.Day{{Date: "2026-09-20", Kind: workdays.Workday, Name: "国庆节"},
		{Date: "2026-10-10", Kind: workdays.Workday, Name: "国庆节"}}
	for d := 1; d <= 7; d++ {
		days = append(days, workdays.Day{Date: time.Date(2026, 10, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			Kind: workdays.Holiday, Name: "国庆节"})
	}
	cal, err := workdays.New([]int{2026}, days)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func day(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAppealWindow(t *testing.T) {
	cal := calendar2026(t)
	cases := []struct {
		name                     string
		notified, received, kind string
		receiptDays              int
		today                    string
		basis, end, receiptBy    string
		open, provisional        bool
	}{
		// Notified Monday 28 September; 3 working days to sign: 29, 30
		// September and 8 October (the holiday skipped).
		{name: "signed before the holiday, counted across it and the make-up Saturday", notified: "2026-09-28",
			received: "2026-09-29", kind: BasisSigned, receiptDays: 3, today: "2026-10-12",
			basis: BasisSigned, end: "2026-10-12", receiptBy: "2026-10-08", open: true},
		{name: "delivered on paper", notified: "2026-09-28", received: "2026-09-30", kind: BasisDelivered, receiptDays: 3,
			today: "2026-10-14", basis: BasisDelivered, end: "2026-10-13", receiptBy: "2026-10-08"},
		{name: "signed on the last day to sign", notified: "2026-09-28", received: "2026-10-08", kind: BasisSigned,
			receiptDays: 3, today: "2026-10-14", basis: BasisSigned, end: "2026-10-14", receiptBy: "2026-10-08", open: true},
		{name: "unsigned within the days to sign: pending", notified: "2026-09-28", receiptDays: 3, today: "2026-10-08",
			basis: BasisPending, receiptBy: "2026-10-08", open: true},
		{name: "unsigned after the days to sign: from the notification", notified: "2026-09-28", receiptDays: 3,
			today: "2026-10-09", basis: BasisNotified, end: "2026-10-10", receiptBy: "2026-10-08", open: true},
		{name: "fallback window closed", notified: "2026-09-28", receiptDays: 3, today: "2026-10-12",
			basis: BasisNotified, end: "2026-10-10", receiptBy: "2026-10-08"},
		{name: "signed too late: from the notification", notified: "2026-09-28", received: "2026-10-09", kind: BasisSigned,
			receiptDays: 3, today: "2026-10-09", basis: BasisNotified, end: "2026-10-10", receiptBy: "2026-10-08", open: true},
		// Notified Friday 6 November.
		{name: "signed on the notification day, across a weekend", notified: "2026-11-06", received: "2026-11-06",
			kind: BasisSigned, receiptDays: 5, today: "2026-11-13", basis: BasisSigned, end: "2026-11-13", receiptBy: "2026-11-13", open: true},
		{name: "delivered on a Saturday counts as from Saturday", notified: "2026-11-06", received: "2026-11-07",
			kind: BasisDelivered, receiptDays: 5, today: "2026-11-16", basis: BasisDelivered, end: "2026-11-13", receiptBy: "2026-11-13"},
		{name: "signed on Monday", notified: "2026-11-06", received: "2026-11-09", kind: BasisSigned, receiptDays: 5,
			today: "2026-11-16", basis: BasisSigned, end: "2026-11-16", receiptBy: "2026-11-13", open: true},
		{name: "into a year without a calendar is provisional", notified: "2026-12-28", received: "2026-12-30",
			kind: BasisSigned, receiptDays: 5, today: "2026-12-30", basis: BasisSigned, end: "2027-01-06",
			receiptBy: "2027-01-04", open: true, provisional: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := WindowInput{NotifiedOn: day(t, tc.notified), AppealDays: 5, ReceiptDays: tc.receiptDays, Kind: tc.kind}
			if tc.received != "" {
				r := day(t, tc.received)
				in.ReceivedOn = &r
			}
			w, err := AppealWindow(cal, in, day(t, tc.today))
			if err != nil {
				t.Fatal(err)
			}
			if w.Basis != tc.basis || w.EndText() != tc.end || w.ReceiptBy.String() != tc.receiptBy {
				t.Errorf("window = %s until %q (receipt by %s), want %s until %q (by %s)", w.Basis, w.EndText(), w.ReceiptBy.String(),
					tc.basis, tc.end, tc.receiptBy)
			}
			if got := w.Open(day(t, tc.today)); got != tc.open {
				t.Errorf("open on %s = %v, want %v", tc.today, got, tc.open)
			}
			if w.Provisional() != tc.provisional {
				t.Errorf("provisional = %v", w.Provisional())
			}
			if w.Text() == "" {
				t.Error("no text")
			}
		})
	}
}
