package results

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"minyi/internal/cycles"
	"minyi/internal/db"
)

// Previous is the final result in force of the cycle a year before, of the
// same kind (the main cycle of the previous year for a main cycle, else the
// newest other cycle of that year with final results), for "this year
// against last year".
type Previous struct {
	CycleID int64
	Name    string
	Year    int
	// Composites is each unit's composite score in that result, keyed by
	// the unit of this cycle it compares with: the unit itself, or, when
	// it had no result of its own, its only predecessor (a renamed unit,
	// 前身单位). A merger (several predecessors) compares with nothing: no
	// one composite is the merged unit's last year.
	Composites map[int64]float64
	// Via names the predecessor a unit's composite was read from.
	Via map[int64]string
}

// FindPrevious returns the previous cycle's final composites for cy, and
// false when there is no such cycle with final results in force. It reads
// one publication's rows (composite is a column, no breakdown is decoded)
// and the predecessor links of the units without a row.
func FindPrevious(ctx context.Context, q db.DBTX, cy cycles.Cycle) (Previous, bool, error) {
	var p Previous
	var pubID int64
	err := q.QueryRow(ctx, `SELECT c.id, c.name, c.year, p.id FROM assessment_cycles c
		JOIN assessment_publications p ON p.cycle_id = c.id AND p.stage = 'final' AND p.reopened_at IS NULL
		WHERE c.year = $1 - 1 AND c.main = $2 AND c.id <> $3
		ORDER BY p.id DESC LIMIT 1`, cy.Year, cy.Main, cy.ID).Scan(&p.CycleID, &p.Name, &p.Year, &pubID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Previous{}, false, nil
	}
	if err != nil {
		return Previous{}, false, db.Err(err)
	}
	own := map[int64]float64{}
	rows, _ := q.Query(ctx, `SELECT unit_id, composite::float8 FROM assessment_results WHERE publication_id = $1`, pubID)
	var unit int64
	var composite float64
	if _, err := pgx.ForEachRow(rows, []any{&unit, &composite}, func() error { own[unit] = composite; return nil }); err != nil {
		return Previous{}, false, db.Err(err)
	}
	// Units of this cycle without a row last year, with exactly one
	// predecessor that has one.
	rows, _ = q.Query(ctx, `SELECT up.unit_id, up.predecessor_id, u.name FROM unit_predecessors up
		JOIN units u ON u.id = up.predecessor_id
		WHERE NOT EXISTS
			(SELECT 1 FROM assessment_results r WHERE r.publication_id = $1 AND r.unit_id = up.unit_id)
			AND (SELECT count(*) FROM unit_predecessors x WHERE x.unit_id = up.unit_id) = 1`, pubID)
	var pred int64
	var name string
	p.Composites, p.Via = own, map[int64]string{}
	_, err = pgx.ForEachRow(rows, []any{&unit, &pred, &name}, func() error {
		if v, ok := own[pred]; ok {
			p.Composites[unit], p.Via[unit] = v, name
		}
		return nil
	})
	return p, true, db.Err(err)
}
