package targets

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Warning kinds.
const (
	// WarnMissingReport: a period's report is missing after its due date.
	WarnMissingReport = "missing_report"
	// WarnOverdue: an indicator's deadline passed without 100 % reported.
	WarnOverdue = "overdue"
)

// WarningKindLabel returns a warning kind in Chinese.
func WarningKindLabel(kind string) string {
	switch kind {
	case WarnMissingReport:
		return "进度报告逾期未报"
	case WarnOverdue:
		return "逾期未完成"
	}
	return kind
}

// Warning is one early warning (预警), computed from stored data.
type Warning struct {
	Kind          string `json:"kind"`
	KindLabel     string `json:"kind_label"`
	SheetID       int64  `json:"sheet_id"`
	UnitID        int64  `json:"unit_id"`
	UnitName      string `json:"unit_name"`
	IndicatorID   int64  `json:"indicator_id"`
	IndicatorName string `json:"indicator_name"`
	// Period and Due name the missing report's period (missing_report).
	Period      string `json:"period,omitempty"`
	PeriodLabel string `json:"period_label,omitempty"`
	Due         string `json:"due,omitempty"`
	// Deadline and Percent describe an overdue indicator (overdue); Percent
	// is the highest reported, nil when nothing was reported.
	Deadline string `json:"deadline,omitempty"`
	Percent  *int   `json:"percent,omitempty"`
}

// WatchedSheet is an approved sheet with what the warnings look at.
type WatchedSheet struct {
	SheetID    int64
	UnitID     int64
	UnitName   string
	ApprovedOn string // local date of the first approval
	Indicators []WatchedIndicator
}

// WatchedIndicator is a current indicator with its reports.
type WatchedIndicator struct {
	ID        int64
	Name      string
	Deadline  string
	CreatedOn string // local date it was added
	// Reported maps period keys to the percent reported.
	Reported map[string]int
}

// ComputeWarnings returns the warnings on today (YYYY-MM-DD): for each
// indicator, each period ending on or after the later of the sheet's
// approval and the indicator's creation whose due date is before today and
// that has no report; and each indicator whose deadline is before today
// with no report at 100 %. Once an indicator is reported at 100 %, no
// later period's report is required. Sheets and indicators keep their order, periods
// theirs, and an indicator's overdue warning comes after its missing
// reports.
func ComputeWarnings(today string, periods []ReportPeriod, sheets []WatchedSheet) []Warning {
	var out []Warning
	for _, s := range sheets {
		for _, in := range s.Indicators {
			for _, p := range missingReports(s, in, periods) {
				if p.Due < today {
					out = append(out, Warning{Kind: WarnMissingReport, KindLabel: WarningKindLabel(WarnMissingReport), SheetID: s.SheetID,
						UnitID: s.UnitID, UnitName: s.UnitName, IndicatorID: in.ID, IndicatorName: in.Name,
						Period: p.Key, PeriodLabel: p.Label, Due: p.Due})
				}
			}
			if in.Deadline < today {
				best, found := 0, false
				for _, pct := range in.Reported {
					best, found = max(best, pct), true
				}
				if best < 100 {
					w := Warning{Kind: WarnOverdue, KindLabel: WarningKindLabel(WarnOverdue), SheetID: s.SheetID, UnitID: s.UnitID,
						UnitName: s.UnitName, IndicatorID: in.ID, IndicatorName: in.Name, Deadline: in.Deadline}
					if found {
						w.Percent = &best
					}
					out = append(out, w)
				}
			}
		}
	}
	return out
}

// missingReports returns the periods the indicator has no report for among
// those it owes: ending on or after the later of the sheet's approval and
// the indicator's creation, and not after the period it was reported
// complete in.
func missingReports(s WatchedSheet, in WatchedIndicator, periods []ReportPeriod) []ReportPeriod {
	from := max(s.ApprovedOn, in.CreatedOn)
	done := completedOn(periods, in.Reported)
	var out []ReportPeriod
	for _, p := range periods {
		if _, ok := in.Reported[p.Key]; !ok && p.End >= from && (done == "" || p.End <= done) {
			out = append(out, p)
		}
	}
	return out
}

// completedOn returns the end of the first period reported at 100 %, a
// date after every period when such a report's period is not among
// periods (the frequency changed), or "" when none is.
func completedOn(periods []ReportPeriod, reported map[string]int) string {
	out := ""
	for key, pct := range reported {
		if pct < 100 {
			continue
		}
		p, ok := FindPeriod(periods, key)
		if !ok {
			return "0000-00-00"
		}
		if out == "" || p.End < out {
			out = p.End
		}
	}
	return out
}

// WarningFilter narrows the warnings of a cycle.
type WarningFilter struct {
	UnitID *int64
	Kind   string // "" for both kinds
}

// Warnings computes the cycle's warnings at now in loc from the approved
// sheets, their current indicators and reports, and the cycle's settings.
func Warnings(ctx context.Context, q db.DBTX, cycleID int64, f WarningFilter, now time.Time, loc *time.Location) ([]Warning, error) {
	periods, sheets, err := LoadWatched(ctx, q, cycleID, f.UnitID, loc)
	if err != nil {
		return nil, err
	}
	all := ComputeWarnings(now.In(loc).Format(dateLayout), periods, sheets)
	if f.Kind == "" {
		return all, nil
	}
	var out []Warning
	for _, w := range all {
		if w.Kind == f.Kind {
			out = append(out, w)
		}
	}
	return out, nil
}

// LoadWatched reads the cycle's reporting periods and its approved sheets
// (of one unit when unitID is not nil) with their current indicators and
// reports, as ComputeWarnings and DueReports take them.
func LoadWatched(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64, loc *time.Location) ([]ReportPeriod, []WatchedSheet, error) {
	var start, end string
	err := q.QueryRow(ctx, `SELECT to_char(period_start, 'YYYY-MM-DD'), to_char(period_end, 'YYYY-MM-DD')
		FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&start, &end)
	if err != nil {
		return nil, nil, notFound(db.Err(err), "考核年度不存在")
	}
	set, err := FindSettings(ctx, q, cycleID)
	if err != nil {
		return nil, nil, err
	}
	type row struct {
		SheetID    int64     `db:"sheet_id"`
		UnitID     int64     `db:"unit_id"`
		UnitName   string    `db:"unit_name"`
		ApprovedAt time.Time `db:"approved_at"`
		ID         int64     `db:"id"`
		Name       string    `db:"name"`
		Deadline   string    `db:"deadline"`
		CreatedAt  time.Time `db:"created_at"`
	}
	rows, _ := q.Query(ctx, `SELECT s.id AS sheet_id, s.unit_id, u.name AS unit_name, s.approved_at,
			i.id, i.name, to_char(i.deadline, 'YYYY-MM-DD') AS deadline, i.created_at
		FROM target_sheets s JOIN units u ON u.id = s.unit_id
		JOIN target_indicators i ON i.sheet_id = s.id AND i.removed_at IS NULL
		WHERE s.cycle_id = $1 AND s.status = 'approved' AND ($2::bigint IS NULL OR s.unit_id = $2)
		ORDER BY u.category, u.name, i.position, i.id`, cycleID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, nil, db.Err(err)
	}
	type rep struct {
		IndicatorID int64  `db:"indicator_id"`
		Period      string `db:"period"`
		Percent     int    `db:"percent"`
	}
	rows, _ = q.Query(ctx, `SELECT r.indicator_id, r.period, r.percent FROM target_reports r
		JOIN target_sheets s ON s.id = r.sheet_id
		WHERE s.cycle_id = $1 AND ($2::bigint IS NULL OR s.unit_id = $2)`, cycleID, unitID)
	reps, err := pgx.CollectRows(rows, pgx.RowToStructByName[rep])
	if err != nil {
		return nil, nil, db.Err(err)
	}
	reported := map[int64]map[string]int{}
	for _, r := range reps {
		if reported[r.IndicatorID] == nil {
			reported[r.IndicatorID] = map[string]int{}
		}
		reported[r.IndicatorID][r.Period] = r.Percent
	}
	var sheets []WatchedSheet
	for _, r := range list {
		if len(sheets) == 0 || sheets[len(sheets)-1].SheetID != r.SheetID {
			sheets = append(sheets, WatchedSheet{SheetID: r.SheetID, UnitID: r.UnitID, UnitName: r.UnitName,
				ApprovedOn: r.ApprovedAt.In(loc).Format(dateLayout)})
		}
		s := &sheets[len(sheets)-1]
		s.Indicators = append(s.Indicators, WatchedIndicator{ID: r.ID, Name: r.Name, Deadline: r.Deadline,
			CreatedOn: r.CreatedAt.In(loc).Format(dateLayout), Reported: reported[r.ID]})
	}
	return Periods(start, end, set.Frequency, set.DueDays), sheets, nil
}

// DueReport is a period's progress report that a sheet still owes: the
// period has ended and Missing of its indicators have no report for it.
type DueReport struct {
	SheetID  int64
	UnitID   int64
	UnitName string
	Period   ReportPeriod
	Missing  int
}

// DueReports returns the reports owed on today (YYYY-MM-DD), by the rules
// of ComputeWarnings but for every period that has ended, whether or not
// its due date has passed: they are the units' to-dos, a warning only
// once overdue. Sheets keep their order, periods theirs.
func DueReports(today string, periods []ReportPeriod, sheets []WatchedSheet) []DueReport {
	var out []DueReport
	for _, s := range sheets {
		missing := map[string]int{}
		for _, in := range s.Indicators {
			for _, p := range missingReports(s, in, periods) {
				if p.End < today {
					missing[p.Key]++
				}
			}
		}
		for _, p := range periods {
			if n := missing[p.Key]; n > 0 {
				out = append(out, DueReport{SheetID: s.SheetID, UnitID: s.UnitID, UnitName: s.UnitName, Period: p, Missing: n})
			}
		}
	}
	return out
}
