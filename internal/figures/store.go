package figures

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// refreshPastDays is how long into a new year the previous year is still
// recomputed, so that its last hours and late changes (an exclusion, a
// case closed) reach its figures.
const refreshPastDays = 7

// Refresh recomputes the figures of the year of now in loc, up to today,
// and of the previous year during the first days of January. Each year is
// read in one snapshot and replaced in one transaction, so a page sees a
// year's old rows or its new ones, never a mix.
func Refresh(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) error {
	local := now.In(loc)
	if err := refreshYear(ctx, pool, now, loc, local.Year(), local.Format(time.DateOnly)); err != nil {
		return err
	}
	if local.YearDay() <= refreshPastDays {
		return refreshYear(ctx, pool, now, loc, local.Year()-1, time.Date(local.Year()-1, 12, 31, 0, 0, 0, 0, loc).Format(time.DateOnly))
	}
	return nil
}

// fixedSQL counts the counted 差评 (level 1–2, not excluded) rated in
// [$1, $2) whose case is closed, per unit of the rating. A rating reaches a
// case through its valid review (one per rating, feedback/verdicts.go),
// which carries the rating's time: the reviews of the year come from their
// rated_at index and each rating is one probe of its partition's key.
const fixedSQL = `SELECT r.unit_id, count(*)::bigint
	FROM feedback_reviews fr
	JOIN rectification_cases c ON c.id = fr.case_id AND c.status = 'closed'
	JOIN ratings r ON r.id = fr.source_id::uuid AND r.rated_at = fr.rated_at
	WHERE fr.source_kind = 'rating' AND fr.verdict IS NOT NULL AND fr.verdict = 'valid'
		AND fr.rated_at >= $1 AND fr.rated_at < $2 AND r.level <= 2 AND NOT r.excluded
	GROUP BY r.unit_id`

// answeredSQL counts the public's cases (from ratings and survey opinions)
// answered in [$1, $2), and those answered on or before their deadline's
// local day in zone $3.
const answeredSQL = `SELECT unit_id, count(*)::bigint,
		count(*) FILTER (WHERE answer_due IS NULL OR (answered_at AT TIME ZONE $3)::date <= answer_due)::bigint
	FROM rectification_cases
	WHERE source_group IN ('feedback', 'survey') AND answered_at >= $1 AND answered_at < $2
	GROUP BY unit_id`

func refreshYear(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location, year int, upto string) error {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
	end, err := time.ParseInLocation(time.DateOnly, upto, loc)
	if err != nil {
		return err
	}
	end = end.AddDate(0, 0, 1)
	per := map[int64]*Counts{}
	get := func(id int64) *Counts {
		if per[id] == nil {
			per[id] = &Counts{}
		}
		return per[id]
	}
	err = db.ReadSnapshot(ctx, pool, func(tx pgx.Tx) error {
		if err := db.NoStatementTimeout(ctx, tx); err != nil {
			return err
		}
		levels, err := ratings.DailyLevelCounts(ctx, tx, from.Format(time.DateOnly), upto, loc, nil)
		if err != nil {
			return err
		}
		for id, lc := range levels {
			c := get(id)
			c.Ratings, c.Satisfied, c.Bad = lc.Total(), lc[2]+lc[3]+lc[4], lc[0]+lc[1]
		}
		var id, n, m int64
		rows, _ := tx.Query(ctx, fixedSQL, from, end)
		if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { get(id).BadFixed = n; return nil }); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, answeredSQL, from, end, loc.String())
		_, err = pgx.ForEachRow(rows, []any{&id, &n, &m}, func() error {
			c := get(id)
			c.Answered, c.OnTime = n, m
			return nil
		})
		return err
	})
	if err != nil {
		return db.Err(err)
	}
	var ids []int64
	var cols [6][]int64
	for id, c := range per {
		ids = append(ids, id)
		for i, v := range []int64{c.Ratings, c.Satisfied, c.Bad, c.BadFixed, c.Answered, c.OnTime} {
			cols[i] = append(cols[i], v)
		}
	}
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM public_figures WHERE year = $1`, year); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO public_figures (year, unit_id, ratings, satisfied, bad, bad_fixed, answered, answered_on_time)
			SELECT $1, t.* FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) AS t`,
			year, ids, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5]); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO public_figures_years (year, upto, computed_at) VALUES ($1, $2, $3)
			ON CONFLICT (year) DO UPDATE SET upto = EXCLUDED.upto, computed_at = EXCLUDED.computed_at`, year, upto, now)
		return err
	})
}

// Load returns the newest year's figures, with the province's sums and the
// units by name, and false when none were computed yet. It reads at most
// one row per unit.
func Load(ctx context.Context, q db.DBTX) (Year, bool, error) {
	var y Year
	err := q.QueryRow(ctx, `SELECT year, upto::text, computed_at FROM public_figures_years ORDER BY year DESC LIMIT 1`).
		Scan(&y.Year, &y.Upto, &y.ComputedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Year{}, false, nil
	}
	if err != nil {
		return Year{}, false, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT f.unit_id, u.name, f.ratings, f.satisfied, f.bad, f.bad_fixed, f.answered, f.answered_on_time
		FROM public_figures f JOIN units u ON u.id = f.unit_id WHERE f.year = $1 ORDER BY u.name, u.id`, y.Year)
	var u UnitFigures
	_, err = pgx.ForEachRow(rows, []any{&u.UnitID, &u.Name, &u.Ratings, &u.Satisfied, &u.Bad, &u.BadFixed, &u.Answered, &u.OnTime}, func() error {
		y.Units = append(y.Units, u)
		y.Province = y.Province.Add(u.Counts)
		return nil
	})
	return y, true, db.Err(err)
}

// LoadTotals returns the newest year's figures summed over the units
// (Units left empty), and false when none were computed yet.
func LoadTotals(ctx context.Context, q db.DBTX) (Year, bool, error) {
	var y Year
	var p Counts
	err := q.QueryRow(ctx, `SELECT y.year, y.upto::text, y.computed_at,
			coalesce(sum(f.ratings), 0)::bigint, coalesce(sum(f.satisfied), 0)::bigint, coalesce(sum(f.bad), 0)::bigint,
			coalesce(sum(f.bad_fixed), 0)::bigint, coalesce(sum(f.answered), 0)::bigint, coalesce(sum(f.answered_on_time), 0)::bigint
		FROM (SELECT * FROM public_figures_years ORDER BY year DESC LIMIT 1) y
		LEFT JOIN public_figures f ON f.year = y.year
		GROUP BY y.year, y.upto, y.computed_at`).
		Scan(&y.Year, &y.Upto, &y.ComputedAt, &p.Ratings, &p.Satisfied, &p.Bad, &p.BadFixed, &p.Answered, &p.OnTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return Year{}, false, nil
	}
	y.Province = p
	return y, err == nil, db.Err(err)
}

// LoadUnit returns the newest year's figures summed over the units and the
// unit's own counts (zero when it has none), and false when none were
// computed yet: two small reads, for a unit's public page.
func LoadUnit(ctx context.Context, q db.DBTX, unitID int64) (Year, Counts, bool, error) {
	y, ok, err := LoadTotals(ctx, q)
	if err != nil || !ok {
		return y, Counts{}, ok, err
	}
	var c Counts
	err = q.QueryRow(ctx, `SELECT ratings, satisfied, bad, bad_fixed, answered, answered_on_time
		FROM public_figures WHERE year = $1 AND unit_id = $2`, y.Year, unitID).
		Scan(&c.Ratings, &c.Satisfied, &c.Bad, &c.BadFixed, &c.Answered, &c.OnTime)
	if errors.Is(err, pgx.ErrNoRows) {
		return y, Counts{}, true, nil
	}
	return y, c, err == nil, db.Err(err)
}
