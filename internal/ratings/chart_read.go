package ratings

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Reading the charts' aggregates (chart_parts.go). Each reader takes the
// stored rows of the days listed in rating_rollup_days (the current day's
// up to its watermark) and reads the ratings of the rest — the current day
// after its watermark, a day not rolled yet — in runs of consecutive time,
// as DailyLevelCounts does. A (unit, day) marked dirty after its day was
// rolled (a late rating, an exclusion, a restore) shows in the charts once
// the next rollup has recomputed it (the hourly maintenance): the charts
// show trends and shares, and the exact figures of a unit's score come
// from DailyLevelCounts.

// chartRunsSQL is the head of the readers: the days $2..$3 rolled in the
// zone $1, and the runs of time between them that are read from the
// ratings (see dailyCountsSQL).
const chartRunsSQL = `
WITH rolled AS (
	SELECT day, upto FROM rating_rollup_days WHERE tz = $1 AND day BETWEEN $2::date AND $3::date
), ` + liveRunsCTE

// officeChartSQL reads the office's parts of the days $2..$3: 'all' per
// day, 'hour' per weekday and hour (key "isodow:hour") and 'reason' over
// the whole period.
const officeChartSQL = chartRunsSQL + `, stored AS (
	SELECT o.day, o.part, o.key, o.n1, o.n2, o.n3, o.n4, o.n5 FROM rating_office_daily o JOIN rolled r ON r.day = o.day
	WHERE o.day BETWEEN $2::date AND $3::date
), live AS (
	SELECT x.* FROM runs k CROSS JOIN LATERAL (
		SELECT (r.rated_at AT TIME ZONE $1)::date AS day, 'all' AS part, '' AS key, ` + levelCountsCols + `
		FROM ratings r WHERE r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded GROUP BY 1
		UNION ALL
		SELECT (r.rated_at AT TIME ZONE $1)::date, 'hour', extract(hour FROM r.rated_at AT TIME ZONE $1)::int::text, ` + levelCountsCols + `
		FROM ratings r WHERE r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded AND r.channel = 'terminal' GROUP BY 1, 3
		UNION ALL
		SELECT (r.rated_at AT TIME ZONE $1)::date, 'reason', x.reason, ` + levelCountsCols + `
		FROM ratings r CROSS JOIN LATERAL unnest(r.reasons) AS x(reason)
		WHERE r.rated_at >= k.lo AND r.rated_at < k.hi AND NOT r.excluded AND r.reasons <> '{}' GROUP BY 1, 3) AS x
)
SELECT CASE WHEN part = 'all' THEN to_char(day, 'YYYY-MM-DD') ELSE '' END, part,
	CASE WHEN part = 'hour' THEN extract(isodow FROM day)::int::text || ':' || key ELSE key END,
	sum(n1)::bigint, sum(n2)::bigint, sum(n3)::bigint, sum(n4)::bigint, sum(n5)::bigint
FROM (SELECT * FROM stored UNION ALL SELECT * FROM live) AS t
GROUP BY 1, 2, 3`

// unitPartsSQL reads the unit $4's parts over the days $2..$3.
var unitPartsSQL = chartRunsSQL + `, stored AS (
	SELECT p.part, p.key, p.n1, p.n2, p.n3, p.n4, p.n5 FROM rating_daily_parts p JOIN rolled r ON r.day = p.day
	WHERE p.unit_id = $4 AND p.day BETWEEN $2::date AND $3::date AND p.part <> 'hour'
), live AS (
	SELECT x.part, x.key, x.n1, x.n2, x.n3, x.n4, x.n5 FROM runs k CROSS JOIN LATERAL (` + strings.NewReplacer(
	"{day}", "(r.rated_at AT TIME ZONE $1)::date", "{tz}", "$1", "{where}", "r.unit_id = $4 AND r.rated_at >= k.lo AND r.rated_at < k.hi",
).Replace(partsCols) + `) AS x
)
SELECT part, key, sum(n1)::bigint, sum(n2)::bigint, sum(n3)::bigint, sum(n4)::bigint, sum(n5)::bigint
FROM (SELECT * FROM stored UNION ALL SELECT * FROM live WHERE part <> 'hour') AS t
GROUP BY 1, 2`

// KeyCounts is the level counts of one key of a part: a reason, a service
// point or terminal (its id).
type KeyCounts struct {
	Key    string
	Counts LevelCounts
}

// OfficeFigures are every unit's counted ratings over a period, as the
// office's charts show them.
type OfficeFigures struct {
	// Days holds the counts of each day with ratings (YYYY-MM-DD).
	Days map[string]LevelCounts
	// Hours counts the terminal ratings per weekday (0 Monday … 6 Sunday)
	// and local hour.
	Hours [7][24]int64
	// Reasons counts the ratings giving each reason, most first.
	Reasons []KeyCounts
}

// OfficeChart returns the office's figures of the local days from..to
// (YYYY-MM-DD, both included) in loc. A malformed date is an error.
func OfficeChart(ctx context.Context, q db.DBTX, loc *time.Location, from, to string) (OfficeFigures, error) {
	out := OfficeFigures{Days: map[string]LevelCounts{}}
	if _, _, err := parsePeriod(from, to, loc); err != nil {
		return out, err
	}
	err := db.WithGenericPlan(ctx, q, func(q db.DBTX) error {
		rows, _ := q.Query(ctx, officeChartSQL, loc.String(), from, to)
		var day, part, key string
		var c LevelCounts
		_, err := pgx.ForEachRow(rows, []any{&day, &part, &key, &c[0], &c[1], &c[2], &c[3], &c[4]}, func() error {
			switch part {
			case "all":
				out.Days[day] = c
			case "hour":
				dow, hour, _ := strings.Cut(key, ":")
				d, err1 := strconv.Atoi(dow)
				h, err2 := strconv.Atoi(hour)
				if err1 == nil && err2 == nil && d >= 1 && d <= 7 && h >= 0 && h < 24 {
					out.Hours[d-1][h] += c.Total()
				}
			case "reason":
				out.Reasons = append(out.Reasons, KeyCounts{Key: key, Counts: c})
			}
			return nil
		})
		return err
	})
	if err != nil {
		return out, db.Err(err)
	}
	sortKeyCounts(out.Reasons)
	return out, nil
}

// UnitFigures are a unit's counted ratings over a period per service
// point, terminal and reason (each most first).
type UnitFigures struct {
	Points, Terminals, Reasons []KeyCounts
}

// UnitChart returns the unit's figures of the local days from..to
// (YYYY-MM-DD, both included) in loc. A malformed date is an error.
func UnitChart(ctx context.Context, q db.DBTX, loc *time.Location, unitID int64, from, to string) (UnitFigures, error) {
	var out UnitFigures
	if _, _, err := parsePeriod(from, to, loc); err != nil {
		return out, err
	}
	err := db.WithGenericPlan(ctx, q, func(q db.DBTX) error {
		rows, _ := q.Query(ctx, unitPartsSQL, loc.String(), from, to, unitID)
		var part, key string
		var c LevelCounts
		_, err := pgx.ForEachRow(rows, []any{&part, &key, &c[0], &c[1], &c[2], &c[3], &c[4]}, func() error {
			kc := KeyCounts{Key: key, Counts: c}
			switch part {
			case "point":
				out.Points = append(out.Points, kc)
			case "terminal":
				out.Terminals = append(out.Terminals, kc)
			case "reason":
				out.Reasons = append(out.Reasons, kc)
			}
			return nil
		})
		return err
	})
	if err != nil {
		return out, db.Err(err)
	}
	for _, l := range [][]KeyCounts{out.Points, out.Terminals, out.Reasons} {
		sortKeyCounts(l)
	}
	return out, nil
}

// sortKeyCounts orders l by count, most first, then by key.
func sortKeyCounts(l []KeyCounts) {
	slices.SortFunc(l, func(a, b KeyCounts) int {
		if a.Counts.Total() != b.Counts.Total() {
			if a.Counts.Total() > b.Counts.Total() {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
}
