package units

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// CodeTarget is what a scanned QR code points at.
type CodeTarget struct {
	Code      string  `db:"code"`
	UnitID    int64   `db:"unit_id"`
	UnitName  string  `db:"unit_name"`
	PointID   *int64  `db:"point_id"`
	PointName *string `db:"point_name"`
	PointKind *string `db:"point_kind"`
	// Replaced is true when the code was rotated and no longer takes ratings.
	Replaced bool `db:"replaced"`
	// AbolishedOn is the day the unit was abolished (YYYY-MM-DD), nil while
	// it exists: from that day the code takes no ratings.
	AbolishedOn *string `db:"abolished_on"`
}

// newCode issues a fresh random code for the unit, or for the service point
// when pointID is set. 12 random bytes give a 16-character unguessable token.
func newCode(ctx context.Context, tx pgx.Tx, unitID int64, pointID *int64) (string, error) {
	code := secure.Token(12)
	_, err := tx.Exec(ctx, `INSERT INTO qr_codes (code, unit_id, point_id) VALUES ($1, $2, $3)`, code, unitID, pointID)
	return code, db.Err(err)
}

// ResolveCode returns what code points at, or not_found.
func ResolveCode(ctx context.Context, q db.DBTX, code string) (CodeTarget, error) {
	const sql = `SELECT q.code, q.unit_id, u.name AS unit_name, q.point_id, p.name AS point_name, p.kind AS point_kind,
			q.replaced_at IS NOT NULL AS replaced, to_char(u.abolished_on, 'YYYY-MM-DD') AS abolished_on
		FROM qr_codes q JOIN units u ON u.id = q.unit_id LEFT JOIN service_points p ON p.id = q.point_id
		WHERE q.code = $1`
	rows, _ := q.Query(ctx, sql, code)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CodeTarget])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return CodeTarget{}, apperr.New(apperr.NotFound, "二维码无效")
		}
	}
	return t, err
}

// RotateUnitCode replaces the unit's QR code with a new one and returns it;
// the old code stops taking ratings.
func RotateUnitCode(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64) (string, error) {
	u, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return "", err
	}
	return rotate(ctx, tx, actor, unitID, nil, u.QRCode, "unit", unitID)
}

// RotatePointCode replaces the service point's QR code with a new one.
func RotatePointCode(ctx context.Context, tx pgx.Tx, actor audit.Actor, pointID int64) (string, error) {
	p, err := FindPoint(ctx, tx, pointID)
	if err != nil {
		return "", err
	}
	return rotate(ctx, tx, actor, p.UnitID, &p.ID, p.QRCode, "service_point", pointID)
}

func rotate(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, pointID *int64, old, entity string, id int64) (string, error) {
	if old != "" {
		if _, err := tx.Exec(ctx, `UPDATE qr_codes SET replaced_at = now() WHERE code = $1`, old); err != nil {
			return "", db.Err(err)
		}
	}
	code, err := newCode(ctx, tx, unitID, pointID)
	if err != nil {
		return "", err
	}
	if old != "" {
		if _, err := tx.Exec(ctx, `UPDATE qr_codes SET replaced_by = $2 WHERE code = $1`, old, code); err != nil {
			return "", db.Err(err)
		}
	}
	type state struct {
		QRCode string `json:"qr_code"`
	}
	return code, audit.Record(ctx, tx, actor, "qr.rotate", entity, strconv.FormatInt(id, 10), state{old}, state{code})
}
