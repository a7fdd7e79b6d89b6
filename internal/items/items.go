// Package items holds the catalogues the national 好差评 record names a
// rating by: each unit's service items (事项: 事项编码 and name) and the
// stages a case is rated at (办理环节, 一事多评). Items are imported from
// the files units keep (items_import.go); ratings name an item by its code
// and are checked against the catalogue in one query per batch (check.go).
package items

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
	"minyi/internal/ratings"
	"minyi/internal/safetext"
)

// Item is one service item (事项) of a unit.
type Item struct {
	ID        int64      `json:"id" db:"id"`
	UnitID    int64      `json:"unit_id" db:"unit_id"`
	UnitName  string     `json:"unit_name" db:"unit_name"`
	Code      string     `json:"code" db:"code"`
	Name      string     `json:"name" db:"name"`
	Online    bool       `json:"online" db:"online"`
	RetiredAt *time.Time `json:"retired_at" db:"retired_at"`
	UpdatedAt time.Time  `json:"updated_at" db:"updated_at"`
}

// ServiceLabel is the item's kind in words: 网上办理 or 线下办理.
func (it Item) ServiceLabel() string {
	if it.Online {
		return "网上办理"
	}
	return "线下办理"
}

// MaxName bounds an item's name.
const MaxName = 200

// Input is an item as a form, a file row or the API gives it.
type Input struct {
	UnitID int64  `json:"unit_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Online bool   `json:"online"`
}

// Validate trims the input and returns an invalid error naming each bad
// field.
func (in *Input) Validate() error {
	f := apperr.Fields{}
	for field, s := range map[string]string{"code": in.Code, "name": in.Name} {
		if !safetext.Valid(s) {
			f.Add(field, safetext.Message)
		}
	}
	in.Code, in.Name = strings.TrimSpace(in.Code), strings.TrimSpace(in.Name)
	if in.UnitID <= 0 {
		f.Add("unit_id", "请选择单位")
	}
	switch {
	case in.Code == "":
		f.Add("code", "请填写事项编码")
	case !ratings.ValidItemCode(in.Code):
		f.Add("code", "事项编码须为 1–64 位字母、数字或 . _ -")
	}
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		f.Add("name", "请填写事项名称")
	case n > MaxName:
		f.Add("name", "事项名称不能超过200字")
	}
	return f.Err()
}

// Filter narrows a list of items: a unit (always set for a unit's user),
// words of the code or name, and whether retired items are listed.
type Filter struct {
	UnitID  *int64
	Words   string
	Retired bool
}

const itemCols = `i.id, i.unit_id, u.name AS unit_name, i.code, i.name, i.online, i.retired_at, i.updated_at`

// ListItems returns a page of the items the filter selects, by unit and
// code, and the number of items it selects.
func ListItems(ctx context.Context, q db.DBTX, f Filter, limit, offset int) ([]Item, int, error) {
	where, args := []string{"true"}, []any{}
	if f.UnitID != nil {
		args = append(args, *f.UnitID)
		where = append(where, "i.unit_id = $"+strconv.Itoa(len(args)))
	}
	if w := strings.TrimSpace(f.Words); w != "" {
		args = append(args, "%"+likeEscape(w)+"%")
		n := strconv.Itoa(len(args))
		where = append(where, "(i.code ILIKE $"+n+" OR i.name ILIKE $"+n+")")
	}
	if !f.Retired {
		where = append(where, "i.retired_at IS NULL")
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM service_items i WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	args = append(args, limit, offset)
	rows, _ := q.Query(ctx, `SELECT `+itemCols+` FROM service_items i JOIN units u ON u.id = i.unit_id
		WHERE `+cond+` ORDER BY u.name, i.code LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Item])
	return list, total, db.Err(err)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// FindItem returns one item; not_found when there is none.
func FindItem(ctx context.Context, q db.DBTX, id int64) (Item, error) {
	rows, _ := q.Query(ctx, `SELECT `+itemCols+` FROM service_items i JOIN units u ON u.id = i.unit_id WHERE i.id = $1`, id)
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Item])
	if err == pgx.ErrNoRows {
		return it, apperr.New(apperr.NotFound, "事项不存在")
	}
	return it, db.Err(err)
}

// CreateItem adds an item to a unit's catalogue. It returns invalid for a
// bad input or an unknown unit and conflict when the unit already has the
// code.
func CreateItem(ctx context.Context, tx pgx.Tx, actor audit.Actor, in Input) (Item, error) {
	if err := in.Validate(); err != nil {
		return Item{}, err
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO service_items (unit_id, code, name, online)
		SELECT id, $2, $3, $4 FROM units WHERE id = $1 RETURNING id`, in.UnitID, in.Code, in.Name, in.Online).Scan(&id)
	switch {
	case err == pgx.ErrNoRows:
		return Item{}, apperr.InvalidField("unit_id", "单位不存在")
	case err != nil:
		return Item{}, uniqueErr(err)
	}
	it, err := FindItem(ctx, tx, id)
	if err != nil {
		return it, err
	}
	return it, audit.Record(ctx, tx, actor, "item.create", "service_item", strconv.FormatInt(id, 10), nil, it)
}

// UpdateItem changes an item's name and kind (its unit and code stay: the
// ratings name it by them). It returns not_found for an unknown item.
func UpdateItem(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, name string, online bool) (Item, error) {
	before, err := FindItem(ctx, tx, id)
	if err != nil {
		return before, err
	}
	in := Input{UnitID: before.UnitID, Code: before.Code, Name: name, Online: online}
	if err := in.Validate(); err != nil {
		return before, err
	}
	if _, err := tx.Exec(ctx, `UPDATE service_items SET name = $2, online = $3, updated_at = now() WHERE id = $1`,
		id, in.Name, in.Online); err != nil {
		return before, db.Err(err)
	}
	after, err := FindItem(ctx, tx, id)
	if err != nil {
		return after, err
	}
	return after, audit.Record(ctx, tx, actor, "item.update", "service_item", strconv.FormatInt(id, 10), before, after)
}

// SetItemRetired retires an item (ratings naming it are refused from then
// on, except a terminal's offline replays of ratings made before) or puts
// it back. It returns not_found for an unknown item.
func SetItemRetired(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, retired bool) (Item, error) {
	before, err := FindItem(ctx, tx, id)
	if err != nil || (before.RetiredAt != nil) == retired {
		return before, err
	}
	if _, err := tx.Exec(ctx, `UPDATE service_items SET retired_at = CASE WHEN $2 THEN now() END, updated_at = now()
		WHERE id = $1`, id, retired); err != nil {
		return before, db.Err(err)
	}
	after, err := FindItem(ctx, tx, id)
	if err != nil {
		return after, err
	}
	action := "item.restore"
	if retired {
		action = "item.retire"
	}
	return after, audit.Record(ctx, tx, actor, action, "service_item", strconv.FormatInt(id, 10), before, after)
}

func uniqueErr(err error) error {
	if apperr.Is(db.Err(err), apperr.Conflict) {
		return apperr.InvalidField("code", "该单位已有此事项编码")
	}
	return db.Err(err)
}
