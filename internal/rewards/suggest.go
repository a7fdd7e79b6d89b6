package rewards

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/db"
)

// Suggestions (建议) for the bonus factors from the records the system
// already holds, shown beside a unit's factors for the office to confirm
// with one click; they are never applied by themselves (a unit without
// saved factors has none). A suggestion keeps the factors in force and
// replaces those a record speaks to:
//   - 成绩突出: a commendation (表彰) recorded for the unit this cycle;
//   - 行政问责: the unit's confirmed deductions in force of an accountability
//     reason (the default 行政问责, or a reason of Zhongshan's 行政问责 group,
//     or any reason whose name says 行政问责);
//   - 未完成重大任务: the indicators of the unit's approved target sheet whose
//     deadline passed before today with no progress report at 100 %
//     (key tasks' indicators among them named).

// Suggestion is what the records suggest for a unit's factors, why, and
// whether it differs from the factors in force.
type Suggestion struct {
	Factors Factors  `json:"factors"`
	Reasons []string `json:"reasons"`
	Differs bool     `json:"differs"`
	// Changes says in words what confirming would change: "行政问责 1 次".
	Changes []string `json:"changes"`
}

// Text is the changes in words for the page: "成绩突出；行政问责 1 次".
func (s Suggestion) Text() string { return strings.Join(s.Changes, "；") }

// changes lists in words the factors of to that differ from from.
func changes(from, to Factors) []string {
	out := []string{}
	if from.Outstanding != to.Outstanding {
		if to.Outstanding {
			out = append(out, "成绩突出")
		} else {
			out = append(out, "不属成绩突出")
		}
	}
	if from.Accountability != to.Accountability {
		out = append(out, "行政问责 "+strconv.Itoa(to.Accountability)+" 次")
	}
	if from.FailedTasks != to.FailedTasks {
		out = append(out, "未完成重大任务 "+strconv.Itoa(to.FailedTasks)+" 项")
	}
	return out
}

// accountabilityKeys are the cycle's deduction reasons of 行政问责.
func accountabilityKeys(ctx context.Context, q db.DBTX, cycleID int64) ([]string, error) {
	set, err := assessment.LoadSettings(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	keys := []string{"accountability"}
	for _, r := range set.Settings.DeductionReasons {
		if r.Key != "accountability" && (r.Group == assessment.GroupZhongshanAccountability || strings.Contains(r.Name, "行政问责")) {
			keys = append(keys, r.Key)
		}
	}
	return keys, nil
}

// Suggest fills each line's Suggested from the records of the cycle, as of
// today (YYYY-MM-DD, local): three queries over the lines' units.
func Suggest(ctx context.Context, q db.DBTX, cycleID int64, today string, lines []UnitLine) error {
	if len(lines) == 0 {
		return nil
	}
	ids := make([]int64, len(lines))
	for i, l := range lines {
		ids[i] = l.UnitID
	}
	keys, err := accountabilityKeys(ctx, q, cycleID)
	if err != nil {
		return err
	}
	acc := map[int64]int{}
	rows, _ := q.Query(ctx, `SELECT unit_id, count(*) FROM assessment_deductions WHERE cycle_id = $1 AND unit_id = ANY($2)
		AND revoked_at IS NULL AND reason_key = ANY($3) GROUP BY unit_id`, cycleID, ids, keys)
	var unit int64
	var n, k int
	if _, err := pgx.ForEachRow(rows, []any{&unit, &n}, func() error { acc[unit] = n; return nil }); err != nil {
		return db.Err(err)
	}
	type failed struct{ all, key int }
	fail := map[int64]failed{}
	rows, _ = q.Query(ctx, `SELECT s.unit_id, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM key_task_members m
			JOIN key_tasks kt ON kt.id = m.task_id WHERE m.unit_id = s.unit_id AND m.indicator_id = i.id AND kt.cycle_id = s.cycle_id))
		FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id AND i.removed_at IS NULL
		WHERE s.cycle_id = $1 AND s.unit_id = ANY($2) AND s.status = 'approved' AND i.deadline < $3::date
			AND NOT EXISTS (SELECT 1 FROM target_reports r WHERE r.indicator_id = i.id AND r.percent >= 100)
		GROUP BY s.unit_id`, cycleID, ids, today)
	if _, err := pgx.ForEachRow(rows, []any{&unit, &n, &k}, func() error { fail[unit] = failed{n, k}; return nil }); err != nil {
		return db.Err(err)
	}
	for i := range lines {
		l := &lines[i]
		s := Suggestion{Factors: l.Factors, Reasons: []string{}}
		if c := l.Commendation; c != nil {
			s.Factors.Outstanding = true
			s.Reasons = append(s.Reasons, "已登记表彰（"+c.DocNo+"）")
		}
		if n := acc[l.UnitID]; n > 0 {
			s.Factors.Accountability = min(n, 100)
			s.Reasons = append(s.Reasons, "已确认行政问责扣分 "+strconv.Itoa(n)+" 次")
		}
		if f := fail[l.UnitID]; f.all > 0 {
			s.Factors.FailedTasks = min(f.all, 100)
			why := "目标指标逾期未完成 " + strconv.Itoa(f.all) + " 项"
			if f.key > 0 {
				why += "（其中重点任务 " + strconv.Itoa(f.key) + " 项）"
			}
			s.Reasons = append(s.Reasons, why)
		}
		s.Differs, s.Changes = s.Factors != l.Factors, changes(l.Factors, s.Factors)
		l.Suggested = &s
	}
	return nil
}
