package todos

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/results"
	"minyi/internal/targets"
	"minyi/internal/units"
	"minyi/internal/users"
)

// unitSources are a unit's to-dos.
var unitSources = []source{unitCases, unitTargetSheets, unitCycles, unitReviewAnswers, unitRectificationReports, unitReceipts,
	unitSelfEvalReports}

// openCycleDays is how long after its period ends a cycle's targets and
// scoring still make to-dos: the assessment runs into the next year's
// first quarter.
const openCycleDays = 120

// unitCases are the unit's cases waiting for its answer (sent or sent
// back) or for its report that the fix is done.
func unitCases(ctx context.Context, q db.DBTX, u users.User, _ Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT c.id, c.status, c.problem,
			to_char(CASE WHEN c.status = 'answered' THEN c.fix_due ELSE c.answer_due END, 'YYYY-MM-DD')
		FROM rectification_cases c
		WHERE c.unit_id = $1 AND c.status IN ('sent', 'returned', 'answered')
		ORDER BY 4 NULLS LAST, c.id LIMIT 200`, *u.UnitID)
	var out []Item
	var id int64
	var status, problem string
	var due *string
	_, err := pgx.ForEachRow(rows, []any{&id, &status, &problem, &due}, func() error {
		it := Item{UnitID: u.UnitID, Detail: clip(problem, 60), Due: due, Link: idLink("/console/cases/", id)}
		switch status {
		case "sent":
			it.Kind, it.Title = KindCaseAnswer, "答复整改案件"
		case "returned":
			it.Kind, it.Title = KindCaseReturned, "整改答复被退回，请修改后重新提交"
		default:
			it.Kind, it.Title = KindCaseFix, "落实整改并报告完成情况"
		}
		out = append(out, it)
		return nil
	})
	return out, db.Err(err)
}

// openCycles returns the ids and names of the cycles whose period has not
// ended more than openCycleDays ago, newest first.
func openCycles(ctx context.Context, q db.DBTX, env Env) ([]cycleRef, error) {
	rows, _ := q.Query(ctx, `SELECT id, name, to_char(period_end, 'YYYY-MM-DD') FROM assessment_cycles
		WHERE period_end >= $1::date - $2::int AND period_start <= $1::date ORDER BY period_start DESC, id DESC LIMIT 5`,
		env.todayString(), openCycleDays)
	var out []cycleRef
	var c cycleRef
	_, err := pgx.ForEachRow(rows, []any{&c.ID, &c.Name, &c.End}, func() error { out = append(out, c); return nil })
	return out, db.Err(err)
}

type cycleRef struct {
	ID        int64
	Name, End string
}

// unitTargetSheets are the unit's target sheets of open cycles that it
// must write and submit: never submitted, or returned by the office.
func unitTargetSheets(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT s.id, s.status, c.name, s.review_comment FROM target_sheets s
		JOIN assessment_cycles c ON c.id = s.cycle_id JOIN units u ON u.id = s.unit_id
		WHERE s.unit_id = $1 AND s.status IN ('draft', 'returned') AND c.period_end >= $2::date - $3::int
			AND `+units.InCycleSQL("u", "c")+`
		ORDER BY c.period_start DESC`, *u.UnitID, env.todayString(), openCycleDays)
	var out []Item
	var id int64
	var status, cycle, comment string
	_, err := pgx.ForEachRow(rows, []any{&id, &status, &cycle, &comment}, func() error {
		it := Item{Kind: KindTargetSheet, UnitID: u.UnitID, Detail: cycle, Link: idLink("/console/targets/", id)}
		it.Title = "填写并提交目标责任书"
		if status == targets.StatusReturned {
			it.Title = "目标责任书被退回，请修改后重新提交"
			if comment != "" {
				it.Detail = cycle + "：" + clip(comment, 60)
			}
		}
		out = append(out, it)
		return nil
	})
	return out, db.Err(err)
}

// unitCycles are what the unit owes in the open cycles, read once: its
// progress reports and self-evaluation, and its scores as assessor unit.
func unitCycles(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	cycles, err := openCycles(ctx, q, env)
	if err != nil {
		return nil, err
	}
	// A unit abolished by the end of a cycle's period owes it nothing
	// (units.InCycleSQL).
	un, err := units.FindUnit(ctx, q, *u.UnitID)
	if err != nil {
		return nil, err
	}
	cycles = slices.DeleteFunc(cycles, func(c cycleRef) bool { return un.AbolishedBy(c.End) })
	out, err := unitReports(ctx, q, u, env, cycles)
	if err != nil {
		return nil, err
	}
	scoring, err := unitAssessorScoring(ctx, q, u, cycles)
	return append(out, scoring...), err
}

// unitReports are the progress reports the unit owes for ended periods,
// and the self-evaluation of the cycle's indicators from a month before
// the period ends until the office locks it.
func unitReports(ctx context.Context, q db.DBTX, u users.User, env Env, cycles []cycleRef) ([]Item, error) {
	today := env.todayString()
	var out []Item
	for _, c := range cycles {
		periods, sheets, err := targets.LoadWatched(ctx, q, c.ID, u.UnitID, env.Loc)
		if err != nil {
			return nil, err
		}
		for _, r := range targets.DueReports(today, periods, sheets) {
			out = append(out, Item{Kind: KindProgressReport, UnitID: u.UnitID, Count: r.Missing,
				Title:  "填报" + r.Period.Label + "进度报告",
				Detail: c.Name + "：" + strconv.Itoa(r.Missing) + " 项指标未报", Due: ptr(r.Period.Due),
				Link: idLink("/console/targets/", r.SheetID) + "?period=" + r.Period.Key + "#reports"})
		}
		if len(sheets) == 0 || !selfEvaluationOpen(c, env) {
			continue
		}
		set, err := targets.FindSettings(ctx, q, c.ID)
		if err != nil || set.SelfEvalLocked {
			if err != nil {
				return nil, err
			}
			continue
		}
		var missing int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM target_indicators i
			WHERE i.sheet_id = $1 AND i.removed_at IS NULL
			  AND NOT EXISTS (SELECT 1 FROM target_self_evaluations e WHERE e.indicator_id = i.id)`,
			sheets[0].SheetID).Scan(&missing); err != nil {
			return nil, db.Err(err)
		}
		if missing > 0 {
			out = append(out, Item{Kind: KindSelfEvaluation, UnitID: u.UnitID, Count: missing, Title: "填报年度自评",
				Detail: c.Name + "：" + strconv.Itoa(missing) + " 项指标未自评",
				Link:   idLink("/console/targets/", sheets[0].SheetID) + "#self"})
		}
	}
	return out, nil
}

// selfEvaluationOpen reports whether the cycle's self-evaluation shows:
// from 31 days before its period ends.
func selfEvaluationOpen(c cycleRef, env Env) bool {
	end, err := time.ParseInLocation(dateLayout, c.End, env.Loc)
	return err == nil && !env.today().Before(end.AddDate(0, 0, -31))
}

// unitReviewAnswers are the unit's applications for review (复核申请)
// answered in the last 30 days, to read the answer.
func unitReviewAnswers(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT a.cycle_id, c.name FROM assessment_appeals a JOIN assessment_cycles c ON c.id = a.cycle_id
		WHERE a.unit_id = $1 AND a.status <> 'pending' AND a.answered_at >= $2
		ORDER BY a.answered_at DESC`, *u.UnitID, env.Now.AddDate(0, 0, -30))
	var out []Item
	var cycle int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&cycle, &name}, func() error {
		out = append(out, Item{Kind: KindReviewAnswered, UnitID: u.UnitID, Title: "复核申请已答复，请查看", Detail: name,
			Link: resultLink(cycle, *u.UnitID)})
		return nil
	})
	return out, db.Err(err)
}

func resultLink(cycle, unit int64) string {
	return idLink("/console/cycles/", cycle) + idLink("/results/", unit)
}

// unitRectificationReports is the written rectification report the unit
// owes for the newest cycle with final results when it was rated 合格
// three years running and has not submitted one.
func unitRectificationReports(ctx context.Context, q db.DBTX, u users.User, _ Env) ([]Item, error) {
	var cycle int64
	var name string
	err := q.QueryRow(ctx, `SELECT c.id, c.name FROM assessment_publications p JOIN assessment_cycles c ON c.id = p.cycle_id
		JOIN assessment_results r ON r.publication_id = p.id AND r.unit_id = $1
		WHERE p.stage = 'final' AND p.reopened_at IS NULL AND r.grade = $2
		  AND NOT EXISTS (SELECT 1 FROM assessment_rectification_reports x WHERE x.cycle_id = c.id AND x.unit_id = $1)
		ORDER BY c.year DESC, p.id DESC LIMIT 1`, *u.UnitID, assessment.GradePass).Scan(&cycle, &name)
	if err == pgx.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, db.Err(err)
	}
	three, err := results.ThreePass(ctx, q, cycle, *u.UnitID)
	if err != nil || !three {
		return nil, err
	}
	return []Item{{Kind: KindRectificationReport, UnitID: u.UnitID, Title: "提交书面整改报告",
		Detail: name + "：连续三年考核为合格", Link: resultLink(cycle, *u.UnitID) + "#rectification"}}, nil
}

// unitAssessorScoring is, for a unit that scores others' indicators
// (考评单位), the scores it has not entered in the open cycles.
func unitAssessorScoring(ctx context.Context, q db.DBTX, u users.User, cycles []cycleRef) ([]Item, error) {
	var out []Item
	for _, c := range cycles {
		var final bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_publications
			WHERE cycle_id = $1 AND stage = 'final' AND reopened_at IS NULL)`, c.ID).Scan(&final); err != nil {
			return nil, db.Err(err)
		}
		if final {
			continue
		}
		// Each unit of the cycle is scored on its own scheme: count the
		// leaves of each scheme the unit scores, times that scheme's units.
		scope, err := assessment.LoadScope(ctx, q, c.ID)
		if err != nil {
			return nil, err
		}
		sc := assessment.Scorer{UnitID: u.UnitID}
		want := 0
		var unitIDs []int64
		var keys []string
		for _, ch := range scope.ScorerChains(sc) {
			leaves := ch.Leaves(sc)
			want += len(leaves) * len(ch.Units)
			for _, x := range ch.Units {
				for _, l := range leaves {
					unitIDs, keys = append(unitIDs, x.ID), append(keys, l.Key)
				}
			}
		}
		if want == 0 {
			continue
		}
		var entered int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM assessment_entries e
			JOIN unnest($2::bigint[], $3::text[]) AS w(unit_id, leaf_key) ON w.unit_id = e.unit_id AND w.leaf_key = e.leaf_key
			WHERE e.cycle_id = $1`, c.ID, unitIDs, keys).Scan(&entered); err != nil {
			return nil, db.Err(err)
		}
		if left := want - entered; left > 0 {
			out = append(out, Item{Kind: KindAssessorScoring, UnitID: u.UnitID, Count: left, Title: "为考评指标打分",
				Detail: c.Name + "：" + strconv.Itoa(left) + " 项得分未录入",
				Link:   idLink("/console/cycles/", c.ID) + "/assessment/score"})
		}
	}
	return out, nil
}

// clip shortens s to n characters, with an ellipsis when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// unitReceipts are the preliminary results the unit has not signed for
// (签收), nor had delivered on paper, nor applied against, while the final
// results are not out: due the last day a receipt still starts the review
// window (past it the window counts from the notification).
func unitReceipts(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT p.cycle_id, c.name FROM assessment_results r
		JOIN assessment_publications p ON p.id = r.publication_id AND p.stage = 'preliminary'
		JOIN assessment_cycles c ON c.id = p.cycle_id
		WHERE r.unit_id = $1
		  AND NOT EXISTS (SELECT 1 FROM assessment_publications f WHERE f.cycle_id = p.cycle_id AND f.stage = 'final')
		  AND NOT EXISTS (SELECT 1 FROM assessment_receipts x WHERE x.publication_id = p.id AND x.unit_id = r.unit_id)
		  AND NOT EXISTS (SELECT 1 FROM assessment_appeals a WHERE a.cycle_id = p.cycle_id AND a.unit_id = r.unit_id)
		ORDER BY p.id DESC LIMIT 5`, *u.UnitID)
	var refs []cycleRef
	var ref cycleRef
	_, err := pgx.ForEachRow(rows, []any{&ref.ID, &ref.Name}, func() error { refs = append(refs, ref); return nil })
	if err != nil {
		return nil, db.Err(err)
	}
	var out []Item
	for _, c := range refs {
		r, err := results.FindReceipt(ctx, q, env.Loc, env.Now, c.ID, *u.UnitID)
		if err != nil {
			return nil, err
		}
		title := "签收初步考核结果"
		if r.Basis == results.BasisNotified {
			title = "初步考核结果逾期未签收，申请复核期限已自通知之日起计算"
		}
		out = append(out, Item{Kind: KindResultReceipt, UnitID: u.UnitID, Title: title, Detail: c.Name,
			Due: ptr(r.Window.ReceiptBy.String()), Link: resultLink(c.ID, *u.UnitID) + "#receipt"})
	}
	return out, nil
}
