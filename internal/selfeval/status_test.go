package selfeval_test

import (
	"testing"

	"minyi/internal/selfeval"
)

func TestStatusOf(t *testing.T) {
	on := func(s string) *string { return &s }
	for _, tc := range []struct {
		name          string
		due, today    string
		submitted     *string
		want          string
		wantLabel     string
		wantLateToday bool
	}{
		{"long before the due date", "2026-07-15", "2026-06-01", nil, selfeval.StatusOpen, "未提交", false},
		{"eight days before", "2026-07-15", "2026-07-07", nil, selfeval.StatusOpen, "未提交", false},
		{"seven days before is due soon", "2026-07-15", "2026-07-08", nil, selfeval.StatusDueSoon, "即将到期", false},
		{"on the due date still due soon", "2026-07-15", "2026-07-15", nil, selfeval.StatusDueSoon, "即将到期", false},
		{"the day after is missing", "2026-07-15", "2026-07-16", nil, selfeval.StatusMissing, "逾期未交", true},
		{"across a month end", "2026-08-03", "2026-07-28", nil, selfeval.StatusDueSoon, "即将到期", false},
		{"across a year end", "2027-01-05", "2026-12-31", nil, selfeval.StatusDueSoon, "即将到期", false},
		{"submitted early", "2026-07-15", "2026-08-01", on("2026-07-01"), selfeval.StatusSubmitted, "已提交", true},
		{"submitted on the due date is on time", "2026-07-15", "2026-07-15", on("2026-07-15"), selfeval.StatusSubmitted, "已提交", false},
		{"submitted a day late", "2026-07-15", "2026-07-20", on("2026-07-16"), selfeval.StatusLate, "逾期提交", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := selfeval.StatusOf(tc.due, tc.today, tc.submitted)
			if got != tc.want || selfeval.StatusLabel(got) != tc.wantLabel {
				t.Errorf("StatusOf(%s, %s) = %s %s, want %s %s", tc.due, tc.today, got, selfeval.StatusLabel(got), tc.want, tc.wantLabel)
			}
			if late := selfeval.IsLate(tc.due, tc.today); late != tc.wantLateToday {
				t.Errorf("IsLate(%s, %s) = %v", tc.due, tc.today, late)
			}
		})
	}
}

func TestPeriodInputValidate(t *testing.T) {
	span := selfeval.CycleSpan{Start: "2026-01-01", End: "2026-12-31"}
	for _, tc := range []struct {
		name string
		in   selfeval.PeriodInput
		bad  []string
	}{
		{"half-year", selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15"}, nil},
		{"annual due in the next year", selfeval.PeriodInput{Name: "年度自评", CoversTo: "2026-11-30", DueOn: "2027-01-10", Annual: true}, nil},
		{"due on the covered day", selfeval.PeriodInput{Name: "季度", CoversTo: "2026-03-31", DueOn: "2026-03-31"}, nil},
		{"empty", selfeval.PeriodInput{}, []string{"covers_to", "due_on", "name"}},
		{"name too long", selfeval.PeriodInput{Name: "自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自评自", CoversTo: "2026-06-30", DueOn: "2026-07-15"}, []string{"name"}},
		{"control character", selfeval.PeriodInput{Name: "半年\x00", CoversTo: "2026-06-30", DueOn: "2026-07-15"}, []string{"name"}},
		{"covers outside the cycle", selfeval.PeriodInput{Name: "x", CoversTo: "2025-12-31", DueOn: "2026-01-15"}, []string{"covers_to"}},
		{"due before covered", selfeval.PeriodInput{Name: "x", CoversTo: "2026-06-30", DueOn: "2026-06-29"}, []string{"due_on"}},
		{"due too late", selfeval.PeriodInput{Name: "x", CoversTo: "2026-11-30", DueOn: "2027-06-01"}, []string{"due_on"}},
		{"not a date", selfeval.PeriodInput{Name: "x", CoversTo: "6月30日", DueOn: "2026-02-30"}, []string{"covers_to", "due_on"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldsOf(tc.in.Validate(span))
			if !equal(got, tc.bad) {
				t.Errorf("bad fields %v, want %v", got, tc.bad)
			}
		})
	}
}
