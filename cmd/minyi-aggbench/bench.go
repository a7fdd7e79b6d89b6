package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/migrations"
)

// bench generates or reuses the database, then times the rollup and the
// queries and prints the results.
func bench(ctx context.Context, o options, loc *time.Location, out io.Writer) error {
	now := time.Now()
	if o.fillCharts {
		return fillCharts(ctx, o, loc, now, out)
	}
	m, ok, err := readMeta(ctx, o)
	if err != nil {
		return err
	}
	if ok && !o.regen && m.matches(o) {
		fmt.Fprintf(out, "== reusing database %s: %d units, %d ratings a year for %d years from %s, generated in %s (BENCH_AGG_REGEN=1 or -regen makes it again)\n",
			o.db, m.Units, m.Ratings, m.Years, m.FirstDay.Format(time.DateOnly), fmtDur(time.Duration(m.GenSeconds*float64(time.Second))))
	} else {
		if m, err = generate(ctx, o, loc, now, out); err != nil {
			return err
		}
		fmt.Fprintf(out, "== generated in %s\n", fmtDur(time.Duration(m.GenSeconds*float64(time.Second))))
	}
	pool, err := openPool(ctx, o)
	if err != nil {
		return err
	}
	defer pool.Close()
	// A reused database gets the migrations added since, and the ratings of
	// the days since it was generated, so that today is partly rated.
	if _, err := db.Migrate(ctx, pool, migrations.Files); err != nil {
		return err
	}
	if err := topUp(ctx, pool, o, loc, &m, now, out); err != nil {
		return err
	}
	if err := padAudit(ctx, pool, o, loc, now, out); err != nil {
		return err
	}
	if o.generateOnly {
		return nil
	}
	var total int64
	if err := pool.QueryRow(ctx, `SELECT reltuples::bigint FROM pg_class WHERE oid = 'ratings'::regclass`).Scan(&total); err != nil || total <= 0 {
		total = m.Ratings * int64(m.Years)
	}
	b := &runner{ctx: ctx, pool: pool, loc: loc, out: out, reps: o.reps}
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	day := func(d time.Time) string { return d.Format(time.DateOnly) }

	if o.reroll {
		if _, err := pool.Exec(ctx, `TRUNCATE rating_daily_counts, rating_monthly_counts, rating_rollup_days, rating_dirty,
			rating_daily_parts, rating_office_daily`); err != nil {
			return err
		}
	}
	t0 := time.Now()
	res, err := ratings.RollUp(ctx, pool, now, loc)
	if err != nil {
		return err
	}
	b.row(fmt.Sprintf("rollup: %d days in %d transactions", res.Days, res.Txs), 1, []time.Duration{time.Since(t0)})
	if _, err := pool.Exec(ctx, `ANALYZE rating_daily_counts, rating_rollup_days, rating_dirty`); err != nil {
		return err
	}
	var rows int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM rating_daily_counts`).Scan(&rows); err != nil {
		return err
	}
	fmt.Fprintf(out, "   the aggregate holds %d (unit, day) rows\n", rows)
	if err := printChartRows(ctx, pool, out); err != nil {
		return err
	}

	// The hourly rollup once a day closes: one day for every unit.
	if _, err := pool.Exec(ctx, `DELETE FROM rating_rollup_days WHERE day = $1::date`, day(today.AddDate(0, 0, -1))); err != nil {
		return err
	}
	t0 = time.Now()
	if res, err = ratings.RollUp(ctx, pool, now, loc); err != nil {
		return err
	}
	b.row(fmt.Sprintf("rollup of one closed day (%d day)", res.Days), 1, []time.Duration{time.Since(t0)})

	yearToToday := [2]string{day(today.AddDate(0, 0, -364)), day(today)}
	direct, err := b.query("year to today (today live), all units", yearToToday, nil)
	if err != nil {
		return err
	}
	if _, err := b.query("365 closed days (all rolled), all units", [2]string{day(today.AddDate(0, 0, -365)), day(today.AddDate(0, 0, -1))}, nil); err != nil {
		return err
	}
	if _, err := b.query(fmt.Sprintf("calendar year %d (today live, future empty), all units", local.Year()),
		[2]string{fmt.Sprintf("%d-01-01", local.Year()), fmt.Sprintf("%d-12-31", local.Year())}, nil); err != nil {
		return err
	}
	var busiest int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM units`).Scan(&busiest); err != nil {
		return err
	}
	if _, err := b.query("year to today, the busiest unit", yearToToday, []int64{busiest}); err != nil {
		return err
	}

	// Exclusions of past ratings mark their (unit, day) dirty: read live
	// until the next rollup recomputes them.
	excluded, err := b.excludeSome(200, today)
	if err != nil {
		return err
	}
	if _, err := b.query(fmt.Sprintf("year to today with %d dirty (unit, day) pairs", len(excluded)), yearToToday, nil); err != nil {
		return err
	}
	t0 = time.Now()
	if res, err = ratings.RollUp(ctx, pool, now, loc); err != nil {
		return err
	}
	b.row(fmt.Sprintf("rollup of %d dirty pairs", res.Pairs), 1, []time.Duration{time.Since(t0)})
	if err := b.restore(excluded); err != nil {
		return err
	}
	if _, err := ratings.RollUp(ctx, pool, now, loc); err != nil {
		return err
	}

	if o.directReps > 0 {
		var times []time.Duration
		var got map[int64]ratings.LevelCounts
		for range o.directReps {
			t0 := time.Now()
			if got, err = ratings.DirectLevelCounts(ctx, pool, yearToToday[0], yearToToday[1], loc, nil); err != nil {
				return err
			}
			times = append(times, time.Since(t0))
		}
		b.row("direct query over the ratings, year to today, all units", o.directReps, times)
		if !maps.Equal(got, direct) {
			return fmt.Errorf("the aggregate and the direct query disagree: %d and %d units", len(direct), len(got))
		}
		fmt.Fprintf(out, "   the aggregate's answer equals the direct query's (%d units)\n", len(got))
	}
	if err := b.console(today); err != nil {
		return err
	}
	if err := b.publicFigures(now); err != nil {
		return err
	}
	fmt.Fprintf(out, "== %d units, about %d ratings (planner estimate), zone %s\n", m.Units, total, o.tz)
	return nil
}

// runner times statements and prints result rows.
type runner struct {
	ctx  context.Context
	pool *pgxpool.Pool
	loc  *time.Location
	out  io.Writer
	reps int
}

// query times DailyLevelCounts over period for units (nil: all) and
// returns its answer.
func (b *runner) query(label string, period [2]string, units []int64) (map[int64]ratings.LevelCounts, error) {
	var times []time.Duration
	var got map[int64]ratings.LevelCounts
	for range b.reps {
		t0 := time.Now()
		var err error
		if got, err = ratings.DailyLevelCounts(b.ctx, b.pool, period[0], period[1], b.loc, units); err != nil {
			return nil, err
		}
		times = append(times, time.Since(t0))
	}
	var n int64
	for _, c := range got {
		n += c.Total()
	}
	b.row(fmt.Sprintf("%s: %s..%s, %d units, %d ratings", label, period[0], period[1], len(got), n), b.reps, times)
	return got, nil
}

// row prints a step with the median and the maximum of its times.
func (b *runner) row(label string, runs int, times []time.Duration) {
	slices.Sort(times)
	fmt.Fprintf(b.out, "%-100s runs %2d  median %9s  max %9s\n", label, runs, fmtDur(times[len(times)/2]), fmtDur(times[len(times)-1]))
}

// excludeSome excludes n random counted ratings of the last 30 days
// before today through ratings.Exclude, and returns their ids.
func (b *runner) excludeSome(n int, today time.Time) ([]uuid.UUID, error) {
	from := time.Date(today.Year(), today.Month(), today.Day()-30, 0, 0, 0, 0, b.loc)
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, b.loc)
	var ids []uuid.UUID
	for range n {
		at := from.Add(time.Duration(rand.Int64N(int64(to.Sub(from)))))
		var id uuid.UUID
		err := b.pool.QueryRow(b.ctx, `SELECT id FROM ratings WHERE unit_id = (SELECT id FROM units ORDER BY random() LIMIT 1)
			AND rated_at >= $1 AND NOT excluded ORDER BY rated_at LIMIT 1`, at).Scan(&id)
		if err != nil {
			continue // a unit without ratings after at
		}
		err = db.Tx(b.ctx, b.pool, func(tx pgx.Tx) error {
			_, err := ratings.Exclude(b.ctx, tx, audit.System, id, "基准测试剔除")
			return err
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// restore puts the excluded ratings back, so that the database stays as
// generated.
func (b *runner) restore(ids []uuid.UUID) error {
	for _, id := range ids {
		err := db.Tx(b.ctx, b.pool, func(tx pgx.Tx) error {
			_, err := ratings.Restore(b.ctx, tx, audit.System, id)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// topUp generates the ratings of the days after the database was
// generated, at the same daily rate, so that a reused database has a
// partly rated today.
func topUp(ctx context.Context, pool *pgxpool.Pool, o options, loc *time.Location, m *meta, now time.Time, out io.Writer) error {
	last := m.Through.In(loc)
	local := now.In(loc)
	first := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, time.UTC)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	if today.Before(first) {
		return nil
	}
	if _, err := pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, 3, $2)`, first, o.tz); err != nil {
		return err
	}
	days := int64(today.Sub(first)/(24*time.Hour)) + 1
	chunks := planDays(first, today, local, m.Ratings/365*days)
	fmt.Fprintf(out, "== adding the ratings of %s..%s\n", first.Format(time.DateOnly), today.Format(time.DateOnly))
	lay, err := readLayout(ctx, pool, m.Units)
	if err != nil {
		return err
	}
	lay.reviewedBefore = now.Add(-reviewLag)
	if err := fill(ctx, pool, o, chunks, lay, time.Now(), out); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `UPDATE bench_agg_meta SET through = $1`, now); err != nil {
		return err
	}
	m.Through = now
	_, err = pool.Exec(ctx, `ANALYZE ratings`)
	return err
}

// fmtDur prints a duration in ms below a minute, in seconds above.
func fmtDur(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
