package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/approvals"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/units"
)

// lastYearTree is the closed cycle's scheme: three manual items, so its
// results do not depend on ratings the demo does not have for that year.
var lastYearTree = schemes.Node{Key: "total", Name: "综合考核", Kind: schemes.KindSum, Children: []schemes.Node{
	{Key: "work", Name: "工作实绩", Kind: schemes.KindManual, Max: 60, Assessor: &schemes.Assessor{Name: "市考评办"}},
	{Key: "party", Name: "党的建设", Kind: schemes.KindManual, Max: 20, Assessor: &schemes.Assessor{Name: "市委组织部"}},
	{Key: "public", Name: "社会评价", Kind: schemes.KindManual, Max: 20, Assessor: &schemes.Assessor{Name: "市考评办"}},
}}

// lastYearOf is the year of the demo's closed cycle: the year before
// now's, or before early February the year before that.
func lastYearOf(now time.Time, cfg config.Config) int {
	local := now.In(cfg.Location)
	if local.Before(time.Date(local.Year(), 2, 10, 0, 0, 0, 0, cfg.Location)) {
		return local.Year() - 2
	}
	return local.Year() - 1
}

// seedLastYear runs last year's cycle through its whole end (issue 16):
// scores, a rank moved with its reason, the preliminary results notified
// on 12 January, most units signing for them (签收) the next day, two
// delivered on paper and recorded by the office, two never received (their
// windows count from the notification), one application for review
// answered, the final results approved by the leader and published on 2
// February. Before early
// February of now's year it uses the year before, so every date lies in
// the past. It returns the cycle.
func seedLastYear(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, rng *rand.Rand,
	list []units.Unit) (cycles.Cycle, error) {
	loc := cfg.Location
	year := lastYearOf(now, cfg)
	pubYear := year + 1
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(pubYear, month, day, hour, 0, 0, 0, loc)
	}
	var cy cycles.Cycle
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var office audit.Actor
		if err := tx.QueryRow(ctx, `SELECT id, username FROM users WHERE role = 'office' ORDER BY id LIMIT 1`).
			Scan(&office.ID, &office.Name); err != nil {
			return db.Err(err)
		}
		unitActor := func(unitID int64) (audit.Actor, error) {
			var a audit.Actor
			err := tx.QueryRow(ctx, `SELECT id, username FROM users WHERE unit_id = $1 ORDER BY id LIMIT 1`, unitID).Scan(&a.ID, &a.Name)
			return a, db.Err(err)
		}
		y := strconv.Itoa(year)
		var err error
		cy, err = cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: y + "年度", Year: year,
			PeriodStart: y + "-01-01", PeriodEnd: y + "-12-31"}, cycles.DefaultConfig(cfg.LevelPoints))
		if err != nil {
			return err
		}
		tree := lastYearTree
		if _, _, err := schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{Tree: &tree, Name: y + "年度综合考核方案", Note: "演示数据"}); err != nil {
			return err
		}
		sc := assessment.Scorer{Actor: office, Office: true}
		for _, u := range list {
			for _, leaf := range tree.Children {
				p := math.Round(leaf.Max*(0.72+0.27*rng.Float64())*10) / 10
				if _, err := assessment.SaveEntry(ctx, tx, sc, cy.ID, u.ID, leaf.Key, assessment.EntryInput{Points: &p, Note: "演示评分"}); err != nil {
					return err
				}
			}
		}
		// 省医疗保障局 moves to first place in its category (000 § 24).
		moved := list[8]
		if _, _, err := assessment.AddRankAdjustment(ctx, tx, office, cy.ID, assessment.RankAdjustmentInput{UnitID: moved.ID, ToRank: 1,
			Reason: "经考核委员会研究，医保基金监管专项工作成效突出，位次调整为本类别第1名"}); err != nil {
			return err
		}
		if _, err := results.PublishPreliminary(ctx, tx, office, loc, at(time.January, 12, 10), cy.ID, cfg.UnitCategories,
			results.PublishInput{Note: "经考核委员会审定，现通知初步考核结果"}); err != nil {
			return err
		}
		// Units 0–7 (and 省口岸办, 12) sign the next morning; 8 and 9 get
		// the notice on paper; 10 and 11 never sign.
		for i, u := range list {
			switch {
			case i < 8 || i >= 12:
				a, err := unitActor(u.ID)
				if err != nil {
					return err
				}
				if _, err := results.Sign(ctx, tx, a, loc, at(time.January, 13, 9), cy.ID, u.ID); err != nil {
					return err
				}
			case i < 10:
				if _, err := results.RecordDelivery(ctx, tx, office, loc, at(time.January, 14, 9), cy.ID, u.ID, results.DeliveryInput{
					DeliveredOn: at(time.January, 13, 0).Format(time.DateOnly), Note: "纸质通知由该单位办公室签收"}); err != nil {
					return err
				}
			}
		}
		appellant := list[2]
		a, err := unitActor(appellant.ID)
		if err != nil {
			return err
		}
		ap, err := results.Apply(ctx, tx, a, loc, at(time.January, 15, 15), cy.ID, appellant.ID,
			results.AppealInput{Grounds: "工作实绩中外贸稳增长一项未计入第四季度数据，请予复核"})
		if err != nil {
			return err
		}
		if _, err := results.AnswerAppeal(ctx, tx, office, at(time.January, 19, 11), cy.ID, ap.ID, results.AnswerInput{
			Status: "rejected", Answer: "经复核，第四季度数据已计入工作实绩，维持原结果"}); err != nil {
			return err
		}
		// The leading group approves the final results before they are
		// published (000 § 24, 002 § 23): the office submits them to the
		// leader on 1 February, who approves the next morning.
		var leader audit.Actor
		if err := tx.QueryRow(ctx, `SELECT id, username FROM users WHERE role = 'leader' ORDER BY id LIMIT 1`).
			Scan(&leader.ID, &leader.Name); err != nil {
			return db.Err(err)
		}
		if _, _, err := cycles.SaveRelease(ctx, tx, office, cy.ID, cycles.Release{ResultApprovers: []int64{leader.ID},
			ResultsPublic: true, PublishCompletion: true}); err != nil {
			return err
		}
		req, _, err := results.SubmitFinal(ctx, tx, office, loc, at(time.February, 1, 15), cy.ID, cfg.UnitCategories)
		if err != nil {
			return err
		}
		if _, _, err := approvals.Decide(ctx, tx, leader, at(time.February, 2, 9), req.ID,
			approvals.DecideInput{Decision: "approved", Comment: "经考核工作领导小组审议，同意公布"}); err != nil {
			return err
		}
		_, err = results.PublishFinal(ctx, tx, office, loc, at(time.February, 2, 10), cy.ID, cfg.UnitCategories,
			results.PublishInput{Note: "复核期满，公布最终考核结果",
				// The demo has no ratings or annual survey for that year.
				ProvisionalReason: "上年度公众满意度调查由第三方机构线下开展，已按其书面报告核定"})
		return err
	})
	return cy, err
}
