package demo

import (
	"context"
	"math"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/units"
)

// seedAssessment gives the demo cycle the Jiangxi scheme and scores every
// unit's manual leaves (70–100 % of each leaf's points; a few units skip
// one departmental item of the pro-rated group), so the results pages show
// a computed draft. It returns how many entries it stored.
func seedAssessment(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, rng *rand.Rand,
	list []units.Unit) (int, error) {
	n := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := demoCycle(ctx, tx, cfg, now)
		if err != nil {
			return err
		}
		v, _, err := schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{Preset: "jiangxi", Note: "演示数据"})
		if err != nil {
			return err
		}
		office := assessment.Scorer{Actor: audit.System, Office: true}
		for i, u := range list {
			skipped := false
			for _, leaf := range assessment.ManualLeaves(v.Tree) {
				in := assessment.EntryInput{Note: "演示评分"}
				if leaf.Prorated && !skipped && i%4 == 3 {
					in.NotApplicable, skipped = true, true
				} else {
					p := math.Round(leaf.Max*(0.7+0.3*rng.Float64())*10) / 10
					in.Points = &p
				}
				if _, err := assessment.SaveEntry(ctx, tx, office, cy.ID, u.ID, leaf.Key, in); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
