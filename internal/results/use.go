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
)

// UnitUse is the use of one unit's final result: next year's
// civil-servant 优秀 quota (QuotaShares of the grade × staff count, rounded
// down) and the three-year streaks over the final results of the cycles of
// the three consecutive years ending with this one.
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
	// The grades of the final results in force of this cycle's year and
	// the two before, per unit and year.
	rows, _ := q.Query(ctx, `SELECT r.unit_id, c.year, r.grade
		FROM assessment_publications p JOIN assessment_cycles c ON c.id = p.cycle_id
		JOIN assessment_results r ON r.publication_id = p.id
		WHERE p.stage = 'final' AND p.reopened_at IS NULL
		  AND c.year BETWEEN (SELECT year - 2 FROM assessment_cycles WHERE id = $1) AND (SELECT year FROM assessment_cycles WHERE id = $1)`, cycleID)
	type key struct {
		unit int64
		year int
	}
	byYear := map[key]string{}
	var unitID int64
	var year int
	var grade string
	if _, err := pgx.ForEachRow(rows, []any{&unitID, &year, &grade}, func() error {
		byYear[key{unitID, year}] = grade
		return nil
	}); err != nil {
		return nil, db.Err(err)
	}
	var thisYear int
	if err := q.QueryRow(ctx, `SELECT year FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&thisYear); err != nil {
		return nil, db.Err(err)
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
			u := UnitUse{Unit: l.Unit, Grade: l.Grade, GradeLabel: l.GradeLabel, QuotaShare: sv.Settings.QuotaShares[l.Grade]}
			if n, ok := staff[l.Unit.ID]; ok {
				u.StaffCount = &n
				qn := Quota(u.QuotaShare, n)
				u.Quota = &qn
			}
			ex, pass := 0, 0
			for y := thisYear - 2; y <= thisYear; y++ {
				g, ok := byYear[key{l.Unit.ID, y}]
				label := strconv.Itoa(y) + "年：无最终结果"
				if ok {
					label = strconv.Itoa(y) + "年：" + assessment.GradeLabel(g)
				}
				u.Years = append(u.Years, label)
				if g == assessment.GradeExcellent {
					ex++
				}
				if g == assessment.GradePass {
					pass++
				}
			}
			u.ThreeExcellent, u.ThreePass = ex == 3, pass == 3
			out = append(out, u)
		}
	}
	return out, nil
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
