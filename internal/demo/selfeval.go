package demo

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/selfeval"
	"minyi/internal/targets"
)

// seedSelfEval gives the demo cycle the county scheme's two
// self-evaluation periods (003: half-year, mid-July; annual, early
// December) and, once the half-year's due date has passed, its reports:
// written by the units with target sheets (unitIDs[:8], as seedTargets
// makes them), four on time, one late, the rest missing (a warning and
// the office's to-do). Each report carries the unit's half-year score and
// progress note per indicator of its sheet (about half the points, as
// mid-year progress). The annual report is still to come (the units'
// to-dos).
func seedSelfEval(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, unitIDs []int64) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		y := strconv.Itoa(cy.Year)
		half, err := selfeval.SavePeriod(ctx, tx, audit.System, cy.ID, selfeval.PeriodInput{Name: "半年自评",
			CoversTo: y + "-06-30", DueOn: y + "-07-15"}, now)
		if err != nil {
			return err
		}
		if _, err := selfeval.SavePeriod(ctx, tx, audit.System, cy.ID, selfeval.PeriodInput{Name: "年度自评",
			CoversTo: y + "-11-30", DueOn: y + "-12-10", Annual: true}, now); err != nil {
			return err
		}
		day := func(month time.Month, d int) time.Time {
			return time.Date(cy.Year, month, d, 10, 0, 0, 0, cfg.Location)
		}
		if !now.After(day(time.July, 20)) {
			return nil
		}
		// Units 2 and 3 have no approved sheet yet (returned, submitted) and
		// unit 1 forgets: three missing.
		for i, at := range map[int]time.Time{0: day(time.July, 10), 4: day(time.July, 13), 5: day(time.July, 14),
			6: day(time.July, 15), 7: day(time.July, 20)} {
			if i >= len(unitIDs) {
				continue
			}
			var a audit.Actor
			if err := tx.QueryRow(ctx, `SELECT id, username FROM users WHERE unit_id = $1 ORDER BY id LIMIT 1`, unitIDs[i]).
				Scan(&a.ID, &a.Name); err != nil {
				return db.Err(err)
			}
			body := "一、上半年目标任务完成情况：各项指标按进度推进，重点任务完成过半。\n" +
				"二、存在的问题：部分指标受上级政策调整影响，进度略有滞后。\n三、下半年打算：对照目标责任书逐项抓落实。"
			scores, err := halfYearScores(ctx, tx, cy.ID, unitIDs[i], i)
			if err != nil {
				return err
			}
			if _, err := selfeval.SaveReport(ctx, tx, a, half, unitIDs[i], selfeval.ReportInput{Body: body, Scores: scores},
				at.Format(time.DateOnly), at); err != nil {
				return err
			}
		}
		return nil
	})
}

// halfYearScores are a unit's half-year scores: for each indicator of its
// approved sheet some 40–60 % of the points (to the half point) with a
// note on the progress; none for a sheet not approved.
func halfYearScores(ctx context.Context, tx pgx.Tx, cycleID, unitID int64, seed int) ([]selfeval.ScoreInput, error) {
	sheet, err := targets.FindSheetFor(ctx, tx, cycleID, unitID)
	if err != nil || sheet.Status != targets.StatusApproved {
		return nil, err
	}
	notes := []string{"按序时进度推进，已完成年度任务过半。", "上半年完成约四成，三季度集中推进。",
		"受上级政策调整影响进度略慢，已制定追赶计划。", "已完成阶段性目标，佐证材料已上传。"}
	out := []selfeval.ScoreInput{}
	for j, in := range sheet.Indicators {
		share := 0.4 + 0.05*float64((seed+j)%5)
		v := math.Round(in.Points*share*2) / 2
		out = append(out, selfeval.ScoreInput{IndicatorID: in.ID, Claimed: &v, Note: notes[(seed+j)%len(notes)]})
	}
	return out, nil
}
