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

// genVersion is the version of the generator: a database made by another
// version (or of other sizes) is generated again. 2: service points,
// terminals and QR codes, messages, reasons, phone masks, an outage of
// the rate check, the review, cases, appeals, flags and held ratings. 3:
// the audit log, a thousand entries a day.
const genVersion = 3

// meta describes a generated database; bench_agg_meta holds it.
type meta struct {
	Ratings    int64 // a year
	Years      int
	Units      int
	TZ         string
	FirstDay   time.Time
	Through    time.Time // ratings were generated up to this instant
	GenSeconds float64
	Version    int
}

const metaSchema = `CREATE TABLE IF NOT EXISTS bench_agg_meta (
	ratings bigint NOT NULL, years int NOT NULL, units int NOT NULL, tz text NOT NULL, first_day date NOT NULL,
	through timestamptz NOT NULL, gen_seconds float8 NOT NULL, gen_version int NOT NULL,
	generated_at timestamptz NOT NULL DEFAULT now())`

// readMeta returns the database's meta, or ok false when the database does
// not exist, was not generated to the end or by an older generator.
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
	err = conn.QueryRow(ctx, `SELECT ratings, years, units, tz, first_day, through, gen_seconds, gen_version FROM bench_agg_meta`).
		Scan(&m.Ratings, &m.Years, &m.Units, &m.TZ, &m.FirstDay, &m.Through, &m.GenSeconds, &m.Version)
	if err != nil {
		return m, false, nil // missing, unfinished or older: generate again
	}
	return m, true, nil
}

// matches reports whether the generated database is what o asks for.
func (m meta) matches(o options) bool {
	return m.Version == genVersion && m.Ratings == o.ratings && m.Years == o.years && m.Units == o.units && m.TZ == o.tz
}

// generate makes the database afresh: the schema, the rating partitions,
// o.units units with their service points, terminals and QR codes, and
// o.ratings ratings a year for o.years years of 365 local days ending now
// (today only up to now), in statements of about a million rows, two at a
// time, each sorted by time as ratings arrive; then the console's other
// lists (generateFeedback), the search indexes (gen_search.go), and VACUUM
// ANALYZE, as autovacuum would have
// done on a live database (it is off on some machines).
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
	if err := dropSearchIndexes(ctx, pool); err != nil {
		return meta{}, err
	}
	start := time.Now()
	local := now.In(loc)
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(0, 0, -365*o.years+1)
	if _, err := pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, $2, $3)`, first, 12*o.years+4, o.tz); err != nil {
		return meta{}, err
	}
	if _, err := pool.Exec(ctx, unitsSQL[0], o.units); err != nil {
		return meta{}, err
	}
	for _, q := range unitsSQL[1:] {
		if _, err := pool.Exec(ctx, q); err != nil {
			return meta{}, err
		}
	}
	lay, err := readLayout(ctx, pool, o.units)
	if err != nil {
		return meta{}, err
	}
	lay.reviewedBefore = now.Add(-reviewLag)
	lay.outages = outages(today, o.years, loc)
	chunks := planDays(first, today, local, o.ratings*int64(o.years))
	fmt.Fprintf(out, "== generating %d units and %d ratings (%d a year) over %s..%s in %d statements\n",
		o.units, o.ratings*int64(o.years), o.ratings, first.Format(time.DateOnly), today.Format(time.DateOnly), len(chunks))
	if err := fill(ctx, pool, o, chunks, lay, start, out); err != nil {
		return meta{}, err
	}
	// The planner needs the sizes, or it sorts all the ratings to join
	// them with a few hundred (unit, day) pairs.
	fmt.Fprintf(out, "== ANALYZE, then the review, cases, appeals, flags and held ratings\n")
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return meta{}, err
	}
	if err := generateFeedback(ctx, pool, o, lay, first, today, start, out); err != nil {
		return meta{}, err
	}
	fmt.Fprintf(out, "== the search indexes of the ratings (%s)\n", time.Since(start).Round(time.Second))
	if err := buildSearchIndexes(ctx, pool, out); err != nil {
		return meta{}, err
	}
	fmt.Fprintf(out, "== VACUUM ANALYZE (%s)\n", time.Since(start).Round(time.Second))
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE`); err != nil {
		return meta{}, err
	}
	m := meta{Ratings: o.ratings, Years: o.years, Units: o.units, TZ: o.tz, FirstDay: first, Through: now,
		GenSeconds: time.Since(start).Seconds(), Version: genVersion}
	if _, err := pool.Exec(ctx, metaSchema); err != nil {
		return meta{}, err
	}
	_, err = pool.Exec(ctx, `INSERT INTO bench_agg_meta (ratings, years, units, tz, first_day, through, gen_seconds, gen_version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, m.Ratings, m.Years, m.Units, m.TZ, m.FirstDay, m.Through, m.GenSeconds, m.Version)
	return m, err
}

// reviewLag is how far the office's review is behind: feedback items rated
// before now − reviewLag have been reviewed (see feedbackSteps).
const reviewLag = 30 * 24 * time.Hour

// outages are the spans when Redis was down, one a year: 10:00–11:50 local
// time, 40 days before today in the current year and on the same day of
// the earlier years (about 0.05 % of the ratings).
func outages(today time.Time, years int, loc *time.Location) [][2]time.Time {
	var spans [][2]time.Time
	for y := range years {
		d := today.AddDate(0, 0, -40-365*y)
		from := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc)
		spans = append(spans, [2]time.Time{from, from.Add(110 * time.Minute)})
	}
	return spans
}

// chunk is the days one generateSQL statement fills.
type chunk struct {
	days   []time.Time
	counts []int32
	spans  []time.Duration
	rows   int64
}

// fill runs the chunks' statements, two at a time (two cores).
func fill(ctx context.Context, pool *pgxpool.Pool, o options, chunks []chunk, lay layout, start time.Time, out io.Writer) error {
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
				if err := fillChunk(ctx, pool, o, c, lay); err != nil {
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
