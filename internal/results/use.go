package results

import (
	"context"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/units"
)

// UnitUse is the use of one unit's final result: next year's
// civil-servant 优秀 quota (QuotaShares of the grade × staff count, rounded
// down) and the three-year streaks over the final results of the main
// cycles of the three consecutive years ending with this one, following a
// unit's predecessors where it has no result (lineage.go); a cycle that is
// not its year's main cycle has no streaks and no Years.
type UnitUse struct {
	Unit       Unit     `json:"unit"`
	Grade      string   `json:"grade"`
	GradeLabel string   `json:"grade_label"`
	StaffCount *int     `json:"staff_count"`
	QuotaShare float64  `json:"quota_share"`
	Quota      *int     `json:"quota"`
	Years      []string `json:"years"`
	// ThreeExcellent: 优秀 three years in a row (for commendation);
	// ThreePass: 合格 three years in a row (a written rectification report
	// is required).
	ThreeExcellent bool `json:"three_excellent"`
	ThreePass      bool `json:"three_pass"`
	// Report is where the rectification report of a ThreePass unit
	// stands: "missing", "submitted" or "received" (empty otherwise).
	Report      string `json:"report,omitempty"`
	ReportLabel string `json:"report_label,omitempty"`
}

type unitYear struct {
	unit int64
	year int
}

// yearGrades returns the grades of the final results in force of the main
// cycles (one a year) of the cycle's year and the two before, per unit and
// year, and the cycle's year; unitIDs, when set, limits them to those
// units. A cycle that is not its year's main cycle has no streaks: it
// gets no grades and year 0.
func yearGrades(ctx context.Context, q db.DBTX, cycleID int64, unitIDs []int64) (map[unitYear]string, int, error) {
	var thisYear int
	var main bool
	if err := q.QueryRow(ctx, `SELECT year, main FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&thisYear, &main); err != nil {
		return nil, 0, notFoundCycle(db.Err(err))
	}
	if !main {
		return map[unitYear]string{}, 0, nil
	}
	rows, _ := q.Query(ctx, `SELECT r.unit_id, c.year, r.grade
		FROM assessment_publications p JOIN assessment_cycles c ON c.id = p.cycle_id
		JOIN assessment_results r ON r.publication_id = p.id
		WHERE p.stage = 'final' AND p.reopened_at IS NULL AND c.main AND c.year BETWEEN $1 - 2 AND $1
		  AND ($2::bigint[] IS NULL OR r.unit_id = ANY($2))`, thisYear, unitIDs)
	byYear := map[unitYear]string{}
	var id int64
	var year int
	var grade string
	_, err := pgx.ForEachRow(rows, []any{&id, &year, &grade}, func() error {
		byYear[unitYear{id, year}] = grade
		return nil
	})
	return byYear, thisYear, db.Err(err)
}

// ThreePass reports whether the unit's final results of the cycle's year
// and the two years before, following its predecessors where it has none
// (lineage.go), are all 合格, so it owes a written rectification report
// for the cycle.
func ThreePass(ctx context.Context, q db.DBTX, cycleID, unitID int64) (bool, error) {
	preds, err := units.AncestorMap(ctx, q, unitID)
	if err != nil {
		return false, err
	}
	byYear, thisYear, err := yearGrades(ctx, q, cycleID, lineAncestors(preds, unitID))
	if err != nil {
		return false, err
	}
	if thisYear == 0 {
		return false, nil
	}
	_, pass := Streaks(byYear, preds, unitID, thisYear)
	return pass, nil
}

func notFoundCycle(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "考核年度不存在")
	}
	return err
}

// Uses returns the use of every unit's final result of the cycle; empty
// while no final results are in force.
func Uses(ctx context.Context, q db.DBTX, cycleID int64) ([]UnitUse, error) {
	st, err := LoadStatus(ctx, q, cycleID)
	if err != nil || !st.IsFinal() {
		return []UnitUse{}, err
	}
	sv, err := assessment.LoadSettings(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	byYear, thisYear, err := yearGrades(ctx, q, cycleID, nil)
	if err != nil {
		return nil, err
	}
	preds, err := units.PredecessorMap(ctx, q)
	if err != nil {
		return nil, err
	}
	names, err := lineNames(ctx, q, preds)
	if err != nil {
		return nil, err
	}
	reports, err := reportStates(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	staff, err := StaffCounts(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	cats, err := Published(ctx, q, st.Final.ID, nil)
	if err != nil {
		return nil, err
	}
	out := []UnitUse{}
	for _, c := range cats {
		for _, l := range c.Lines {
			u := UnitUse{Unit: l.Unit, Grade: l.Grade, GradeLabel: l.GradeLabel, QuotaShare: sv.Settings.QuotaShares[l.Grade], Years: []string{}}
			if n, ok := staff[l.Unit.ID]; ok {
				u.StaffCount = &n
				qn := Quota(u.QuotaShare, n)
				u.Quota = &qn
			}
			for y := thisYear - 2; thisYear != 0 && y <= thisYear; y++ {
				g, sources := LineGrade(byYear, preds, l.Unit.ID, y)
				u.Years = append(u.Years, yearLabel(l.Unit.ID, y, g, sources, names))
			}
			if thisYear != 0 {
				u.ThreeExcellent, u.ThreePass = Streaks(byYear, preds, l.Unit.ID, thisYear)
			}
			if u.ThreePass {
				u.Report = ReportMissing
				if r, ok := reports[l.Unit.ID]; ok {
					u.Report = r
				}
				u.ReportLabel = ReportStateLabel(u.Report)
			}
			out = append(out, u)
		}
	}
	return out, nil
}

// lineNames returns the names of the units that are some unit's
// predecessor, for the labels of the years a line reads.
func lineNames(ctx context.Context, q db.DBTX, preds map[int64][]int64) (map[int64]string, error) {
	ids := []int64{}
	for _, ps := range preds {
		ids = append(ids, ps...)
	}
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := q.Query(ctx, `SELECT id, name FROM units WHERE id = ANY($1)`, ids)
	var id int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error { out[id] = name; return nil })
	return out, db.Err(err)
}

// StaffCounts returns the cycle's staff counts by unit.
func StaffCounts(ctx context.Context, q db.DBTX, cycleID int64) (map[int64]int, error) {
	rows, _ := q.Query(ctx, `SELECT unit_id, staff_count FROM assessment_staff_counts WHERE cycle_id = $1`, cycleID)
	out := map[int64]int{}
	var id int64
	var n int
	_, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil })
	return out, db.Err(err)
}

// SetStaffCount records a unit's civil-servant staff count for the cycle;
// the same count again changes nothing.
func SetStaffCount(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, cycleID, unitID int64, n int) error {
	if n < 0 || n > 100000 {
		return apperr.InvalidField("staff_count", "公务员人数须为0到100000之间的整数")
	}
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return err
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unitID).Scan(&exists); err != nil {
		return db.Err(err)
	}
	if !exists {
		return apperr.New(apperr.NotFound, "单位不存在")
	}
	var before *int
	err := tx.QueryRow(ctx, `SELECT staff_count FROM assessment_staff_counts WHERE cycle_id = $1 AND unit_id = $2`, cycleID, unitID).Scan(&before)
	if err != nil && err != pgx.ErrNoRows {
		return db.Err(err)
	}
	if before != nil && *before == n {
		return nil
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_staff_counts (cycle_id, unit_id, staff_count, updated_by, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id, unit_id) DO UPDATE
		SET staff_count = EXCLUDED.staff_count, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
		cycleID, unitID, n, by, now); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "results.staff_count", "unit", strconv.FormatInt(unitID, 10),
		map[string]any{"cycle_id": cycleID, "staff_count": before}, map[string]any{"cycle_id": cycleID, "staff_count": n})
}

// SharePercent shows the quota share as a percentage: "18%".
func (u UnitUse) SharePercent() string {
	r := new(big.Rat).Mul(ratOf(u.QuotaShare), big.NewRat(100, 1))
	s := strings.TrimRight(strings.TrimRight(r.FloatString(2), "0"), ".")
	return s + "%"
}
