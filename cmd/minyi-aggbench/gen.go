package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/migrations"
)

// meta describes a generated database; bench_agg_meta holds it.
type meta struct {
	Ratings    int64
	Units      int
	TZ         string
	FirstDay   time.Time
	Through    time.Time // ratings were generated up to this instant
	GenSeconds float64
}

const metaSchema = `CREATE TABLE IF NOT EXISTS bench_agg_meta (
	ratings bigint NOT NULL, units int NOT NULL, tz text NOT NULL, first_day date NOT NULL,
	through timestamptz NOT NULL, gen_seconds float8 NOT NULL, generated_at timestamptz NOT NULL DEFAULT now())`

// readMeta returns the database's meta, or ok false when the database does
// not exist or was not generated to the end.
func readMeta(ctx context.Context, o options) (m meta, ok bool, err error) {
	admin, err := pgx.Connect(ctx, o.dbURL("postgres"))
	if err != nil {
		return m, false, err
	}
	defer admin.Close(ctx)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, o.db).Scan(&exists); err != nil || !exists {
		return m, false, err
	}
	conn, err := pgx.Connect(ctx, o.dbURL(o.db))
	if err != nil {
		return m, false, err
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, `SELECT ratings, units, tz, first_day, through, gen_seconds FROM bench_agg_meta`).
		Scan(&m.Ratings, &m.Units, &m.TZ, &m.FirstDay, &m.Through, &m.GenSeconds)
	if err != nil {
		return m, false, nil // missing or unfinished: generate again
	}
	return m, true, nil
}

// generate makes the database afresh: the schema, the rating partitions of
// the year, o.units units and o.ratings ratings spread over the 365 local
// days ending now (today only up to now), in statements of about a million
// rows, two at a time, each sorted by time as ratings arrive.
func generate(ctx context.Context, o options, loc *time.Location, now time.Time, out io.Writer) (meta, error) {
	admin, err := pgx.Connect(ctx, o.dbURL("postgres"))
	if err != nil {
		return meta{}, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+o.db+` WITH (FORCE)`); err != nil {
		return meta{}, err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+o.db); err != nil {
		return meta{}, err
	}
	pool, err := db.Connect(ctx, o.dbURL(o.db), 4)
	if err != nil {
		return meta{}, err
	}
	defer pool.Close()
	if _, err := db.Migrate(ctx, pool, migrations.Files); err != nil {
		return meta{}, err
	}
	start := time.Now()
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -364)
	if _, err := pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, 15, $2)`, first, o.tz); err != nil {
		return meta{}, err
	}
	_, err = pool.Exec(ctx, `INSERT INTO units (name, short_code, category)
		SELECT '单位' || g, 'U' || g, (ARRAY['社会服务类', '经济发展类', '党群综合类', '执法监管类'])[1 + g % 4]
		FROM generate_series(1, $1) AS g`, o.units)
	if err != nil {
		return meta{}, err
	}
	var firstUnit int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM units`).Scan(&firstUnit); err != nil {
		return meta{}, err
	}
	chunks := planDays(first, today, local, o.ratings)
	fmt.Fprintf(out, "== generating %d units and %d ratings over %s..%s in %d statements\n",
		o.units, o.ratings, first.Format(time.DateOnly), today.Format(time.DateOnly), len(chunks))
	if err := fill(ctx, pool, o, chunks, firstUnit, start, out); err != nil {
		return meta{}, err
	}
	fmt.Fprintf(out, "== ANALYZE (autovacuum may be off)\n")
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return meta{}, err
	}
	m := meta{Ratings: o.ratings, Units: o.units, TZ: o.tz, FirstDay: first, Through: now, GenSeconds: time.Since(start).Seconds()}
	if _, err := pool.Exec(ctx, metaSchema); err != nil {
		return meta{}, err
	}
	_, err = pool.Exec(ctx, `INSERT INTO bench_agg_meta (ratings, units, tz, first_day, through, gen_seconds)
		VALUES ($1, $2, $3, $4, $5, $6)`, m.Ratings, m.Units, m.TZ, m.FirstDay, m.Through, m.GenSeconds)
	return m, err
}

// generateSQL inserts, for each day $2[i], $3[i] ratings between 08:00 and
// 08:00 + $4[i] local time in the zone $1, of units $5 .. $5+$6-1 (the
// first units busier, as in a city), sorted by time. Levels are mostly
// satisfied (70 % 非常满意, 18 % 满意, 7 % 基本满意, 3 % 不满意, 2 %
// 非常不满意), 70 % come from terminals, and 0.4 % are excluded. The inner
// query draws each random value once (a subquery with volatile outputs is
// not flattened).
const generateSQL = `
INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, reasons, comment, rate_checked,
	excluded, exclude_reason, excluded_at)
SELECT gen_random_uuid(), x.at, CASE WHEN x.r_channel < 0.7 THEN 'terminal' ELSE 'qr' END, x.unit,
	x.level, (ARRAY[0, 40, 70, 90, 100])[x.level], CASE WHEN x.level <= 2 THEN ARRAY['办事效率低'] ELSE '{}' END,
	'', true, x.r_excluded < 0.004, CASE WHEN x.r_excluded < 0.004 THEN '疑似刷评' END,
	CASE WHEN x.r_excluded < 0.004 THEN x.at + interval '2 days' END
FROM (
	SELECT y.at, y.unit, y.r_channel, y.r_excluded,
		CASE WHEN y.r_level < 0.70 THEN 5 WHEN y.r_level < 0.88 THEN 4 WHEN y.r_level < 0.95 THEN 3
			WHEN y.r_level < 0.98 THEN 2 ELSE 1 END AS level
	FROM (
		SELECT (d.day::timestamp + interval '8 hours' + random() * d.span) AT TIME ZONE $1 AS at,
			$5::bigint + floor(power(random(), 1.6) * $6)::bigint AS unit,
			random() AS r_level, random() AS r_channel, random() AS r_excluded
		FROM unnest($2::date[], $3::int[], $4::interval[]) AS d(day, n, span)
		CROSS JOIN LATERAL generate_series(1, d.n) AS g
	) AS y
) AS x
ORDER BY x.at`

// chunk is the days one generateSQL statement fills.
type chunk struct {
	days   []time.Time
	counts []int32
	spans  []time.Duration
	rows   int64
}

// fill runs the chunks' statements, two at a time (two cores).
func fill(ctx context.Context, pool *pgxpool.Pool, o options, chunks []chunk, firstUnit int64, start time.Time, out io.Writer) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	for range 2 {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(chunks) || ctx.Err() != nil {
					return
				}
				c := chunks[i]
				if _, err := pool.Exec(ctx, generateSQL, o.tz, c.days, c.counts, c.spans, firstUnit, o.units); err != nil {
					cancel(fmt.Errorf("generating %s: %w", c.days[0].Format(time.DateOnly), err))
					return
				}
				mu.Lock()
				fmt.Fprintf(out, "   %s..%s %9d ratings (%s)\n", c.days[0].Format(time.DateOnly),
					c.days[len(c.days)-1].Format(time.DateOnly), c.rows, time.Since(start).Round(time.Second))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// planDays spreads total ratings over the days first..today, today only
// for the part of its 08:00–18:00 already past at local, and cuts the days
// into chunks of about a million ratings.
func planDays(first, today time.Time, local time.Time, total int64) []chunk {
	const hours = 10 * time.Hour
	opening := time.Date(local.Year(), local.Month(), local.Day(), 8, 0, 0, 0, local.Location())
	todaySpan := min(max(local.Sub(opening), 0), hours)
	ndays := int(today.Sub(first)/(24*time.Hour)) + 1
	if todaySpan == 0 {
		ndays-- // nothing of today yet
		todaySpan = hours
	}
	spans := make([]time.Duration, ndays)
	weight := 0.0
	for i := range spans {
		spans[i] = hours
		if i == ndays-1 {
			spans[i] = todaySpan
		}
		weight += float64(spans[i]) / float64(hours)
	}
	var chunks []chunk
	var cur chunk
	var given int64
	for i, span := range spans {
		n := int64(float64(total) * float64(span) / float64(hours) / weight)
		if i == ndays-1 {
			n = total - given
		}
		given += n
		cur.days, cur.counts, cur.spans = append(cur.days, first.AddDate(0, 0, i)), append(cur.counts, int32(n)), append(cur.spans, span)
		if cur.rows += n; cur.rows >= 1_000_000 || i == ndays-1 {
			chunks, cur = append(chunks, cur), chunk{}
		}
	}
	return chunks
}

// pool opens the bench database.
func openPool(ctx context.Context, o options) (*pgxpool.Pool, error) {
	return db.Connect(ctx, o.dbURL(o.db), 4)
}
