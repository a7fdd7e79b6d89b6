package callbacks

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
	"minyi/internal/targets"
)

// MarkCarry marks (or unmarks) a case as a key case to carry into next
// year's targets and records it in the audit log. A carried case stays
// marked.
func MarkCarry(ctx context.Context, tx pgx.Tx, actor audit.Actor, caseID int64, carry bool, now time.Time) error {
	var before bool
	if err := tx.QueryRow(ctx, `SELECT carry_to_targets FROM rectification_cases WHERE id = $1 FOR UPDATE`, caseID).Scan(&before); err != nil {
		return notFound(db.Err(err))
	}
	if before == carry {
		return nil
	}
	if !carry {
		var carried bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_carries WHERE case_id = $1)`, caseID).Scan(&carried); err != nil {
			return db.Err(err)
		}
		if carried {
			return apperr.New(apperr.Conflict, "该案件已转入下一年度目标，不能取消标记")
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE rectification_cases SET carry_to_targets = $2, updated_at = $3 WHERE id = $1`,
		caseID, carry, now); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "case.carry_mark", "case", strconv.FormatInt(caseID, 10),
		map[string]bool{"carry_to_targets": before}, map[string]bool{"carry_to_targets": carry})
}

// CarryCase is a marked case of a cycle, with where it was carried to.
type CarryCase struct {
	ID          int64   `json:"id" db:"id"`
	UnitID      int64   `json:"unit_id" db:"unit_id"`
	UnitName    string  `json:"unit_name" db:"unit_name"`
	Problem     string  `json:"problem" db:"problem"`
	Measures    string  `json:"measures" db:"measures"`
	Status      string  `json:"status" db:"status"`
	CarriedTo   *int64  `json:"carried_to_cycle" db:"carried_to"`
	CarriedName *string `json:"carried_to_cycle_name" db:"carried_name"`
}

// casesOfCycle selects the cases of a cycle: of the cycle, or without a
// cycle and sent within its period ($1 = cycle id).
const casesOfCycle = `FROM rectification_cases c JOIN assessment_cycles y ON y.id = $1
	AND (c.cycle_id = y.id OR (c.cycle_id IS NULL AND c.sent_on BETWEEN y.period_start AND y.period_end))`

// MarkedCases lists the cases of a cycle marked to carry into targets,
// with the cycle each was carried to.
func MarkedCases(ctx context.Context, q db.DBTX, cycleID int64) ([]CarryCase, error) {
	return collect[CarryCase](ctx, q, `SELECT c.id, c.unit_id, u.name AS unit_name, c.problem, c.measures, c.status,
			k.cycle_id AS carried_to, ky.name AS carried_name
		`+casesOfCycle+` JOIN units u ON u.id = c.unit_id
		LEFT JOIN case_carries k ON k.case_id = c.id LEFT JOIN assessment_cycles ky ON ky.id = k.cycle_id
		WHERE c.carry_to_targets ORDER BY u.name, c.id`, cycleID)
}

// CarryInput is the office's choice: the next cycle and the points of each
// carried indicator.
type CarryInput struct {
	NextCycleID int64   `json:"next_cycle_id"`
	Points      float64 `json:"points"`
}

// CarryResult is what a carry did per unit.
type CarryResult struct {
	UnitID   int64   `json:"unit_id"`
	UnitName string  `json:"unit_name"`
	SheetID  int64   `json:"sheet_id"`
	CaseIDs  []int64 `json:"case_ids"`
}

// Carry adds the marked cases of cycleID not carried yet as draft
// indicators of their unit's target sheet in the next cycle (creating the
// sheet when missing): name from the problem, tasks from the unit's
// measures, the chosen points, deadline the next cycle's end. A case is
// carried once. A unit whose sheet is no longer a draft is refused
// (conflict) and nothing is carried.
func Carry(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in CarryInput, now time.Time) ([]CarryResult, error) {
	f := apperr.Fields{}
	if in.Points <= 0 || in.Points > 100 {
		f.Add("points", "每项指标的分值须大于0且不超过100")
	}
	var ok bool
	var nextEnd string
	err := tx.QueryRow(ctx, `SELECT n.period_start > y.period_end, to_char(n.period_end, 'YYYY-MM-DD')
		FROM assessment_cycles y, assessment_cycles n WHERE y.id = $1 AND n.id = $2`, cycleID, in.NextCycleID).Scan(&ok, &nextEnd)
	if err == pgx.ErrNoRows {
		f.Add("next_cycle_id", "请选择下一考核年度")
	} else if err != nil {
		return nil, db.Err(err)
	} else if !ok {
		f.Add("next_cycle_id", "下一考核年度须在本年度之后")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7305017, $1::int)`, cycleID); err != nil {
		return nil, db.Err(err)
	}
	marked, err := MarkedCases(ctx, tx, cycleID)
	if err != nil {
		return nil, err
	}
	byUnit := map[int64][]CarryCase{}
	var order []int64
	for _, c := range marked {
		if c.CarriedTo != nil {
			continue
		}
		if byUnit[c.UnitID] == nil {
			order = append(order, c.UnitID)
		}
		byUnit[c.UnitID] = append(byUnit[c.UnitID], c)
	}
	out := []CarryResult{}
	for _, unitID := range order {
		cases := byUnit[unitID]
		sheet, _, err := targets.CreateSheet(ctx, tx, actor, in.NextCycleID, unitID, now)
		if err != nil {
			return nil, err
		}
		if !sheet.Editable() {
			return nil, apperr.New(apperr.Conflict, cases[0].UnitName+"的下一年度目标责任书已提交或已批准，不能再添加草稿指标")
		}
		list := make([]targets.IndicatorInput, 0, len(sheet.Indicators)+len(cases))
		for _, ind := range sheet.Indicators {
			list = append(list, targets.IndicatorInput{ID: ind.ID, Name: ind.Name, Tasks: ind.Tasks, Points: ind.Points,
				Standard: ind.Standard, Deadline: ind.Deadline, AssessorUnitID: ind.AssessorUnitID,
				AssessorName: assessorName(ind), SchemeKey: ind.SchemeKey})
		}
		res := CarryResult{UnitID: unitID, UnitName: cases[0].UnitName, SheetID: sheet.ID}
		for _, c := range cases {
			list = append(list, targets.IndicatorInput{Name: clip("整改："+c.Problem, 200), Tasks: tasksOf(c),
				Points: in.Points, Standard: clip("按期完成整改，群众满意（整改案件 #"+strconv.FormatInt(c.ID, 10)+"）", 2000),
				Deadline: nextEnd, AssessorName: "绩效办"})
			res.CaseIDs = append(res.CaseIDs, c.ID)
		}
		after, err := targets.SaveDraft(ctx, tx, actor, sheet.ID, sheet.LockVersion, list, now)
		if err != nil {
			return nil, err
		}
		added := after.Indicators[len(after.Indicators)-len(cases):]
		for i, c := range cases {
			if _, err := tx.Exec(ctx, `INSERT INTO case_carries (case_id, cycle_id, sheet_id, indicator_id, created_by, created_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, in.NextCycleID, sheet.ID, added[i].ID, actorID(actor), now); err != nil {
				return nil, db.Err(err)
			}
			if err := audit.Record(ctx, tx, actor, "case.carry", "case", strconv.FormatInt(c.ID, 10), nil,
				map[string]any{"cycle_id": in.NextCycleID, "sheet_id": sheet.ID, "indicator_id": added[i].ID}); err != nil {
				return nil, err
			}
		}
		out = append(out, res)
	}
	return out, nil
}

// assessorName keeps a free-text assessor; a unit assessor goes by its id.
func assessorName(ind targets.Indicator) string {
	if ind.AssessorUnitID != nil {
		return ""
	}
	return ind.AssessorName
}

// tasksOf is the indicator's tasks: the unit's measures, else the problem.
func tasksOf(c CarryCase) string {
	t := strings.TrimSpace(c.Measures)
	if t == "" {
		t = "针对群众反映的问题制定并落实整改措施：" + c.Problem
	}
	return clip(t, 2000)
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
