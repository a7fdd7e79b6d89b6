// Command minyi-resultsbench measures computing the whole annual
// assessment: for N units (1,000 by default) with every manual leaf of the
// Zhongshan preset (三效一创, 14 leaves) entered, bonus points, deductions,
// adjustments and a year's ratings feeding the public evaluation score, it
// times results.ComputeAll — the scheme computed per unit, the public
// evaluation scores, the composite and the grading by category — several
// times and prints the median and the maximum.
//
//	minyi-resultsbench [-pg URL] [-db NAME] [-units N] [-ratings N] [-reps N]
//
// It creates the database afresh (name must start with minyi_bench) on a
// loopback Postgres server and drops nothing else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/scores"
	"minyi/migrations"
)

type options struct {
	pg      string
	db      string
	units   int
	ratings int
	reps    int
}

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "minyi-resultsbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("minyi-resultsbench", flag.ContinueOnError)
	fs.StringVar(&o.pg, "pg", "postgres://postgres@127.0.0.1:5432", "Postgres server URL (this machine only), without a database")
	fs.StringVar(&o.db, "db", "minyi_bench_results", "database to create (name must start with minyi_bench)")
	fs.IntVar(&o.units, "units", 1000, "units to generate")
	fs.IntVar(&o.ratings, "ratings", 200_000, "ratings to generate over the last 60 days")
	fs.IntVar(&o.reps, "reps", 9, "repetitions of the computation")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(o.pg)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("-pg must be a postgres:// URL, got %q", o.pg)
	}
	if h := u.Hostname(); h != "localhost" && (net.ParseIP(h) == nil || !net.ParseIP(h).IsLoopback()) {
		return fmt.Errorf("-pg must name a loopback address, got %q", h)
	}
	if !strings.HasPrefix(o.db, "minyi_bench") || strings.Trim(o.db, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return errors.New("-db must start with minyi_bench and hold only a-z, 0-9 and _")
	}
	if o.units < 2 || o.units > 100_000 || o.ratings < 0 || o.ratings > 50_000_000 || o.reps < 1 {
		return errors.New("-units must be 2..100000, -ratings 0..50000000 and -reps at least 1")
	}
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return err
	}
	now := time.Now()
	start := time.Now()
	cycleID, pool, err := generate(ctx, o, loc, now)
	if err != nil {
		return err
	}
	defer pool.Close()
	fmt.Fprintf(out, "== generated %d units, %d ratings, entries on 14 leaves in %.1f s\n", o.units, o.ratings, time.Since(start).Seconds())
	var times []time.Duration
	var a results.Assessment
	for range o.reps {
		t0 := time.Now()
		if a, err = results.ComputeAll(ctx, pool, loc, now, cycleID, nil); err != nil {
			return err
		}
		times = append(times, time.Since(t0))
	}
	// The part that is the public evaluation score, for comparison.
	var stimes []time.Duration
	for range o.reps {
		t0 := time.Now()
		if _, err := scores.Compute(ctx, pool, loc, now, scores.Query{CycleID: cycleID}); err != nil {
			return err
		}
		stimes = append(stimes, time.Since(t0))
	}
	slices.Sort(stimes)
	fmt.Fprintf(out, "%-80s runs %2d  median %9s  max %9s\n", "of which scores.Compute (public evaluation scores alone)",
		o.reps, stimes[len(stimes)/2].Round(time.Microsecond), stimes[len(stimes)-1].Round(time.Microsecond))
	counts := map[string]int{}
	for _, c := range a.Categories {
		for _, l := range c.Lines {
			counts[l.GradeLabel]++
		}
	}
	slices.Sort(times)
	fmt.Fprintf(out, "%-80s runs %2d  median %9s  max %9s\n", fmt.Sprintf("results.ComputeAll, %d units in %d categories", o.units, len(a.Categories)),
		o.reps, times[len(times)/2].Round(time.Microsecond), times[len(times)-1].Round(time.Microsecond))
	fmt.Fprintf(out, "== grades: 优秀 %d, 良好 %d, 合格 %d, 不合格 %d, incomplete %d\n",
		counts["优秀"], counts["良好"], counts["合格"], counts["不合格"], len(a.Incomplete))
	if len(a.Incomplete) > 0 {
		return fmt.Errorf("%d units incomplete: the public evaluation score is missing", len(a.Incomplete))
	}
	return nil
}

func dbURL(o options, name string) string {
	u, _ := url.Parse(o.pg)
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// instrumentAnswersSQL opens the cycle $1's instruments and answers them.
var instrumentAnswersSQL = []string{
	`UPDATE evaluation_instruments SET status = 'open', opened_at = now() WHERE cycle_id = $1`,
	`INSERT INTO evaluation_instrument_invitees (instrument_id, name, group_name, token_hash, token_enc)
	SELECT i.id, '评价人' || g, '评价组', decode(md5(i.id || '-' || g), 'hex'), decode(md5(g || '-' || i.id), 'hex')
	FROM evaluation_instruments i CROSS JOIN generate_series(1, 7) AS g
	WHERE i.cycle_id = $1 AND i.purpose IN ('leaders', 'deputies')`,
	`INSERT INTO evaluation_instrument_answers (instrument_id, rated_unit_id, rater_unit_id, invitee_id, grade, value, answered_at)
	SELECT a.instrument_id, a.rated, a.rater, a.invitee, (ARRAY['excellent', 'good', 'fair', 'poor'])[a.g],
		i.grade_points[a.g], now()
	FROM (
		SELECT v.instrument_id, u.id AS rated, NULL::bigint AS rater, v.id AS invitee, 1 + floor(random() ^ 2 * 4)::int AS g
		FROM evaluation_instrument_invitees v CROSS JOIN units u
		UNION ALL
		SELECT i.id, u.id, r.id, NULL, 1 + floor(random() ^ 2 * 4)::int
		FROM evaluation_instruments i CROSS JOIN units u JOIN units r ON r.id <> u.id
			AND (i.purpose = 'peer' OR r.id % 10 = 0)
		WHERE i.cycle_id = $1 AND i.purpose IN ('peer', 'grassroots')
	) AS a JOIN evaluation_instruments i ON i.id = a.instrument_id
	WHERE i.cycle_id = $1`,
	`INSERT INTO evaluation_instrument_totals (instrument_id, unit_id, answers, total)
	SELECT instrument_id, rated_unit_id, count(*), sum(value) FROM evaluation_instrument_answers
	WHERE instrument_id IN (SELECT id FROM evaluation_instruments WHERE cycle_id = $1)
	GROUP BY instrument_id, rated_unit_id`,
	`UPDATE evaluation_instruments SET status = 'closed', closed_at = now() WHERE cycle_id = $1`,
}

// generate creates the database: units in four categories, a cycle of the
// current year with the Zhongshan preset, an entry on every manual leaf of
// every unit, approved bonus claims, deductions, adjustments and ratings.
func generate(ctx context.Context, o options, loc *time.Location, now time.Time) (int64, *pgxpool.Pool, error) {
	admin, err := pgx.Connect(ctx, dbURL(o, "postgres"))
	if err != nil {
		return 0, nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, `DROP DATABASE IF EXISTS `+o.db+` WITH (FORCE)`); err != nil {
		return 0, nil, err
	}
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+o.db); err != nil {
		return 0, nil, err
	}
	pool, err := db.Connect(ctx, dbURL(o, o.db), 4)
	if err != nil {
		return 0, nil, err
	}
	fail := func(err error) (int64, *pgxpool.Pool, error) { pool.Close(); return 0, nil, err }
	if _, err := db.Migrate(ctx, pool, migrations.Files); err != nil {
		return fail(err)
	}
	local := now.In(loc)
	year := local.Year()
	if _, err := pool.Exec(ctx, `INSERT INTO units (name, short_code, category)
		SELECT '单位' || g, 'U' || g, (ARRAY['社会服务类', '经济发展类', '党群综合类', '执法监管类'])[1 + g % 4]
		FROM generate_series(1, $1) AS g`, o.units); err != nil {
		return fail(err)
	}
	var cycleID int64
	err = db.Tx(ctx, pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.Actor{Name: "bench"}, cycles.CycleInput{Name: fmt.Sprintf("%d年度", year), Year: year,
			PeriodStart: fmt.Sprintf("%d-01-01", year), PeriodEnd: fmt.Sprintf("%d-12-31", year)}, cycles.DefaultConfig([]float64{100, 90, 70, 40, 0}))
		if err != nil {
			return err
		}
		cycleID = cy.ID
		_, _, err = schemes.Set(ctx, tx, audit.Actor{Name: "bench"}, cycleID, schemes.Change{Preset: "zhongshan"})
		return err
	})
	if err != nil {
		return fail(err)
	}
	v, err := schemes.Find(ctx, pool, cycleID, 0)
	if err != nil {
		return fail(err)
	}
	var keys []string
	var maxes []float64
	for _, l := range schemes.Leaves(v.Tree) {
		if l.Kind == schemes.KindManual {
			keys, maxes = append(keys, l.Key), append(maxes, l.Max)
		}
	}
	// Entries between 60 % and 100 % of each leaf's points, in cents.
	if _, err := pool.Exec(ctx, `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
		SELECT $1::bigint, u.id, l.key, round((l.max * (0.6 + 0.4 * random()))::numeric, 2)
		FROM units u CROSS JOIN unnest($2::text[], $3::float8[]) AS l(key, max)`, cycleID, keys, maxes); err != nil {
		return fail(err)
	}
	// The preset's four instrument leaves (领导评价, 代表委员评价, 部门互评,
	// 基层评价) are fed by the instruments saving it created: seven leaders
	// and seven deputies rate every unit, every unit rates every other
	// unit (about a million answers) and a tenth of the units rate the
	// rest, each answer a grade and its points, with the running totals
	// the instruments keep.
	for _, q := range instrumentAnswersSQL {
		if _, err := pool.Exec(ctx, q, cycleID); err != nil {
			return fail(fmt.Errorf("instrument answers: %w", err))
		}
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO assessment_bonus_claims (cycle_id, unit_id, title, points_claimed, points_approved, status)
		SELECT $1::bigint, id, '创新项目', 2, 1.5, 'approved' FROM units WHERE id % 7 = 0;
		`, cycleID); err != nil {
		return fail(err)
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO assessment_deductions (cycle_id, unit_id, reason_key, description, points, sets_fail)
		SELECT $1::bigint, id, 'accountability', '行政问责一起', 2, false FROM units WHERE id % 11 = 0
		UNION ALL SELECT $1::bigint, id, 'serious_violation', '严重违纪案件', 0, true FROM units WHERE id % 97 = 0`, cycleID); err != nil {
		return fail(err)
	}
	if _, err := pool.Exec(ctx, `
		INSERT INTO assessment_grade_adjustments (cycle_id, unit_id, kind, reason)
		SELECT $1::bigint, id, 'raise', '重大贡献' FROM units WHERE id % 53 = 0
		UNION ALL SELECT $1::bigint, id, 'no_excellent', '重大腐败案件' FROM units WHERE id % 61 = 0`, cycleID); err != nil {
		return fail(err)
	}
	first := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -60)
	if first.Year() != year {
		first = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := pool.Exec(ctx, `SELECT minyi_ensure_rating_partitions($1::date, 4, $2)`, first, loc.String()); err != nil {
		return fail(err)
	}
	// Every unit gets ratings, mostly satisfied.
	if _, err := pool.Exec(ctx, `
		INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, reasons, comment, rate_checked)
		SELECT gen_random_uuid(), x.at, 'terminal', x.unit, x.level, (ARRAY[0, 40, 70, 90, 100])[x.level], '{}', '', true
		FROM (SELECT $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz) AS at,
			(SELECT min(id) FROM units) + g % $4 AS unit,
			CASE WHEN random() < 0.7 THEN 5 WHEN random() < 0.6 THEN 4 ELSE 3 END AS level
			FROM generate_series(0, $1 - 1) AS g) x`, o.ratings, first, now.Add(-time.Hour), o.units); err != nil {
		return fail(err)
	}
	if _, err := ratings.RollUp(ctx, pool, now, loc); err != nil {
		return fail(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return fail(err)
	}
	return cycleID, pool, nil
}
