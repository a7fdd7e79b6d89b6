package main

import (
	"fmt"
	"time"

	"minyi/internal/figures"
)

// publicFigures times the hourly maintenance's refresh of the public
// 好差评 figures (internal/figures: a year of the daily aggregate, the
// year's cases and the 差评 of closed cases) over the generated data, which
// leaves public_figures filled as a deployment's would be, and then the
// public pages' reads of it: the portal's sums and the case pages' rows of
// every unit.
func (b *runner) publicFigures(now time.Time) error {
	t0 := time.Now()
	if err := figures.Refresh(b.ctx, b.pool, now, b.loc); err != nil {
		return err
	}
	b.row("public figures: the hourly refresh of the year (满意率, 差评整改率, 按期答复率 per unit)", 1, []time.Duration{time.Since(t0)})
	var y figures.Year
	if err := b.time("public figures: the portal's sums of all units", func() (err error) {
		y, _, err = figures.LoadTotals(b.ctx, b.pool)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "   %s: 满意率 %s, 差评整改率 %s, 按期答复率 %s over %d ratings\n", y.Period(),
		y.Province.Satisfaction().Text(), y.Province.Rectified().Text(), y.Province.OnTimeAnswers().Text(), y.Province.Ratings)
	return b.time("public figures: the case pages' rows of every unit", func() (err error) {
		y, _, err = figures.Load(b.ctx, b.pool)
		return err
	})
}
