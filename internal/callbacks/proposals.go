package callbacks

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Overdue is one overdue item of a case: its answer ("answer") or its fix
// ("fix") came, or is still missing, after its deadline.
type Overdue struct {
	CaseID int64  `json:"case_id" db:"case_id"`
	UnitID int64  `json:"unit_id" db:"unit_id"`
	Kind   string `json:"kind" db:"kind"`
	Due    string `json:"due" db:"due"`
	// DueProvisional: the answer deadline is provisional (暂定), counted
	// through a year without a working-day calendar.
	DueProvisional bool `json:"due_provisional" db:"due_provisional"`
}

// Proposal is a unit's overdue counts in a cycle and the deduction they
// propose for one deduction reason.
type Proposal struct {
	UnitID        int64   `json:"unit_id"`
	UnitName      string  `json:"unit_name"`
	AnswerOverdue int     `json:"answers_overdue"`
	FixOverdue    int     `json:"fixes_overdue"`
	CaseIDs       []int64 `json:"case_ids"`
	// Items is the number of overdue items; Points what they deduct under
	// the chosen reason (per item, capped by the reason's max_total).
	Items  int     `json:"items"`
	Points float64 `json:"points"`
	// Filed is how many of the items are already filed as deductions.
	Filed int `json:"filed"`
	items []Overdue

	// Provisional is how many items are late against a provisional
	// deadline (暂定, a year without a working-day calendar).
	Provisional int `json:"provisional_items"`
}

// OverdueItems lists the overdue answers and fixes of the cases of a cycle
// (cases of the cycle, or without a cycle and sent within its period) on
// day today (YYYY-MM-DD, in loc): an answer is overdue when it came after
// answer_due or is missing after it; a fix likewise against fix_due.
func OverdueItems(ctx context.Context, q db.DBTX, cycleID int64, today string, loc *time.Location, unitID *int64) ([]Overdue, error) {
	// The cases' deadlines only: with every column (texts included) the
	// CTE of a province's ten thousand cases spilled to disk (50–130 ms).
	return collect[Overdue](ctx, q, `WITH cs AS (
			SELECT c.id, c.unit_id, c.answer_due, c.answer_due_provisional, c.answered_at, c.fix_due, c.done_at
			FROM rectification_cases c, assessment_cycles y
			WHERE y.id = $1 AND (c.cycle_id = y.id OR (c.cycle_id IS NULL AND c.sent_on BETWEEN y.period_start AND y.period_end))
			  AND ($4::bigint IS NULL OR c.unit_id = $4))
		SELECT id AS case_id, unit_id, 'answer' AS kind, to_char(answer_due, 'YYYY-MM-DD') AS due,
			answer_due_provisional AS due_provisional FROM cs
		WHERE answer_due IS NOT NULL AND answer_due < $2::date
		  AND (answered_at IS NULL OR (answered_at AT TIME ZONE $3)::date > answer_due)
		UNION ALL
		SELECT id, unit_id, 'fix', to_char(fix_due, 'YYYY-MM-DD'), false FROM cs
		WHERE fix_due IS NOT NULL AND fix_due < $2::date
		  AND (done_at IS NULL OR (done_at AT TIME ZONE $3)::date > fix_due)
		ORDER BY unit_id, case_id, kind`, cycleID, today, loc.String(), unitID)
}

// clientKey names the deduction filed for one overdue item, so confirming
// twice files it once.
func clientKey(reason string, o Overdue) string {
	return "case-" + o.Kind + ":" + reason + ":" + strconv.FormatInt(o.CaseID, 10)
}

// Proposals returns, per unit with overdue items in the cycle, the counts
// and the deduction they propose under reasonKey (a deduction reason of
// the cycle's assessment settings; empty = counts only).
func Proposals(ctx context.Context, q db.DBTX, cycleID int64, reasonKey, today string, loc *time.Location, unitID *int64) ([]Proposal, error) {
	var reason assessment.DeductionReason
	if reasonKey != "" {
		set, err := assessment.LoadSettings(ctx, q, cycleID)
		if err != nil {
			return nil, err
		}
		var ok bool
		if reason, ok = set.Settings.Reason(reasonKey); !ok {
			return nil, apperr.InvalidField("reason_key", "请选择考核设置中列出的扣分事由")
		}
	}
	items, err := OverdueItems(ctx, q, cycleID, today, loc, unitID)
	if err != nil {
		return nil, err
	}
	by := map[int64]*Proposal{}
	var order []int64
	for _, o := range items {
		p := by[o.UnitID]
		if p == nil {
			p = &Proposal{UnitID: o.UnitID}
			by[o.UnitID] = p
			order = append(order, o.UnitID)
		}
		if o.DueProvisional {
			p.Provisional++
		}
		if o.Kind == "answer" {
			p.AnswerOverdue++
		} else {
			p.FixOverdue++
		}
		if len(p.CaseIDs) == 0 || p.CaseIDs[len(p.CaseIDs)-1] != o.CaseID {
			p.CaseIDs = append(p.CaseIDs, o.CaseID)
		}
		p.items = append(p.items, o)
	}
	// The units' names and the items already filed, for every unit in one
	// read each (a province has hundreds of units with overdue items).
	names := map[int64]string{}
	filed := map[string]bool{}
	rows, _ := q.Query(ctx, `SELECT id, name FROM units WHERE id = ANY($1)`, order)
	var id int64
	var name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { names[id] = name; return nil }); err != nil {
		return nil, db.Err(err)
	}
	if reasonKey != "" {
		keys := make([]string, len(items))
		for i, o := range items {
			keys[i] = clientKey(reasonKey, o)
		}
		var key string
		rows, _ := q.Query(ctx, `SELECT unit_id, client_key FROM assessment_deductions WHERE cycle_id = $1
			AND client_key = ANY($2) AND revoked_at IS NULL`, cycleID, keys)
		if _, err := pgx.ForEachRow(rows, []any{&id, &key}, func() error {
			filed[strconv.FormatInt(id, 10)+"/"+key] = true
			return nil
		}); err != nil {
			return nil, db.Err(err)
		}
	}
	out := make([]Proposal, 0, len(order))
	for _, id := range order {
		p := by[id]
		p.UnitName = names[id]
		p.Items = len(p.items)
		p.Points = float64(p.Items) * reason.Points
		if reason.MaxTotal > 0 && p.Points > reason.MaxTotal {
			p.Points = reason.MaxTotal
		}
		if reasonKey != "" {
			for _, o := range p.items {
				if filed[strconv.FormatInt(id, 10)+"/"+clientKey(reasonKey, o)] {
					p.Filed++
				}
			}
		}
		out = append(out, *p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Items > out[j].Items })
	return out, nil
}

// ConfirmProposal files the unit's overdue items in the cycle as
// deductions under reasonKey, one per item (the reason's points each),
// naming the case in the description. Items already filed are left alone,
// so confirming twice deducts once. It returns the deductions it created.
func ConfirmProposal(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, unitID int64, reasonKey, today string,
	loc *time.Location) ([]assessment.Deduction, error) {
	reasonKey = strings.TrimSpace(reasonKey)
	f := apperr.Fields{}
	if reasonKey == "" {
		f.Add("reason_key", "请选择考核设置中列出的扣分事由")
	}
	if unitID <= 0 {
		f.Add("unit_id", "请选择单位")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	// One confirmation per cycle and unit at a time.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7305016, hashtext($1))`,
		strconv.FormatInt(cycleID, 10)+":"+strconv.FormatInt(unitID, 10)); err != nil {
		return nil, db.Err(err)
	}
	items, err := OverdueItems(ctx, tx, cycleID, today, loc, &unitID)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, apperr.New(apperr.Conflict, "该单位在本年度没有逾期的整改案件")
	}
	created := []assessment.Deduction{}
	for _, o := range items {
		what, due := "逾期未答复", o.Due
		if o.Kind == "fix" {
			what = "逾期未完成整改"
		}
		if o.DueProvisional {
			due += "，暂定"
		}
		d, isNew, err := assessment.FileDeduction(ctx, tx, actor, cycleID, assessment.DeductionInput{
			UnitID: unitID, ReasonKey: reasonKey, ClientKey: clientKey(reasonKey, o),
			Description: fmt.Sprintf("整改案件 #%d %s（期限 %s）", o.CaseID, what, due),
		})
		if err != nil {
			return nil, err
		}
		if isNew {
			created = append(created, d)
		}
	}
	return created, nil
}
