package instruments

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MaxPartners is the most units one rater unit may work with: every other
// unit of a province's register.
const MaxPartners = 5000

// SetPartners sets the units a rater unit works with on a 部门互评 (the
// units it rates when the instrument rates partners only). It returns
// conflict for an instrument that is not a 部门互评 or is closed,
// not_found for an unknown rater unit, and invalid for a rater unit of a
// category that does not rate, the unit itself among its partners, an
// unknown unit, or a unit of a category the instrument does not rate.
// Audited as instrument.partners.
func SetPartners(ctx context.Context, tx pgx.Tx, actor audit.Actor, id, raterUnitID int64, rated []int64) error {
	inst, err := lock(ctx, tx, id)
	if err != nil {
		return err
	}
	if inst.Purpose != PurposePeer {
		return apperr.New(apperr.Conflict, "只有部门互评可以设置协作单位")
	}
	if inst.Status == StatusClosed {
		return apperr.New(apperr.Conflict, "评价项目已结束，不能再修改协作单位")
	}
	var raterCategory string
	err = tx.QueryRow(ctx, `SELECT category FROM units WHERE id = $1`, raterUnitID).Scan(&raterCategory)
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, "单位不存在")
	}
	if err != nil {
		return db.Err(err)
	}
	if !inst.RatesBy(raterCategory) {
		return apperr.InvalidField("unit_id", "该单位不是本评价项目的评价单位（不属于评价单位的类别）")
	}
	rated = uniq(rated)
	if len(rated) > MaxPartners {
		return apperr.InvalidField("units", "协作单位最多"+strconv.Itoa(MaxPartners)+"个")
	}
	for _, u := range rated {
		if u == raterUnitID {
			return apperr.InvalidField("units", "协作单位不能包含本单位")
		}
	}
	rows, _ := tx.Query(ctx, `SELECT id, name, category FROM units WHERE id = ANY($1)`, rated)
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[unitRef])
	if err != nil {
		return db.Err(err)
	}
	if len(found) != len(rated) {
		return apperr.InvalidField("units", "协作单位须为已登记的单位")
	}
	var outside []string
	for _, u := range found {
		if !inst.Rates(u.Category) {
			outside = append(outside, u.Name)
		}
	}
	if len(outside) > 0 {
		if len(outside) > 3 {
			outside = append(outside[:3], "等")
		}
		return apperr.InvalidField("units", "协作单位须属于被评价的单位类别："+strings.Join(outside, "、")+"不在评价范围内")
	}
	if _, err := tx.Exec(ctx, `DELETE FROM evaluation_instrument_partners WHERE instrument_id = $1 AND rater_unit_id = $2`,
		id, raterUnitID); err != nil {
		return db.Err(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO evaluation_instrument_partners (instrument_id, rater_unit_id, rated_unit_id)
		SELECT $1, $2, unnest($3::bigint[]) ON CONFLICT DO NOTHING`, id, raterUnitID, rated); err != nil {
		return db.Err(err)
	}
	type partners struct {
		Unit     int64   `json:"unit_id"`
		Partners []int64 `json:"units"`
	}
	if rated == nil {
		rated = []int64{}
	}
	return audit.Record(ctx, tx, actor, "instrument.partners", "instrument", strconv.FormatInt(id, 10), nil,
		partners{raterUnitID, rated})
}

type unitRef struct {
	ID       int64
	Name     string
	Category string
}

func uniq(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// Partners returns every unit id the rater unit works with on the
// instrument (at most MaxPartners).
func Partners(ctx context.Context, q db.DBTX, id, raterUnitID int64) ([]int64, error) {
	rows, _ := q.Query(ctx, `SELECT rated_unit_id FROM evaluation_instrument_partners
		WHERE instrument_id = $1 AND rater_unit_id = $2 ORDER BY rated_unit_id`, id, raterUnitID)
	list, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return list, db.Err(err)
}

// UnitFilter selects units on the partners pages: a part of the name, a
// category (empty: any), only the chosen partners, and a page.
type UnitFilter struct {
	Q, Category   string
	ChosenOnly    bool
	Limit, Offset int
}

func (f *UnitFilter) clean() {
	f.Q, f.Category = strings.TrimSpace(f.Q), strings.TrimSpace(f.Category)
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 100
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
}

// likePattern is q as an ILIKE pattern matching names that contain it.
func likePattern(q string) string {
	return "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
}

// PartnerUnit is a unit on the partners pages: a rater unit with its
// number of partners, or a candidate partner with whether it is one.
type PartnerUnit struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	Category string `json:"category" db:"category"`
	Partners int    `json:"partners" db:"partners"`
	Chosen   bool   `json:"chosen" db:"chosen"`
}

// RaterUnits returns a page of the units that answer the 部门互评 (of its
// rater categories), by name, each with its number of partners, and the
// total matching f.
func RaterUnits(ctx context.Context, q db.DBTX, in Instrument, f UnitFilter) ([]PartnerUnit, int, error) {
	f.clean()
	where := `(cardinality($2::text[]) = 0 OR u.category = ANY($2)) AND ($3 = '' OR u.name ILIKE $4)
		AND ($5 = '' OR u.category = $5) AND ` + cycleUnit
	args := []any{in.ID, in.RaterCategories, f.Q, likePattern(f.Q), f.Category}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM units u WHERE $1::bigint > 0 AND `+where, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT u.id, u.name, u.category, false AS chosen,
			(SELECT count(*) FROM evaluation_instrument_partners p WHERE p.instrument_id = $1 AND p.rater_unit_id = u.id)::int AS partners
		FROM units u WHERE `+where+` ORDER BY u.name, u.id LIMIT $6 OFFSET $7`, append(args, f.Limit, f.Offset)...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[PartnerUnit])
	return list, total, db.Err(err)
}

// Candidates returns a page of the units the rater unit may work with on
// the 部门互评 (of its rated categories, never the unit itself), by name,
// each marked when it is a partner already, and the total matching f.
func Candidates(ctx context.Context, q db.DBTX, in Instrument, raterUnitID int64, f UnitFilter) ([]PartnerUnit, int, error) {
	f.clean()
	where := `(cardinality($2::text[]) = 0 OR u.category = ANY($2)) AND u.id <> $3 AND ` + cycleUnit + `
		AND ($4 = '' OR u.name ILIKE $5) AND ($6 = '' OR u.category = $6)
		AND (NOT $7 OR EXISTS (SELECT 1 FROM evaluation_instrument_partners p
			WHERE p.instrument_id = $1 AND p.rater_unit_id = $3 AND p.rated_unit_id = u.id))`
	args := []any{in.ID, in.RatedCategories, raterUnitID, f.Q, likePattern(f.Q), f.Category, f.ChosenOnly}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM units u WHERE $1::bigint > 0 AND `+where, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT u.id, u.name, u.category, 0 AS partners,
			EXISTS (SELECT 1 FROM evaluation_instrument_partners p
				WHERE p.instrument_id = $1 AND p.rater_unit_id = $3 AND p.rated_unit_id = u.id) AS chosen
		FROM units u WHERE `+where+` ORDER BY u.name, u.id LIMIT $8 OFFSET $9`, append(args, f.Limit, f.Offset)...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[PartnerUnit])
	return list, total, db.Err(err)
}

// FindUnit returns a unit of the register by id as the partners pages show
// it, or not_found.
func FindUnit(ctx context.Context, q db.DBTX, id int64) (PartnerUnit, error) {
	rows, _ := q.Query(ctx, `SELECT u.id, u.name, u.category, false AS chosen,
		0 AS partners FROM units u WHERE u.id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PartnerUnit])
	if errors.Is(err, pgx.ErrNoRows) {
		return PartnerUnit{}, apperr.New(apperr.NotFound, "单位不存在")
	}
	return u, db.Err(err)
}
