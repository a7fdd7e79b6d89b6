package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/inspections"
	"minyi/internal/rewards"
	"minyi/internal/units"
)

// seedChecksAndUses records the office's half-year inspection of four
// units in the demo cycle (held in July, covering two scheme indicators;
// a finding of each severity, the serious one on an indicator and turned
// into a rectification case) and, for last year's closed cycle, the bonus
// table (按等次定额, +10 % for 成绩突出, −20 % per 行政问责) and a
// commendation of its first 优秀 unit (issue 16 parts 2 and 7).
func seedChecksAndUses(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, list []units.Unit, lastYear int64) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var office audit.Actor
		if err := tx.QueryRow(ctx, `SELECT id, username FROM users WHERE role = 'office' ORDER BY id LIMIT 1`).
			Scan(&office.ID, &office.Name); err != nil {
			return db.Err(err)
		}
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		local := now.In(cfg.Location)
		today := local.Format(time.DateOnly)
		// Held in the third week of July, as the county scheme's half-year
		// check is; today while the demo runs before that.
		held := today
		if july := time.Date(local.Year(), time.July, 20, 0, 0, 0, 0, cfg.Location); local.After(july) {
			held = july.Format(time.DateOnly)
		}
		// The inspection covers the first two indicators of the cycle's
		// schemes; the serious finding names the first.
		opts, err := inspections.ItemOptions(ctx, tx, cy.ID)
		if err != nil {
			return err
		}
		refs := []string{}
		for _, g := range opts {
			for _, it := range g.Items {
				if len(refs) < 2 {
					refs = append(refs, it.Ref)
				}
			}
		}
		serious := inspections.FindingInput{UnitID: list[5].ID, Severity: "serious", Body: "窗口工作人员未按规定亮证上岗，群众反映办事找不到责任人"}
		if len(refs) > 0 {
			serious.SchemeItem = refs[0]
		}
		in, _, err := inspections.Create(ctx, tx, office, cy.ID, inspections.Input{Kind: "half_year", HeldOn: held,
			Title: "上半年绩效目标推进情况督查", People: "绩效办 王明、李芳；督查室 张强",
			UnitIDs: []int64{list[1].ID, list[3].ID, list[5].ID, list[7].ID}, SchemeItems: refs,
			Findings: []inspections.FindingInput{
				{UnitID: list[1].ID, Severity: "general", Body: "部分政务服务事项未公示办理时限"},
				serious,
				{UnitID: list[3].ID, Severity: "good", Body: "推行“一窗通办”，企业开办时间压缩到1个工作日"},
			}, ClientKey: "demo-half-year"}, today)
		if err != nil {
			return err
		}
		for _, f := range in.Findings {
			if f.Severity == "serious" {
				if _, _, err := inspections.ToCase(ctx, tx, cfg.Location, office, f.ID, now); err != nil {
					return err
				}
			}
		}
		table := rewards.Table{Mode: rewards.ModeAmount, RaiseBP: 1000, CutAccountabilityBP: 2000, CutFailedTaskBP: 1000,
			Grades: map[string]int64{"excellent": 2_000_000, "good": 1_600_000, "pass": 1_200_000, "fail": 0}}
		if _, err := rewards.SaveSettings(ctx, tx, office, now, lastYear, rewards.Settings{Table: table, CriticismThreshold: 5}); err != nil {
			return err
		}
		// The first 优秀 unit of last year's results is commended and its
		// bonus raised for 成绩突出.
		var best int64
		if err := tx.QueryRow(ctx, `SELECT unit_id FROM assessment_results WHERE cycle_id = $1 AND grade = 'excellent'
			ORDER BY category, rank, unit_id LIMIT 1`, lastYear).Scan(&best); err != nil {
			return db.Err(err)
		}
		if err := rewards.SetFactors(ctx, tx, office, now, lastYear, best, rewards.Factors{Outstanding: true}); err != nil {
			return err
		}
		_, _, err = rewards.AddRecord(ctx, tx, office, now, lastYear, best, rewards.KindCommendation, rewards.RecordInput{
			DocNo: "绩考〔" + local.Format("2006") + "〕3号", DocDate: today, Body: "年度绩效考核成绩优秀，予以通报表彰"})
		return err
	})
}
