package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/targets"
)

// demoIndicators are the indicators of every demo target sheet.
var demoIndicators = []targets.IndicatorInput{
	{Name: "优化营商环境", Tasks: "企业开办时间压缩至1个工作日以内；涉企事项“一网通办”率达到95%。", Points: 20,
		Standard: "按期完成得满分，每延误一项扣2分。", AssessorName: "省绩效办"},
	{Name: "政务服务“好差评”整改", Tasks: "差评按期答复率100%，整改完成率不低于95%。", Points: 15,
		Standard: "答复率每低1个百分点扣0.5分。", AssessorName: "省绩效办"},
	{Name: "窗口服务规范化建设", Tasks: "完成全部窗口人员业务培训，推行预约和延时服务。", Points: 10,
		Standard: "培训覆盖率100%得满分。", AssessorName: "省绩效办"},
}

// seedTargets gives the demo cycle's units target sheets in every state,
// in the order of unitIDs: the first (the demo unit account's) approved
// with the reports of all ended quarters but the last, the next returned
// with the office's comment, then one submitted and one still a draft,
// and the rest approved with every report in. It returns how many sheets
// it made.
func seedTargets(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, unitIDs []int64) (int, error) {
	n := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		set, err := targets.FindSettings(ctx, tx, cy.ID)
		if err != nil {
			return err
		}
		start, _ := time.ParseInLocation("2006-01-02", cy.PeriodStart, cfg.Location)
		approvedAt := later(start.AddDate(0, 1, 10), now)
		today := now.In(cfg.Location).Format("2006-01-02")
		list := make([]targets.IndicatorInput, len(demoIndicators))
		for i, in := range demoIndicators {
			in.Deadline = cy.PeriodEnd
			list[i] = in
		}
		for i, unitID := range unitIDs[:min(len(unitIDs), 8)] {
			s, _, err := targets.CreateSheet(ctx, tx, audit.System, cy.ID, unitID, approvedAt.Add(-72*time.Hour))
			if err != nil {
				return err
			}
			n++
			if s, err = targets.SaveDraft(ctx, tx, audit.System, s.ID, s.LockVersion, list, approvedAt.Add(-72*time.Hour)); err != nil {
				return err
			}
			if i == 3 { // still being written
				continue
			}
			if s, err = targets.Submit(ctx, tx, audit.System, s.ID, s.LockVersion, approvedAt.Add(-48*time.Hour)); err != nil {
				return err
			}
			switch i {
			case 1:
				_, err = targets.Return(ctx, tx, audit.System, s.ID, s.LockVersion, "“窗口服务规范化建设”的完成标准请量化，并补充完成时间。",
					nil, approvedAt.Add(-24*time.Hour))
				if err != nil {
					return err
				}
				continue
			case 2:
				continue
			}
			if s, err = targets.Approve(ctx, tx, audit.System, s.ID, s.LockVersion, approvedAt); err != nil {
				return err
			}
			ended := 0
			for _, p := range targets.SheetPeriods(s, set) {
				if p.End < today {
					ended++
				}
			}
			for k, p := range targets.SheetPeriods(s, set) {
				// The first unit has not reported the last ended quarter.
				if p.End >= today || (i == 0 && k == ended-1) {
					continue
				}
				items := make([]targets.ReportInput, len(s.Indicators))
				pct := min(100, 25*(k+1))
				for j, in := range s.Indicators {
					items[j] = targets.ReportInput{IndicatorID: in.ID, Progress: "按计划推进，本期完成阶段任务。", Percent: &pct}
				}
				due, _ := time.ParseInLocation("2006-01-02", p.Due, cfg.Location)
				if _, err := targets.SaveReports(ctx, tx, audit.System, s, set, p.Key, items, today, later(due.Add(-72*time.Hour), now)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return n, err
}
