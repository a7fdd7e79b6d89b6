// Overdue counts per unit and the office's case deadlines settings.

package feedback

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// OverdueCount is one unit's overdue cases: answers past answer_due not
// given, and fixes past the unit's fix_due not reported done nor closed.
type OverdueCount struct {
	Answers int `json:"answers_overdue"`
	Fixes   int `json:"fixes_overdue"`
}

// OverduePeriod selects the cases OverdueCounts looks at: those of the
// cycle (cycle_id = CycleID) when CycleID is set, and those sent between
// From and To ("YYYY-MM-DD", inclusive) when both are set; a case matching
// either is counted. An empty period counts every case.
type OverduePeriod struct {
	CycleID  int64
	From, To string
}

// OverdueCounts returns, per unit with at least one overdue case, how many
// answers and fixes are overdue on today's date (see Case.AnswerOverdue and
// Case.FixOverdue). The assessment uses it for deduction proposals.
func OverdueCounts(ctx context.Context, q db.DBTX, p OverduePeriod, today time.Time) (map[int64]OverdueCount, error) {
	all := p.CycleID == 0 && (p.From == "" || p.To == "")
	var from, to *string
	if p.From != "" && p.To != "" {
		from, to = &p.From, &p.To
	}
	rows, _ := q.Query(ctx, `SELECT c.unit_id,
			count(*) FILTER (WHERE `+overdueAnswerSQL+`),
			count(*) FILTER (WHERE `+overdueFixSQL+`)
		FROM rectification_cases c
		WHERE c.status IN ('sent', 'answered', 'returned') -- only open cases can be overdue
		  AND ($4 OR c.cycle_id = $1 OR c.sent_on BETWEEN $2::date AND $5::date)
		GROUP BY c.unit_id`, p.CycleID, from, dayOf(today), all, to)
	out := map[int64]OverdueCount{}
	var unit int64
	var oc OverdueCount
	_, err := pgx.ForEachRow(rows, []any{&unit, &oc.Answers, &oc.Fixes}, func() error {
		if oc.Answers > 0 || oc.Fixes > 0 {
			out[unit] = oc
		}
		return nil
	})
	return out, db.Err(err)
}

// OverdueTotal sums the overdue counts of every period for the unit in
// scope, or for all units when scope is nil (the console's overview).
func OverdueTotal(ctx context.Context, q db.DBTX, scope *int64, today time.Time) (OverdueCount, error) {
	m, err := OverdueCounts(ctx, q, OverduePeriod{}, today)
	var sum OverdueCount
	for unit, oc := range m {
		if scope == nil || *scope == unit {
			sum.Answers += oc.Answers
			sum.Fixes += oc.Fixes
		}
	}
	return sum, err
}

// CaseSetting is the working-day period of one source group.
type CaseSetting struct {
	Group string `json:"source_group" db:"source_group"`
	Days  int    `json:"days" db:"days"`
}

// Label is the Chinese name of the setting.
func (s CaseSetting) Label() string {
	for _, g := range SourceGroups {
		if g.Key == s.Group {
			return g.Label
		}
	}
	return s.Group
}

// ListCaseSettings returns the periods in the order of SourceGroups.
func ListCaseSettings(ctx context.Context, q db.DBTX) ([]CaseSetting, error) {
	return collect[CaseSetting](ctx, q, `SELECT source_group, days FROM case_settings
		ORDER BY array_position(ARRAY['feedback','survey','monitoring','assessment','callback'], source_group)`)
}

// SaveCaseSettings sets the periods given (group → days, 1..60); unchanged
// values write nothing, so a retry is harmless. Audited.
func SaveCaseSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, days map[string]int, now time.Time) ([]CaseSetting, error) {
	before, err := ListCaseSettings(ctx, tx)
	if err != nil {
		return nil, err
	}
	e := apperr.Fields{}
	for g, n := range days {
		if (CaseSetting{Group: g}).Label() == g {
			e.Add(g, "未知的期限类别")
		} else if n < 1 || n > 60 {
			e.Add(g, "期限须为1至60个工作日")
		}
	}
	if err := e.Err(); err != nil {
		return nil, err
	}
	changed := false
	for g, n := range days {
		tag, err := tx.Exec(ctx, `UPDATE case_settings SET days = $2, updated_by = $3, updated_at = $4
			WHERE source_group = $1 AND days <> $2`, g, n, actorID(actor), now)
		if err != nil {
			return nil, db.Err(err)
		}
		changed = changed || tag.RowsAffected() > 0
	}
	after, err := ListCaseSettings(ctx, tx)
	if err != nil || !changed {
		return after, err
	}
	return after, audit.Record(ctx, tx, actor, "case.settings", "case_settings", "all", before, after)
}
