package selfeval_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/selfeval"
)

// indicator adds a current indicator of the unit's sheet and returns it.
func (w world) indicator(t *testing.T, unit int64, name string, points float64, assessor int64) int64 {
	t.Helper()
	var id int64
	if err := w.pool.QueryRow(ctx, `INSERT INTO target_indicators (sheet_id, position, name, tasks, points, standard, deadline,
			assessor_unit_id, created_at)
		SELECT s.id, (SELECT count(*) FROM target_indicators i WHERE i.sheet_id = s.id), $3, '任务', $4, '标准', '2026-12-31', $5, now()
		FROM target_sheets s WHERE s.cycle_id = $1 AND s.unit_id = $2 RETURNING id`, w.cycle, unit, name, points, assessor).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func pts(v float64) *float64 { return &v }

// A half-year period's report carries a score and a note per indicator of
// the unit's sheet; bad scores, the annual period and a locked cycle are
// refused in Chinese with nothing changed; the scores are replaced as a
// whole, audited, and an assessor unit sees its indicators' only.
func TestPeriodScores(t *testing.T) {
	w := newWorld(t)
	half := w.period(t, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15"})
	annual := w.period(t, selfeval.PeriodInput{Name: "年度自评", CoversTo: "2026-11-30", DueOn: "2026-12-10", Annual: true})
	budget := w.indicator(t, w.unitA, "预算执行", 10, w.unitB)
	safety := w.indicator(t, w.unitA, "安全生产", 20, w.noSheet)
	other := w.indicator(t, w.unitB, "乙局指标", 5, w.unitA)
	save := func(p selfeval.Period, scores []selfeval.ScoreInput) (selfeval.Report, error) {
		return inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
			return selfeval.SaveReport(ctx, tx, clerk, p, w.unitA, selfeval.ReportInput{Body: "上半年报告", Scores: scores}, "2026-07-10", now)
		})
	}
	// The sheet is a draft: no scores yet.
	if _, err := save(half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(8)}}); !equal(fieldsOf(err), []string{"scores"}) ||
		apperr.From(err).Fields["scores"] != selfeval.MsgNotApproved {
		t.Fatalf("draft sheet: %v", err)
	}
	if _, err := w.pool.Exec(ctx, `UPDATE target_sheets SET status = 'approved' WHERE cycle_id = $1`, w.cycle); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		p      selfeval.Period
		scores []selfeval.ScoreInput
		bad    []string
		words  string
	}{
		{"above the points", half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(10.5)}}, []string{"scores[0].claimed"}, "须在0到10分之间"},
		{"below zero", half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(-1)}}, []string{"scores[0].claimed"}, "须在0到10分之间"},
		{"three decimals", half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(8.125)}}, []string{"scores[0].claimed"}, "最多两位小数"},
		{"no score", half, []selfeval.ScoreInput{{IndicatorID: budget, Note: "进度过半"}}, []string{"scores[0].claimed"}, "自评得分"},
		{"long note", half, []selfeval.ScoreInput{{IndicatorID: safety, Claimed: pts(15), Note: strings.Repeat("进", selfeval.MaxNoteLen+1)}},
			[]string{"scores[0].note"}, "不能超过500字"},
		{"another unit's indicator", half, []selfeval.ScoreInput{{IndicatorID: other, Claimed: pts(1)}}, []string{"scores[0].indicator_id"}, "不属于"},
		{"twice", half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(1)}, {IndicatorID: budget, Claimed: pts(2)}},
			[]string{"scores[1].indicator_id"}, "两次"},
		{"the annual period", annual, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(8)}}, []string{"scores"}, "目标管理"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := save(tc.p, tc.scores)
			f := apperr.From(err).Fields
			if !apperr.Is(err, apperr.Invalid) || !equal(fieldsOf(err), tc.bad) || !strings.Contains(f[tc.bad[0]], tc.words) {
				t.Errorf("err %v fields %v, want %v saying %q", err, f, tc.bad, tc.words)
			}
		})
	}
	if n := count(t, w, `SELECT count(*) FROM self_eval_reports`) + count(t, w, `SELECT count(*) FROM self_eval_scores`); n != 0 {
		t.Fatalf("%d rows after refusals", n)
	}

	r, err := save(half, []selfeval.ScoreInput{{IndicatorID: safety, Claimed: pts(15.5), Note: " 无事故，隐患整改过半 "},
		{IndicatorID: budget, Claimed: pts(6)}})
	if err != nil || len(r.Scores) != 2 || r.Scores[0].IndicatorID != budget || r.Scores[0].Claimed != 6 || r.Scores[0].Points != 10 ||
		r.Scores[1].IndicatorName != "安全生产" || r.Scores[1].Note != "无事故，隐患整改过半" {
		t.Fatalf("report %+v %v", r.Scores, err)
	}
	// Without scores (nil) they stay; the same again records nothing.
	if r, err = save(half, nil); err != nil || len(r.Scores) != 2 {
		t.Fatalf("kept: %+v %v", r.Scores, err)
	}
	if r, err = save(half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(6)}, {IndicatorID: safety, Claimed: pts(15.5),
		Note: "无事故，隐患整改过半"}}); err != nil || len(r.Scores) != 2 {
		t.Fatalf("again: %+v %v", r.Scores, err)
	}
	if n := count(t, w, `SELECT count(*) FROM audit_log WHERE action LIKE 'self_eval_report.%'`); n != 1 {
		t.Errorf("%d report entries, want 1 (submit)", n)
	}
	// A new list replaces the old: budget changed, safety dropped.
	if r, err = save(half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(7.25), Note: "执行率72%"}}); err != nil ||
		len(r.Scores) != 1 || r.Scores[0].Claimed != 7.25 {
		t.Fatalf("replaced: %+v %v", r.Scores, err)
	}
	var after string
	if err := w.pool.QueryRow(ctx, `SELECT after::text FROM audit_log WHERE action = 'self_eval_report.update'`).Scan(&after); err != nil ||
		!strings.Contains(after, "预算执行：7.25分（执行率72%）") {
		t.Errorf("audit %s %v", after, err)
	}
	// The assessor of 预算执行 (unit B) sees that score; 丙 none.
	if got := selfeval.ScoresOf(r.Scores, w.unitB); len(got) != 1 || got[0].IndicatorID != budget {
		t.Errorf("assessor B sees %+v", got)
	}
	if got := selfeval.ScoresOf(r.Scores, w.noSheet); len(got) != 0 {
		t.Errorf("assessor 丙 sees %+v", got)
	}

	// Locked: no change, in Chinese.
	if _, err := w.pool.Exec(ctx, `INSERT INTO target_settings (cycle_id, self_eval_locked) VALUES ($1, true)`, w.cycle); err != nil {
		t.Fatal(err)
	}
	if _, err := save(half, []selfeval.ScoreInput{{IndicatorID: budget, Claimed: pts(9)}}); !apperr.Is(err, apperr.Conflict) ||
		apperr.From(err).Message != selfeval.MsgLocked {
		t.Errorf("locked: %v", err)
	}
	if got, _ := selfeval.ListScores(ctx, w.pool, half.ID, w.unitA); len(got) != 1 || got[0].Claimed != 7.25 {
		t.Errorf("locked scores changed: %+v", got)
	}
}

// A period no unit has reported for can be deleted (audited); once one
// has, deleting it and changing its annual flag are refused in Chinese
// and nothing changes, while its name and dates still change.
func TestDeleteAndEditPeriod(t *testing.T) {
	w := newWorld(t)
	spare := w.period(t, selfeval.PeriodInput{Name: "三季度自评", CoversTo: "2026-09-30", DueOn: "2026-10-15"})
	del := func(id int64) (selfeval.Period, error) {
		return inTx(w, func(tx pgx.Tx) (selfeval.Period, error) { return selfeval.DeletePeriod(ctx, tx, staff, id) })
	}
	if p, err := del(spare.ID); err != nil || p.Name != "三季度自评" {
		t.Fatalf("delete %+v %v", p, err)
	}
	if _, err := selfeval.FindPeriod(ctx, w.pool, spare.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleted period found: %v", err)
	}
	if n := count(t, w, `SELECT count(*) FROM audit_log WHERE action = 'self_eval_period.delete' AND before->>'name' = '三季度自评'`); n != 1 {
		t.Errorf("%d delete entries", n)
	}
	if _, err := del(spare.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleted twice: %v", err)
	}

	half := w.period(t, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15"})
	if _, err := inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
		return selfeval.SaveReport(ctx, tx, clerk, half, w.unitA, selfeval.ReportInput{Body: "报告"}, "2026-07-10", now)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := del(half.ID); !apperr.Is(err, apperr.Conflict) || apperr.From(err).Message != selfeval.MsgHasReports {
		t.Errorf("delete with a report: %v", err)
	}
	update := func(in selfeval.PeriodInput) (selfeval.Period, error) {
		return inTx(w, func(tx pgx.Tx) (selfeval.Period, error) {
			return selfeval.UpdatePeriod(ctx, tx, staff, half.ID, in, now)
		})
	}
	if _, err := update(selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15", Annual: true}); !equal(fieldsOf(err), []string{"annual"}) ||
		apperr.From(err).Fields["annual"] != selfeval.MsgAnnualFixed {
		t.Errorf("annual after a report: %v", err)
	}
	if _, err := update(selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-06-29"}); !equal(fieldsOf(err), []string{"due_on"}) {
		t.Errorf("due before covers_to: %v", err)
	}
	if p, err := update(selfeval.PeriodInput{Name: "上半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-20"}); err != nil ||
		p.Name != "上半年自评" || p.DueOn != "2026-07-20" {
		t.Errorf("rename: %+v %v", p, err)
	}
	if n := count(t, w, `SELECT count(*) FROM self_eval_periods WHERE id = $1 AND NOT annual`, half.ID); n != 1 {
		t.Error("period lost or turned annual")
	}
}
