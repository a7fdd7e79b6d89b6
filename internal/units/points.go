package units

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Service point kinds.
const (
	KindHall   = "hall"   // 服务大厅
	KindWindow = "window" // 服务窗口
)

// KindLabel returns the Chinese name of a service point kind.
func KindLabel(kind string) string {
	if kind == KindWindow {
		return "窗口"
	}
	return "大厅"
}

// ServicePoint is a hall or window of a unit, with its own QR code.
type ServicePoint struct {
	ID        int64     `json:"id" db:"id"`
	UnitID    int64     `json:"unit_id" db:"unit_id"`
	Name      string    `json:"name" db:"name"`
	Kind      string    `json:"kind" db:"kind"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	QRCode    string    `json:"-" db:"qr_code"`
}

// PointInput is what staff enter to create a service point.
type PointInput struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Validate returns an invalid error naming each bad field.
func (in PointInput) Validate() error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 {
		f.Add("name", "请填写服务点名称")
	} else if n > 100 {
		f.Add("name", "服务点名称不能超过100字")
	}
	if in.Kind != KindHall && in.Kind != KindWindow {
		f.Add("kind", "类型须为大厅（hall）或窗口（window）")
	}
	return f.Err()
}

const pointColumns = `p.id, p.unit_id, p.name, p.kind, p.created_at,
	coalesce((SELECT code FROM qr_codes q WHERE q.point_id = p.id AND q.replaced_at IS NULL), '') AS qr_code`

// CreatePoint stores a service point of the unit with a fresh QR code. It
// returns not_found for an unknown unit and invalid for bad input.
func CreatePoint(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, in PointInput) (ServicePoint, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return ServicePoint{}, err
	}
	if u, err := FindUnit(ctx, tx, unitID); err != nil {
		return ServicePoint{}, err
	} else if err := u.refuseNew("name", "服务点"); err != nil {
		return ServicePoint{}, err
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO service_points (unit_id, name, kind) VALUES ($1, $2, $3) RETURNING id`,
		unitID, in.Name, in.Kind).Scan(&id)
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.Conflict) {
			return ServicePoint{}, apperr.InvalidField("name", "该单位已有名为“"+in.Name+"”的服务点")
		}
		return ServicePoint{}, err
	}
	if _, err := newCode(ctx, tx, unitID, &id); err != nil {
		return ServicePoint{}, err
	}
	p, err := FindPoint(ctx, tx, id)
	if err != nil {
		return ServicePoint{}, err
	}
	return p, audit.Record(ctx, tx, actor, "point.create", "service_point", strconv.FormatInt(id, 10), nil, p)
}

// FindPoint returns the service point, or not_found.
func FindPoint(ctx context.Context, q db.DBTX, id int64) (ServicePoint, error) {
	rows, _ := q.Query(ctx, `SELECT `+pointColumns+` FROM service_points p WHERE p.id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ServicePoint])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return ServicePoint{}, apperr.New(apperr.NotFound, "服务点不存在")
		}
	}
	return p, err
}

// ListPoints returns the unit's service points by name.
func ListPoints(ctx context.Context, q db.DBTX, unitID int64) ([]ServicePoint, error) {
	rows, _ := q.Query(ctx, `SELECT `+pointColumns+` FROM service_points p WHERE p.unit_id = $1 ORDER BY p.kind, p.name`, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ServicePoint])
	return list, db.Err(err)
}
