// Package selfeval holds self-evaluation periods and reports (自评期次与自评
// 报告; 003 三(二)1, Harbin § 23, Jiangxi § 18): the office defines a
// cycle's periods (a half-year and an annual one, say), each with the date
// it covers up to and the due date of its report; every unit with a target
// sheet in the cycle writes one report per period with attached evidence
// files. A report first submitted after the due date is late (逾期提交); a
// report missing past it is a warning and a to-do. The status rules are
// pure functions (status.go); the store reads and writes the three tables
// of migration 0060.
package selfeval

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
)

// dateLayout is the layout of dates in the API and in SQL.
const dateLayout = "2006-01-02"

// MaxDueAfterCycle is how many days after the cycle's end a report may
// still be due (the annual assessment runs into the next year).
const MaxDueAfterCycle = 120

// Period is a self-evaluation period of a cycle.
type Period struct {
	ID      int64  `json:"id" db:"id"`
	CycleID int64  `json:"cycle_id" db:"cycle_id"`
	Name    string `json:"name" db:"name"`
	// CoversTo is the last day (YYYY-MM-DD) the self-evaluation covers.
	CoversTo string `json:"covers_to" db:"covers_to"`
	// DueOn is the last day (YYYY-MM-DD) to submit the report on time.
	DueOn string `json:"due_on" db:"due_on"`
	// Annual marks the period whose indicator claims are the cycle's
	// self-evaluation (the claims on the target sheet).
	Annual    bool      `json:"annual" db:"annual"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// PeriodInput is a period as the office enters it.
type PeriodInput struct {
	Name     string `json:"name"`
	CoversTo string `json:"covers_to"`
	DueOn    string `json:"due_on"`
	Annual   bool   `json:"annual"`
}

// CycleSpan is the period of the cycle a self-evaluation period belongs
// to (dates YYYY-MM-DD, both days included).
type CycleSpan struct{ Start, End string }

// Normalize trims the input.
func (in *PeriodInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.CoversTo = strings.TrimSpace(in.CoversTo)
	in.DueOn = strings.TrimSpace(in.DueOn)
}

// Validate returns an invalid error naming each bad field: name (1–50
// characters), covers_to (a date within the cycle), due_on (a date not
// before covers_to and at most MaxDueAfterCycle days after the cycle's
// end).
func (in PeriodInput) Validate(cy CycleSpan) error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写自评期次名称，如“半年自评”“年度自评”")
	} else if n > 50 {
		f.Add("name", "自评期次名称不能超过50字")
	} else if !safetext.Valid(in.Name) {
		f.Add("name", safetext.Message)
	}
	covers, okC := parseDate(in.CoversTo)
	due, okD := parseDate(in.DueOn)
	start, _ := parseDate(cy.Start)
	end, _ := parseDate(cy.End)
	switch {
	case !okC:
		f.Add("covers_to", "请填写自评截至日期（年-月-日）")
	case covers.Before(start) || covers.After(end):
		f.Add("covers_to", "自评截至日期须在考核年度期间内（"+cy.Start+" 至 "+cy.End+"）")
	}
	switch {
	case !okD:
		f.Add("due_on", "请填写报告报送截止日期（年-月-日）")
	case okC && due.Before(covers):
		f.Add("due_on", "报送截止日期不能早于自评截至日期")
	case due.Before(start) || due.After(end.AddDate(0, 0, MaxDueAfterCycle)):
		f.Add("due_on", "报送截止日期须在考核年度开始之后、结束后"+strconv.Itoa(MaxDueAfterCycle)+"天以内")
	}
	return f.Err()
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(dateLayout, s)
	return t, err == nil
}

const periodColumns = `id, cycle_id, name, to_char(covers_to, 'YYYY-MM-DD') AS covers_to,
	to_char(due_on, 'YYYY-MM-DD') AS due_on, annual, updated_at`

// ListPeriods returns the cycle's periods by due date.
func ListPeriods(ctx context.Context, q db.DBTX, cycleID int64) ([]Period, error) {
	rows, _ := q.Query(ctx, `SELECT `+periodColumns+` FROM self_eval_periods WHERE cycle_id = $1 ORDER BY due_on, id`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Period])
	if list == nil {
		list = []Period{}
	}
	return list, db.Err(err)
}

// FindPeriod returns the period, or not_found.
func FindPeriod(ctx context.Context, q db.DBTX, id int64) (Period, error) {
	rows, _ := q.Query(ctx, `SELECT `+periodColumns+` FROM self_eval_periods WHERE id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Period])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "自评期次不存在")
		}
	}
	return p, err
}

// cycleSpan returns the cycle's dates, not_found for an unknown cycle.
func cycleSpan(ctx context.Context, q db.DBTX, cycleID int64) (CycleSpan, error) {
	var s CycleSpan
	err := q.QueryRow(ctx, `SELECT to_char(period_start, 'YYYY-MM-DD'), to_char(period_end, 'YYYY-MM-DD')
		FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&s.Start, &s.End)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "考核年度不存在")
		}
	}
	return s, err
}

// SavePeriod creates the cycle's period of the input's name, or changes
// the one of that name (so a retried create does no harm), and audits it.
// It returns not_found for an unknown cycle and invalid for bad input or
// a second annual period (annual).
func SavePeriod(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in PeriodInput, now time.Time) (Period, error) {
	in.Normalize()
	span, err := cycleSpan(ctx, tx, cycleID)
	if err != nil {
		return Period{}, err
	}
	if err := in.Validate(span); err != nil {
		return Period{}, err
	}
	var before *Period
	rows, _ := tx.Query(ctx, `SELECT `+periodColumns+` FROM self_eval_periods WHERE cycle_id = $1 AND name = $2 FOR UPDATE`, cycleID, in.Name)
	if p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Period]); err == nil {
		before = &p
	} else if err = db.Err(err); !apperr.Is(err, apperr.NotFound) {
		return Period{}, err
	}
	if before != nil {
		return updatePeriod(ctx, tx, actor, *before, in, now)
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO self_eval_periods (cycle_id, name, covers_to, due_on, annual, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, cycleID, in.Name, in.CoversTo, in.DueOn, in.Annual, now).Scan(&id)
	if err != nil {
		return Period{}, uniqueness(db.Err(err))
	}
	p, err := FindPeriod(ctx, tx, id)
	if err != nil {
		return Period{}, err
	}
	return p, audit.Record(ctx, tx, actor, "self_eval_period.create", "cycle", strconv.FormatInt(cycleID, 10), nil, p)
}

// UpdatePeriod changes a period and audits it. It returns not_found for
// an unknown period and invalid for bad input, a name another period of
// the cycle has (name) or a second annual period (annual).
func UpdatePeriod(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in PeriodInput, now time.Time) (Period, error) {
	in.Normalize()
	before, err := FindPeriod(ctx, tx, id)
	if err != nil {
		return Period{}, err
	}
	span, err := cycleSpan(ctx, tx, before.CycleID)
	if err != nil {
		return Period{}, err
	}
	if err := in.Validate(span); err != nil {
		return Period{}, err
	}
	return updatePeriod(ctx, tx, actor, before, in, now)
}

func updatePeriod(ctx context.Context, tx pgx.Tx, actor audit.Actor, before Period, in PeriodInput, now time.Time) (Period, error) {
	if before.Name == in.Name && before.CoversTo == in.CoversTo && before.DueOn == in.DueOn && before.Annual == in.Annual {
		return before, nil
	}
	if before.Annual != in.Annual {
		// The annual flag decides where the indicators' scores are (the
		// sheet's claims or the period's own); once a unit has reported it
		// stays.
		n, err := reportCount(ctx, tx, before.ID)
		if err != nil {
			return Period{}, err
		}
		if n > 0 {
			return Period{}, apperr.InvalidField("annual", MsgAnnualFixed)
		}
	}
	_, err := tx.Exec(ctx, `UPDATE self_eval_periods SET name = $2, covers_to = $3, due_on = $4, annual = $5, updated_at = $6
		WHERE id = $1`, before.ID, in.Name, in.CoversTo, in.DueOn, in.Annual, now)
	if err != nil {
		return Period{}, uniqueness(db.Err(err))
	}
	p, err := FindPeriod(ctx, tx, before.ID)
	if err != nil {
		return Period{}, err
	}
	return p, audit.Record(ctx, tx, actor, "self_eval_period.update", "cycle", strconv.FormatInt(p.CycleID, 10), before, p)
}

// Messages of refused period changes.
const (
	MsgAnnualFixed = "已有单位提交本期自评报告，不能再更改是否为年度自评"
	MsgHasReports  = "已有单位提交本期自评报告，不能删除该期次"
)

// reportCount counts the period's reports.
func reportCount(ctx context.Context, q db.DBTX, periodID int64) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*)::int FROM self_eval_reports WHERE period_id = $1`, periodID).Scan(&n)
	return n, db.Err(err)
}

// DeletePeriod deletes a period no unit has reported for yet and audits
// it. It returns not_found for an unknown period and conflict
// (MsgHasReports) once a unit has submitted its report, changing nothing.
func DeletePeriod(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64) (Period, error) {
	// Locking the period waits for a report being submitted (its foreign
	// key holds the row); the count after it sees that report.
	rows, _ := tx.Query(ctx, `SELECT `+periodColumns+` FROM self_eval_periods WHERE id = $1 FOR UPDATE`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Period])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "自评期次不存在")
		}
		return Period{}, err
	}
	n, err := reportCount(ctx, tx, id)
	if err != nil {
		return Period{}, err
	}
	if n > 0 {
		return Period{}, apperr.New(apperr.Conflict, MsgHasReports)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM self_eval_periods WHERE id = $1`, id); err != nil {
		return Period{}, db.Err(err)
	}
	return p, audit.Record(ctx, tx, actor, "self_eval_period.delete", "cycle", strconv.FormatInt(p.CycleID, 10), p, nil)
}

// uniqueness turns a conflict on the periods' unique indexes into the
// field it is about.
func uniqueness(err error) error {
	if !apperr.Is(err, apperr.Conflict) {
		return err
	}
	if strings.Contains(err.Error(), "one_annual") {
		return apperr.InvalidField("annual", "本考核年度已有年度自评期次，一个年度只能有一个")
	}
	return apperr.InvalidField("name", "本考核年度已有同名的自评期次")
}
