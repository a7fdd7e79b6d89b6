package ratings

import (
	"context"
	"time"

	"minyi/internal/db"
)

// LevelCounts counts counted (not excluded) ratings per level: index 0 is
// level 1, index 4 level 5.
type LevelCounts [5]int64

// Total is the number of ratings counted.
func (c LevelCounts) Total() int64 {
	var n int64
	for _, v := range c {
		n += v
	}
	return n
}

// SumPoints is the sum of the points of the counted ratings, given the
// points of levels 5..1 (a cycle's level→points mapping, five values).
func (c LevelCounts) SumPoints(levelPoints []float64) float64 {
	var sum float64
	for level := 1; level <= 5; level++ {
		sum += float64(c[level-1]) * levelPoints[5-level]
	}
	return sum
}

// DailyLevelCounts returns, per unit, the counted ratings per level whose
// local day (in loc) lies between from and to, both YYYY-MM-DD and both
// included. unitIDs limits the units; nil means every unit. Units without
// ratings are absent.
func DailyLevelCounts(ctx context.Context, q db.DBTX, from, to string, loc *time.Location, unitIDs []int64) (map[int64]LevelCounts, error) {
	start, err := time.ParseInLocation(time.DateOnly, from, loc)
	if err != nil {
		return nil, err
	}
	end, err := time.ParseInLocation(time.DateOnly, to, loc)
	if err != nil {
		return nil, err
	}
	const sql = `SELECT unit_id, level, count(*) FROM ratings
		WHERE rated_at >= $1 AND rated_at < $2 AND NOT excluded
		AND ($3::bigint[] IS NULL OR unit_id = ANY($3))
		GROUP BY unit_id, level`
	rows, err := q.Query(ctx, sql, start, end.AddDate(0, 0, 1), unitIDs)
	if err != nil {
		return nil, db.Err(err)
	}
	defer rows.Close()
	out := map[int64]LevelCounts{}
	for rows.Next() {
		var unit, n int64
		var level int
		if err := rows.Scan(&unit, &level, &n); err != nil {
			return nil, db.Err(err)
		}
		c := out[unit]
		c[level-1] = n
		out[unit] = c
	}
	return out, db.Err(rows.Err())
}
