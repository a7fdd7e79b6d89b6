package inspections

import (
	"context"

	"minyi/internal/db"
	"minyi/internal/units"
)

// CycleUnits lists the units of the cycle (units.InCycleSQL), by name: the
// units an inspection may name.
func CycleUnits(ctx context.Context, q db.DBTX, cycleID int64) ([]UnitRef, error) {
	return collect[UnitRef](ctx, q, `SELECT u.id, u.name FROM units u JOIN assessment_cycles c ON c.id = $1
		WHERE `+units.InCycleSQL("u", "c")+` ORDER BY u.name, u.id`, cycleID)
}

// maxIndicatorOptions bounds the indicators a finding form offers.
const maxIndicatorOptions = 500

// IndicatorOptions lists the indicators a finding of the inspection may
// name: those the inspection concerns when it names some, else the
// current indicators of the inspected units' sheets of the cycle; at most
// 500, by unit and position.
func IndicatorOptions(ctx context.Context, q db.DBTX, i Inspection) ([]IndicatorRef, error) {
	if len(i.Indicators) > 0 {
		return i.Indicators, nil
	}
	return collect[IndicatorRef](ctx, q, `SELECT t.id, t.name, u.id AS unit_id, u.name AS unit_name
		FROM inspection_units x JOIN target_sheets s ON s.unit_id = x.unit_id AND s.cycle_id = $2
		JOIN target_indicators t ON t.sheet_id = s.id AND t.removed_at IS NULL JOIN units u ON u.id = x.unit_id
		WHERE x.inspection_id = $1 ORDER BY u.name, u.id, t.position LIMIT $3`, i.ID, i.CycleID, maxIndicatorOptions)
}
