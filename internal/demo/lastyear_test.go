package demo_test

import (
	"context"
	"testing"
	"time"

	"minyi/internal/approvals"
	"minyi/internal/assessment"
	"minyi/internal/results"
	"minyi/internal/selfeval"
)

// TestSeedClosesLastYear: the demo's previous year has gone through its
// whole end — final results published after the receipts (9 signed, 2
// delivered on paper, 2 never received), one answered application for
// review and a rank moved with its reason — and in January, before that
// end could have happened this year, the demo uses the year before.
func TestSeedClosesLastYear(t *testing.T) {
	for _, tc := range []struct {
		month     time.Month
		cycleYear int
	}{{time.December, 2025}, {time.January, 2024}} {
		pool, cfg, _, now := seeded(t, 2026, tc.month, 4)
		ctx := context.Background()
		var id int64
		var main bool
		if err := pool.QueryRow(ctx, `SELECT id, main FROM assessment_cycles WHERE year = $1`, tc.cycleYear).Scan(&id, &main); err != nil {
			t.Fatalf("%s: last year's cycle: %v", tc.month, err)
		}
		st, err := results.LoadStatus(ctx, pool, id)
		if err != nil || st.Preliminary == nil || st.Final == nil || !main {
			t.Fatalf("%s: status %+v main %v: %v", tc.month, st, main, err)
		}
		_, sum, err := results.ListReceipts(ctx, pool, cfg.Location, now, id, results.ReceiptFilter{})
		if err != nil || sum.Units != 13 || sum.Signed != 9 || sum.Delivered != 2 || sum.Unreceived != 2 || sum.Overdue != 2 {
			t.Fatalf("%s: receipts %+v: %v", tc.month, sum, err)
		}
		appeals, err := results.ListAppeals(ctx, pool, id, nil)
		if err != nil || len(appeals) != 1 || appeals[0].Status != "rejected" {
			t.Fatalf("%s: appeals %+v: %v", tc.month, appeals, err)
		}
		moves, err := assessment.ListRankAdjustments(ctx, pool, id, nil)
		if err != nil || len(moves) != 1 || moves[0].ToRank != 1 {
			t.Fatalf("%s: rank moves %+v: %v", tc.month, moves, err)
		}
		// The final results passed the leader before they were published.
		req, err := approvals.Latest(ctx, pool, approvals.SubjectResults, id)
		if err != nil || req == nil || req.State != approvals.StateApproved {
			t.Fatalf("%s: the results' approval %+v: %v", tc.month, req, err)
		}
	}
}

// TestSeedSelfEvaluation: the demo cycle has the county scheme's two
// self-evaluation periods; in December the half-year's reports are in
// (four on time, one late, three missing), each with a half-year score
// per indicator of the unit's sheet within its points, and the annual one
// is due.
func TestSeedSelfEvaluation(t *testing.T) {
	pool, _, _, _ := seeded(t, 2026, time.December, 4)
	ctx := context.Background()
	var cycleID int64
	if err := pool.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE year = 2026`).Scan(&cycleID); err != nil {
		t.Fatal(err)
	}
	periods, err := selfeval.ListPeriods(ctx, pool, cycleID)
	if err != nil || len(periods) != 2 {
		t.Fatalf("periods %+v: %v", periods, err)
	}
	for _, p := range periods {
		c, err := selfeval.CountPeriod(ctx, pool, p, "2026-12-04")
		if err != nil {
			t.Fatal(err)
		}
		want := selfeval.Counts{Units: 8, Pending: 8}
		if p.Name == "半年自评" {
			want = selfeval.Counts{Units: 8, Submitted: 4, Late: 1, Pending: 3, Missing: 3}
		}
		if c != want {
			t.Errorf("%s: %+v, want %+v", p.Name, c, want)
		}
	}
	var reports, scored, bad int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM self_eval_reports)::int,
			(SELECT count(DISTINCT (period_id, unit_id)) FROM self_eval_scores)::int,
			(SELECT count(*) FROM self_eval_scores s JOIN target_indicators i ON i.id = s.indicator_id
			 WHERE s.claimed > i.points OR s.note = '')::int`).Scan(&reports, &scored, &bad); err != nil {
		t.Fatal(err)
	}
	if reports != 5 || scored != 5 || bad != 0 {
		t.Errorf("%d reports, %d with scores, %d bad scores", reports, scored, bad)
	}
}

// TestSeedChecksAndUses: the demo cycle has the office's half-year
// inspection (held in July) with a finding of each severity, the serious
// one a case; last year's cycle has its bonus table and a commendation of
// a unit graded 优秀, whose bonus is raised for 成绩突出.
func TestSeedChecksAndUses(t *testing.T) {
	pool, _, _, _ := seeded(t, 2026, time.December, 4)
	ctx := context.Background()
	var inspections, findings, cases, settings, commendations int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM inspections), (SELECT count(*) FROM inspection_findings),
			(SELECT count(*) FROM inspection_findings f JOIN rectification_cases c ON c.id = f.case_id),
			(SELECT count(*) FROM result_use_settings s JOIN assessment_cycles c ON c.id = s.cycle_id WHERE c.year = 2025),
			(SELECT count(*) FROM result_use_records WHERE kind = 'commendation')`).
		Scan(&inspections, &findings, &cases, &settings, &commendations); err != nil {
		t.Fatal(err)
	}
	if inspections != 1 || findings != 3 || cases != 1 || settings != 1 || commendations != 1 {
		t.Fatalf("inspections %d, findings %d, cases %d, bonus tables %d, commendations %d", inspections, findings, cases, settings, commendations)
	}
	var held, grade string
	var outstanding bool
	if err := pool.QueryRow(ctx, `SELECT (SELECT held_on::text FROM inspections),
			(SELECT r.grade FROM result_use_records c JOIN assessment_results r ON r.cycle_id = c.cycle_id
				AND r.unit_id = c.unit_id WHERE c.kind = 'commendation' LIMIT 1),
			(SELECT f.outstanding FROM result_use_records c JOIN result_use_factors f ON f.cycle_id = c.cycle_id
				AND f.unit_id = c.unit_id WHERE c.kind = 'commendation')`).Scan(&held, &grade, &outstanding); err != nil {
		t.Fatal(err)
	}
	if held != "2026-07-20" || grade != "excellent" || !outstanding {
		t.Fatalf("inspection held on %s; commended unit graded %s, outstanding %v", held, grade, outstanding)
	}
}
