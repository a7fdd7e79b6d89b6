package cycles

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// A year has at most one main cycle (主考核): the one whose final results
// count for the year in the three-year streaks (internal/results/use.go).
// Another cycle of the same year (a special assessment, a re-run) may
// exist but is not main, so "the previous two years" always names one
// cycle each. The rule is enforced here with a Chinese message and in the
// database by a partial unique index (migration 0058).

// lockYear serialises main-cycle decisions for a year, so two cycles
// created at once cannot both become main.
func lockYear(ctx context.Context, tx pgx.Tx, year int) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('minyi.cycle_main'), $1)`, year)
	return db.Err(err)
}

// mainOf returns the name of the year's main cycle other than exceptID,
// or "" when there is none.
func mainOf(ctx context.Context, tx pgx.Tx, year int, exceptID int64) (string, error) {
	var name string
	err := tx.QueryRow(ctx, `SELECT name FROM assessment_cycles WHERE year = $1 AND main AND id <> $2`, year, exceptID).Scan(&name)
	if err == pgx.ErrNoRows {
		return "", nil
	}
	return name, db.Err(err)
}

func secondMain(year int, name string) error {
	return apperr.InvalidField("main", strconv.Itoa(year)+"年度已有主考核“"+name+
		"”，同一年度只能有一个主考核；请将本考核设为专项考核，或先取消“"+name+"”的主考核")
}

// resolveMain decides whether a new cycle of year is main: as asked, or,
// when want is nil, when the year has no main cycle yet. Asking for a
// second main cycle is invalid.
func resolveMain(ctx context.Context, tx pgx.Tx, year int, want *bool) (bool, error) {
	if year < MinYear || year > MaxYear {
		return false, nil // Validate has refused it
	}
	if err := lockYear(ctx, tx, year); err != nil {
		return false, err
	}
	other, err := mainOf(ctx, tx, year, 0)
	if err != nil {
		return false, err
	}
	if want == nil {
		return other == "", nil
	}
	if *want && other != "" {
		return false, secondMain(year, other)
	}
	return *want, nil
}

// SetMain makes the cycle its year's main cycle, or not, and records it in
// the audit log; the same value again changes nothing. It returns
// not_found for an unknown cycle and invalid when another cycle of the
// year is main already.
func SetMain(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, main bool) (Cycle, bool, error) {
	c, err := FindCycle(ctx, tx, cycleID)
	if err != nil {
		return Cycle{}, false, err
	}
	if err := lockYear(ctx, tx, c.Year); err != nil {
		return Cycle{}, false, err
	}
	if c, err = FindCycle(ctx, tx, cycleID); err != nil || c.Main == main {
		return c, false, err
	}
	if main {
		other, err := mainOf(ctx, tx, c.Year, c.ID)
		if err != nil {
			return Cycle{}, false, err
		}
		if other != "" {
			return Cycle{}, false, secondMain(c.Year, other)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_cycles SET main = $2, updated_at = now() WHERE id = $1`, c.ID, main); err != nil {
		return Cycle{}, false, db.Err(err)
	}
	err = audit.Record(ctx, tx, actor, "cycle.main", "cycle", strconv.FormatInt(c.ID, 10),
		map[string]any{"main": c.Main}, map[string]any{"main": main})
	c.Main = main
	return c, true, err
}

// MainLabel names the cycle's standing in its year, in the office's words.
func (c Cycle) MainLabel() string {
	if c.Main {
		return "主考核"
	}
	return "专项考核（不计入连续年度）"
}
