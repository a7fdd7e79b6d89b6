package selfeval

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/units"
)

// UnitRow is one unit of a period's overview.
type UnitRow struct {
	UnitID      int64      `json:"unit_id" db:"unit_id"`
	UnitName    string     `json:"unit_name" db:"unit_name"`
	Category    string     `json:"category" db:"category"`
	Status      string     `json:"status" db:"-"`
	SubmittedAt *time.Time `json:"submitted_at" db:"submitted_at"`
	Late        bool       `json:"late" db:"late"`
	Files       int        `json:"files" db:"files"`
}

// Counts are a period's units by report status: Submitted on time, Late,
// and Pending not yet submitted (missing once the due date has passed).
type Counts struct {
	Units     int `json:"units"`
	Submitted int `json:"submitted"`
	Late      int `json:"late"`
	Pending   int `json:"pending"`
	// Missing is Pending once the due date has passed, else 0.
	Missing int `json:"missing"`
}

// Filter selects a page of a period's units: Search is part of a unit's
// name, Status one of Statuses ("" for all); Limit 1–500 (50 when 0).
type Filter struct {
	Search, Status string
	Limit, Offset  int
}

// Validate returns invalid for an unknown status (status) or a bad page
// (limit, offset).
func (f Filter) Validate() error {
	fs := apperr.Fields{}
	if f.Status != "" && !contains(Statuses, f.Status) {
		fs.Add("status", "状态须为已提交、逾期提交、逾期未交、即将到期或未提交之一")
	}
	if f.Limit < 0 || f.Limit > 500 {
		fs.Add("limit", "每页条数须在1到500之间")
	}
	if f.Offset < 0 {
		fs.Add("offset", "起始位置不能为负数")
	}
	return fs.Err()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// inCycle is the SQL condition that the unit u of a target sheet is still
// a unit of the sheet's cycle c: not abolished by the end of its period
// (units.InCycleSQL).
var inCycle = units.NotAbolishedBySQL("u", "c.period_end")

// CountPeriod counts the period's units (those with a target sheet in
// its cycle, and still of the cycle) by report status on today's local date.
func CountPeriod(ctx context.Context, q db.DBTX, p Period, today string) (Counts, error) {
	var c Counts
	err := q.QueryRow(ctx, `SELECT count(*)::int, (count(r.unit_id) FILTER (WHERE NOT r.late))::int,
			(count(r.unit_id) FILTER (WHERE r.late))::int
		FROM target_sheets s JOIN units u ON u.id = s.unit_id JOIN assessment_cycles c ON c.id = s.cycle_id
		LEFT JOIN self_eval_reports r ON r.period_id = $1 AND r.unit_id = s.unit_id
		WHERE s.cycle_id = $2 AND `+inCycle, p.ID, p.CycleID).Scan(&c.Units, &c.Submitted, &c.Late)
	c.Pending = c.Units - c.Submitted - c.Late
	if today > p.DueOn {
		c.Missing = c.Pending
	}
	return c, db.Err(err)
}

// ListUnits returns a page of the period's units by name, with their
// report status on today's local date, and how many match the filter.
func ListUnits(ctx context.Context, q db.DBTX, p Period, today string, f Filter) ([]UnitRow, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	cond := "true"
	switch f.Status {
	case "":
	case StatusSubmitted:
		cond = "r.unit_id IS NOT NULL AND NOT r.late"
	case StatusLate:
		cond = "r.late"
	default:
		if f.Status != StatusOf(p.DueOn, today, nil) {
			return []UnitRow{}, 0, nil
		}
		cond = "r.unit_id IS NULL"
	}
	search := "%" + likeEscape(strings.TrimSpace(f.Search)) + "%"
	from := ` FROM target_sheets s JOIN units u ON u.id = s.unit_id JOIN assessment_cycles c ON c.id = s.cycle_id
		LEFT JOIN self_eval_reports r ON r.period_id = $1 AND r.unit_id = s.unit_id
		WHERE s.cycle_id = $2 AND u.name ILIKE $3 AND ` + inCycle + ` AND ` + cond
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)::int`+from, p.ID, p.CycleID, search).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT u.id AS unit_id, u.name AS unit_name, u.category, r.submitted_at, COALESCE(r.late, false) AS late,
			(SELECT count(*)::int FROM self_eval_report_files x WHERE x.period_id = $1 AND x.unit_id = u.id) AS files`+from+`
		ORDER BY u.name, u.id LIMIT $4 OFFSET $5`, p.ID, p.CycleID, search, f.Limit, f.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[UnitRow])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	for i := range list {
		list[i].Status = rowStatus(p, list[i], today)
	}
	if list == nil {
		list = []UnitRow{}
	}
	return list, total, nil
}

func rowStatus(p Period, r UnitRow, today string) string {
	switch {
	case r.SubmittedAt == nil:
		return StatusOf(p.DueOn, today, nil)
	case r.Late:
		return StatusLate
	}
	return StatusSubmitted
}

// UnitPeriod is one period of a unit's list, with its report's status.
type UnitPeriod struct {
	Period
	Status      string     `json:"status"`
	SubmittedAt *time.Time `json:"submitted_at"`
}

// StatusLabel is the report's status in Chinese.
func (u UnitPeriod) StatusLabel() string { return StatusLabel(u.Status) }

// ListUnitPeriods returns the cycle's periods with the unit's report
// status in each on today's local date.
func ListUnitPeriods(ctx context.Context, q db.DBTX, cycleID, unitID int64, today string) ([]UnitPeriod, error) {
	periods, err := ListPeriods(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	type sub struct {
		PeriodID    int64     `db:"period_id"`
		SubmittedAt time.Time `db:"submitted_at"`
		Late        bool      `db:"late"`
	}
	rows, _ := q.Query(ctx, `SELECT r.period_id, r.submitted_at, r.late FROM self_eval_reports r
		JOIN self_eval_periods p ON p.id = r.period_id WHERE p.cycle_id = $1 AND r.unit_id = $2`, cycleID, unitID)
	subs, err := pgx.CollectRows(rows, pgx.RowToStructByName[sub])
	if err != nil {
		return nil, db.Err(err)
	}
	out := make([]UnitPeriod, 0, len(periods))
	for _, p := range periods {
		up := UnitPeriod{Period: p, Status: StatusOf(p.DueOn, today, nil)}
		for _, s := range subs {
			if s.PeriodID == p.ID {
				up.SubmittedAt = &s.SubmittedAt
				up.Status = rowStatus(p, UnitRow{SubmittedAt: &s.SubmittedAt, Late: s.Late}, today)
			}
		}
		out = append(out, up)
	}
	return out, nil
}

// Owed is a period whose report a unit still owes, due within
// DueSoonDays or overdue.
type Owed struct {
	Period
	CycleName string `db:"cycle_name"`
}

// OwedByUnit returns the periods of the cycles whose report the unit has
// not submitted although it has a target sheet in the cycle, due on or
// before today + DueSoonDays and not more than lookBack days ago, unless
// the cycle's self-evaluation is locked.
func OwedByUnit(ctx context.Context, q db.DBTX, unitID int64, today string, lookBack int) ([]Owed, error) {
	rows, _ := q.Query(ctx, `SELECT p.id, p.cycle_id, p.name, to_char(p.covers_to, 'YYYY-MM-DD') AS covers_to,
			to_char(p.due_on, 'YYYY-MM-DD') AS due_on, p.annual, p.updated_at, c.name AS cycle_name
		FROM self_eval_periods p JOIN assessment_cycles c ON c.id = p.cycle_id
		JOIN target_sheets s ON s.cycle_id = p.cycle_id AND s.unit_id = $1 JOIN units u ON u.id = s.unit_id
		WHERE `+inCycle+` AND p.due_on <= $2::date + $3::int AND p.due_on >= $2::date - $4::int
		  AND NOT COALESCE((SELECT t.self_eval_locked FROM target_settings t WHERE t.cycle_id = p.cycle_id), false)
		  AND NOT EXISTS (SELECT 1 FROM self_eval_reports r WHERE r.period_id = p.id AND r.unit_id = $1)
		ORDER BY p.due_on, p.id LIMIT 20`, unitID, today, DueSoonDays, lookBack)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Owed])
	return list, db.Err(err)
}

// Overdue is a period past its due date with units that have not
// submitted their reports.
type Overdue struct {
	Period
	CycleName string `db:"cycle_name"`
	Missing   int    `db:"missing"`
}

// OverduePeriods returns the periods due before today and not more than
// lookBack days ago, of cycles not locked, with how many units of the
// cycle (those with a target sheet) have no report; periods without
// missing reports are left out. cycleID 0 reads every cycle.
func OverduePeriods(ctx context.Context, q db.DBTX, cycleID int64, today string, lookBack int) ([]Overdue, error) {
	rows, _ := q.Query(ctx, `SELECT * FROM (SELECT p.id, p.cycle_id, p.name, to_char(p.covers_to, 'YYYY-MM-DD') AS covers_to,
			to_char(p.due_on, 'YYYY-MM-DD') AS due_on, p.annual, p.updated_at, c.name AS cycle_name,
			((SELECT count(*) FROM target_sheets s JOIN units u ON u.id = s.unit_id WHERE s.cycle_id = p.cycle_id AND `+inCycle+`)
			 - (SELECT count(*) FROM self_eval_reports r JOIN target_sheets s ON s.cycle_id = p.cycle_id AND s.unit_id = r.unit_id
				JOIN units u ON u.id = s.unit_id WHERE r.period_id = p.id AND `+inCycle+`))::int AS missing
		FROM self_eval_periods p JOIN assessment_cycles c ON c.id = p.cycle_id
		WHERE p.due_on < $1::date AND p.due_on >= $1::date - $2::int AND ($3::bigint = 0 OR p.cycle_id = $3)
		  AND NOT COALESCE((SELECT t.self_eval_locked FROM target_settings t WHERE t.cycle_id = p.cycle_id), false)) x
		WHERE missing > 0 ORDER BY due_on, id LIMIT 20`, today, lookBack, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Overdue])
	return list, db.Err(err)
}

// likeEscape escapes the wildcards of an ILIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
