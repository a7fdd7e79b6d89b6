package selfeval

// Report statuses of a unit in a period, as the API gives them; pages show
// StatusLabel.
const (
	// StatusOpen: not submitted, due later than DueSoonDays from today.
	StatusOpen = "open"
	// StatusDueSoon: not submitted, due within DueSoonDays (or today).
	StatusDueSoon = "due_soon"
	// StatusMissing: not submitted and the due date has passed (逾期未交).
	StatusMissing = "missing"
	// StatusSubmitted: submitted on or before the due date.
	StatusSubmitted = "submitted"
	// StatusLate: first submitted after the due date (逾期提交).
	StatusLate = "late"
)

// DueSoonDays is how many calendar days before its due date a report not
// yet submitted counts as due soon.
const DueSoonDays = 7

// StatusOf returns a report's status from the period's due date, today's
// local date and, when the report was submitted, the local date of its
// first submission (all YYYY-MM-DD, which compare as strings). The due
// date itself is still on time.
func StatusOf(due, today string, submittedOn *string) string {
	if submittedOn != nil {
		if *submittedOn > due {
			return StatusLate
		}
		return StatusSubmitted
	}
	switch {
	case today > due:
		return StatusMissing
	case today >= addDays(due, -DueSoonDays):
		return StatusDueSoon
	}
	return StatusOpen
}

// IsLate reports whether a report first submitted on the date is late.
func IsLate(due, submittedOn string) bool { return submittedOn > due }

// StatusLabel returns a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case StatusDueSoon:
		return "即将到期"
	case StatusMissing:
		return "逾期未交"
	case StatusSubmitted:
		return "已提交"
	case StatusLate:
		return "逾期提交"
	}
	return "未提交"
}

// Statuses are the statuses the office's overview filters by, in order.
var Statuses = []string{StatusSubmitted, StatusLate, StatusMissing, StatusDueSoon, StatusOpen}

// addDays moves a YYYY-MM-DD date by n days; a malformed date is returned
// as it is.
func addDays(date string, n int) string {
	t, ok := parseDate(date)
	if !ok {
		return date
	}
	return t.AddDate(0, 0, n).Format(dateLayout)
}
