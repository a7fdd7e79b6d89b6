package demo

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/selfeval"
)

// seedSelfEval gives the demo cycle the county scheme's two
// self-evaluation periods (003: half-year, mid-July; annual, early
// December) and, once the half-year's due date has passed, its reports:
// written by the units with target sheets (unitIDs[:8], as seedTargets
// makes them), four on time, one late, the rest missing (a warning and
// the office's to-do). The annual report is still to come (the units'
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
			if _, err := selfeval.SaveReport(ctx, tx, a, half, unitIDs[i], selfeval.ReportInput{Body: body},
				at.Format(time.DateOnly), at); err != nil {
				return err
			}
		}
		return nil
	})
}
