package units

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// ResolveUnitRef returns the target of the unit's current unit-level QR
// code for the unit a signed rating link names by its short code or,
// failing that, its numeric id; not_found when neither names a unit with
// a live code.
func ResolveUnitRef(ctx context.Context, q db.DBTX, ref string) (CodeTarget, error) {
	var id *int64
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		id = &n
	}
	var code string
	err := q.QueryRow(ctx, `SELECT c.code FROM units u
		JOIN qr_codes c ON c.unit_id = u.id AND c.point_id IS NULL AND c.replaced_at IS NULL
		WHERE u.short_code = $1 OR u.id = $2
		ORDER BY u.short_code = $1 DESC NULLS LAST LIMIT 1`, ref, id).Scan(&code)
	if err == pgx.ErrNoRows {
		return CodeTarget{}, apperr.New(apperr.NotFound, "单位不存在")
	}
	if err != nil {
		return CodeTarget{}, db.Err(err)
	}
	return ResolveCode(ctx, q, code)
}
