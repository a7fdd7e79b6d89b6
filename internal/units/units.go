// Package units holds the assessed government units (责任单位), their service
// points (halls and windows), the QR codes citizens scan and the service-hall
// rating terminals.
package units

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Unit is an assessed government unit.
type Unit struct {
	ID        int64   `json:"id" db:"id"`
	Name      string  `json:"name" db:"name"`
	ShortCode *string `json:"short_code" db:"short_code"`
	Category  string  `json:"category" db:"category"`
	// CreditCode is the unified social credit code (统一社会信用代码) and
	// AreaCode the division code (区划代码), nil when unset (codes.go).
	CreditCode *string   `json:"credit_code" db:"credit_code"`
	AreaCode   *string   `json:"area_code" db:"area_code"`
	CreatedAt  time.Time `json:"created_at" db:"created_at"`
	UpdatedAt  time.Time `json:"updated_at" db:"updated_at"`
	QRCode     string    `json:"-" db:"qr_code"`
	// AbolishedOn is the day the unit was abolished (撤销, YYYY-MM-DD), nil
	// while it exists, with the office's note (abolish.go).
	AbolishedOn   *string `json:"abolished_on" db:"abolished_on"`
	AbolitionNote string  `json:"abolition_note" db:"abolition_note"`
}

// UnitInput is what staff enter to create or edit a unit.
type UnitInput struct {
	Name      string `json:"name"`
	ShortCode string `json:"short_code"`
	Category  string `json:"category"`
	// CreditCode and AreaCode are optional; "" leaves them unset.
	CreditCode string `json:"credit_code"`
	AreaCode   string `json:"area_code"`
}

var shortCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,20}$`)

// Normalize trims the input.
func (in *UnitInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.ShortCode = strings.TrimSpace(in.ShortCode)
	in.Category = strings.TrimSpace(in.Category)
	in.CreditCode = NormalizeCreditCode(in.CreditCode)
	in.AreaCode = strings.TrimSpace(in.AreaCode)
}

// Validate returns an invalid error naming each bad field; categories is the
// configured list of unit categories.
func (in UnitInput) Validate(categories []string) error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写单位名称")
	} else if n > 100 {
		f.Add("name", "单位名称不能超过100字")
	}
	if in.ShortCode != "" && !shortCodeRE.MatchString(in.ShortCode) {
		f.Add("short_code", "简码须为1–20位字母、数字、_ 或 -")
	}
	if in.CreditCode != "" {
		if p := CreditCodeProblem(in.CreditCode); p != "" {
			f.Add("credit_code", p)
		}
	}
	if in.AreaCode != "" {
		if p := AreaCodeProblem(in.AreaCode); p != "" {
			f.Add("area_code", p)
		}
	}
	if in.Category == "" {
		f.Add("category", "请选择单位类别")
	} else if !slices.Contains(categories, in.Category) {
		f.Add("category", "单位类别须为："+strings.Join(categories, "、"))
	}
	return f.Err()
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

const unitColumns = `u.id, u.name, u.short_code, u.category, u.credit_code, u.area_code, u.created_at, u.updated_at,
	to_char(u.abolished_on, 'YYYY-MM-DD') AS abolished_on, u.abolition_note,
	coalesce((SELECT code FROM qr_codes q WHERE q.unit_id = u.id AND q.point_id IS NULL AND q.replaced_at IS NULL), '') AS qr_code`

// CreateUnit stores a unit with a fresh QR code. It returns invalid for bad
// input or a name or short code already in use.
func CreateUnit(ctx context.Context, tx pgx.Tx, actor audit.Actor, in UnitInput, categories []string) (Unit, error) {
	in.Normalize()
	if err := in.Validate(categories); err != nil {
		return Unit{}, err
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO units (name, short_code, category, credit_code, area_code)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		in.Name, nullIfEmpty(in.ShortCode), in.Category, nullIfEmpty(in.CreditCode), nullIfEmpty(in.AreaCode)).Scan(&id)
	if err != nil {
		return Unit{}, uniqueUnitErr(db.Err(err), in)
	}
	if _, err := newCode(ctx, tx, id, nil); err != nil {
		return Unit{}, err
	}
	u, err := FindUnit(ctx, tx, id)
	if err != nil {
		return Unit{}, err
	}
	return u, audit.Record(ctx, tx, actor, "unit.create", "unit", strconv.FormatInt(id, 10), nil, u)
}

// UpdateUnit changes a unit's name, short code and category. It returns
// not_found for an unknown unit and invalid for bad input.
func UpdateUnit(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in UnitInput, categories []string) (Unit, error) {
	in.Normalize()
	if err := in.Validate(categories); err != nil {
		return Unit{}, err
	}
	before, err := FindUnit(ctx, tx, id)
	if err != nil {
		return Unit{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE units SET name = $2, short_code = $3, category = $4,
		credit_code = $5, area_code = $6, updated_at = now() WHERE id = $1`,
		id, in.Name, nullIfEmpty(in.ShortCode), in.Category, nullIfEmpty(in.CreditCode), nullIfEmpty(in.AreaCode))
	if err != nil {
		return Unit{}, uniqueUnitErr(db.Err(err), in)
	}
	after, err := FindUnit(ctx, tx, id)
	if err != nil {
		return Unit{}, err
	}
	return after, audit.Record(ctx, tx, actor, "unit.update", "unit", strconv.FormatInt(id, 10), before, after)
}

func uniqueUnitErr(err error, in UnitInput) error {
	if !apperr.Is(err, apperr.Conflict) {
		return err
	}
	if strings.Contains(err.Error(), "credit_code") {
		return apperr.InvalidField("credit_code", "统一社会信用代码“"+in.CreditCode+"”已被其他单位使用")
	}
	if strings.Contains(err.Error(), "short_code") {
		return apperr.InvalidField("short_code", "简码“"+in.ShortCode+"”已被其他单位使用")
	}
	return apperr.InvalidField("name", "单位“"+in.Name+"”已存在")
}

// FindUnit returns the unit, or not_found.
func FindUnit(ctx context.Context, q db.DBTX, id int64) (Unit, error) {
	rows, _ := q.Query(ctx, `SELECT `+unitColumns+` FROM units u WHERE u.id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Unit])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Unit{}, apperr.New(apperr.NotFound, "单位不存在")
		}
	}
	return u, err
}

// ListUnits returns units, those not abolished first, then by category
// and name; when onlyID is not nil, just that unit.
func ListUnits(ctx context.Context, q db.DBTX, onlyID *int64) ([]Unit, error) {
	rows, _ := q.Query(ctx, `SELECT `+unitColumns+` FROM units u WHERE $1::bigint IS NULL OR u.id = $1
		ORDER BY u.abolished_on IS NOT NULL, u.category, u.name`, onlyID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
	return list, db.Err(err)
}

// PageUnits returns a page (from 1, size units a page) of the units
// ListUnits lists that were not abolished on or before since (YYYY-MM-DD,
// the start of the periods shown: a unit abolished by then has nothing in
// them), by category and name, a page past the last giving the last, with
// how many units there are in all and the page returned. The overview
// shows a page of a province's thousand units and reads only those.
func PageUnits(ctx context.Context, q db.DBTX, onlyID *int64, since string, size, page int) ([]Unit, int, int, error) {
	size, page = max(size, 1), max(page, 1)
	where := `($1::bigint IS NULL OR u.id = $1) AND ` + NotAbolishedBySQL("u", "$4::date")
	rows, _ := q.Query(ctx, `SELECT `+unitColumns+`, p.total FROM (
			SELECT u.id, count(*) OVER () AS total FROM units u WHERE `+where+`
			ORDER BY u.category, u.name
			LIMIT $2 OFFSET least($3, (SELECT greatest(count(*) - 1, 0) FROM units u WHERE `+where+`) / $2 * $2)
		) AS p JOIN units u ON u.id = p.id ORDER BY u.category, u.name`, onlyID, size, (page-1)*size, since)
	type row struct {
		Unit
		Total int `db:"total"`
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil || len(list) == 0 {
		return nil, 0, 1, db.Err(err)
	}
	out := make([]Unit, len(list))
	for i, r := range list {
		out[i] = r.Unit
	}
	total := list[0].Total
	return out, total, min(page, (total+size-1)/size), nil
}

// CountUnits returns how many units exist.
func CountUnits(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM units`).Scan(&n)
	return n, db.Err(err)
}

// CategoryUnitIDs returns the ids of the units of the category, abolished
// ones included (their ratings count in the months they were rated).
func CategoryUnitIDs(ctx context.Context, q db.DBTX, category string) ([]int64, error) {
	rows, _ := q.Query(ctx, `SELECT id FROM units WHERE category = $1 ORDER BY id`, category)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, db.Err(err)
}
