package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/migrations"
)

// fillCharts migrates an existing benchmark database and rolls up every
// day not rolled: after migration 0072, which forgets the rolled days,
// that is the whole history, and the rollup fills the charts' aggregates
// (rating_daily_parts, rating_office_daily) as it recomputes each day. It
// generates nothing: a database that does not exist is an error.
func fillCharts(ctx context.Context, o options, loc *time.Location, now time.Time, out io.Writer) error {
	if _, ok, err := readMeta(ctx, o); err != nil {
		return err
	} else if !ok {
		return errors.New("-fill-charts needs an existing benchmark database: " + o.db + " holds none")
	}
	pool, err := openPool(ctx, o)
	if err != nil {
		return err
	}
	defer pool.Close()
	t0 := time.Now()
	applied, err := db.Migrate(ctx, pool, migrations.Files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== migrations applied: %v (%s)\n", applied, fmtDur(time.Since(t0)))
	t0 = time.Now()
	res, err := ratings.RollUp(ctx, pool, now, loc)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "== rollup with the charts' aggregates: %d days in %d transactions, %d dirty pairs, %s\n",
		res.Days, res.Txs, res.Pairs, fmtDur(time.Since(t0)))
	if _, err := pool.Exec(ctx, `ANALYZE rating_daily_counts, rating_monthly_counts, rating_rollup_days, rating_daily_parts, rating_office_daily`); err != nil {
		return err
	}
	return printChartRows(ctx, pool, out)
}

// printChartRows says how many rows the charts' aggregates hold.
func printChartRows(ctx context.Context, pool *pgxpool.Pool, out io.Writer) error {
	var parts, office int64
	err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM rating_daily_parts), (SELECT count(*) FROM rating_office_daily)`).Scan(&parts, &office)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "   the charts' aggregates hold %d (unit, day, part) rows and %d office (day, part) rows\n", parts, office)
	return nil
}
