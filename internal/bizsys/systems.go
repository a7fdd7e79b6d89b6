// Package bizsys holds the business systems (业务系统) the office lets
// create window evaluation requests: a window's business system, holding
// the 办件编号, the 事项 and the staff member, asks Minyi to have the
// window's terminal show the rating page (see internal/windowreq). A
// system may act only for its units and authenticates with API tokens
// like the survey agencies': hashed, shown once, revocable.
package bizsys

import (
	"context"
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

// System is a business system and the units it may create requests for.
type System struct {
	ID         int64      `json:"id" db:"id"`
	Name       string     `json:"name" db:"name"`
	UnitIDs    []int64    `json:"unit_ids" db:"unit_ids"`
	DisabledAt *time.Time `json:"disabled_at" db:"disabled_at"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
}

// Disabled reports whether the office disabled the system.
func (s System) Disabled() bool { return s.DisabledAt != nil }

// MayAct reports whether the system may create requests for the unit.
func (s System) MayAct(unitID int64) bool { return slices.Contains(s.UnitIDs, unitID) }

// Input is what the office enters for a system.
type Input struct {
	Name    string  `json:"name"`
	UnitIDs []int64 `json:"unit_ids"`
}

// Validate returns an invalid error naming each bad field.
func (in *Input) Validate() error {
	in.Name = strings.TrimSpace(in.Name)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写业务系统名称")
	} else if n > 100 {
		f.Add("name", "业务系统名称不能超过100字")
	}
	if len(in.UnitIDs) == 0 {
		f.Add("unit_ids", "请至少选择一个单位")
	}
	slices.Sort(in.UnitIDs)
	in.UnitIDs = slices.Compact(in.UnitIDs)
	return f.Err()
}

const systemColumns = `id, name, unit_ids, disabled_at, created_at`

// Create adds a business system. It returns invalid for bad input or a
// unit that does not exist, and conflict for a name already used.
func Create(ctx context.Context, tx pgx.Tx, actor audit.Actor, in Input) (System, error) {
	if err := in.Validate(); err != nil {
		return System{}, err
	}
	if err := knownUnits(ctx, tx, in.UnitIDs); err != nil {
		return System{}, err
	}
	rows, _ := tx.Query(ctx, `INSERT INTO business_systems (name, unit_ids) VALUES ($1, $2) RETURNING `+systemColumns,
		in.Name, in.UnitIDs)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[System])
	if err != nil {
		return System{}, nameTaken(db.Err(err))
	}
	return s, audit.Record(ctx, tx, actor, "business_system.create", "business_system", idText(s.ID), nil, s)
}

// Update renames the system or changes the units it may create requests
// for (a request for a unit taken away is refused from then on; the
// requests and ratings already made stay). It returns invalid for bad
// input, a unit that does not exist or a name another system uses, and
// not_found for an unknown system; the same input twice changes nothing
// the second time.
func Update(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in Input) (System, error) {
	if err := in.Validate(); err != nil {
		return System{}, err
	}
	before, err := lock(ctx, tx, id)
	if err != nil {
		return System{}, err
	}
	if before.Name == in.Name && slices.Equal(before.UnitIDs, in.UnitIDs) {
		return before, nil
	}
	if err := knownUnits(ctx, tx, in.UnitIDs); err != nil {
		return System{}, err
	}
	rows, _ := tx.Query(ctx, `UPDATE business_systems SET name = $2, unit_ids = $3 WHERE id = $1 RETURNING `+systemColumns,
		id, in.Name, in.UnitIDs)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[System])
	if err != nil {
		return System{}, nameTaken(db.Err(err))
	}
	return after, audit.Record(ctx, tx, actor, "business_system.update", "business_system", idText(id), before, after)
}

// Patch is a change to some of a system's fields; nil leaves one as it is.
type Patch struct {
	Name     *string  `json:"name"`
	UnitIDs  *[]int64 `json:"unit_ids"`
	Disabled *bool    `json:"disabled"`
}

// Apply changes the fields p sets (Update for the name and units,
// SetDisabled for disabled), reading the fields it leaves under the
// system's lock, so that a change sent at the same time is not undone. It
// returns not_found for an unknown system.
func Apply(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, p Patch) (System, error) {
	sys, err := lock(ctx, tx, id)
	if err != nil {
		return System{}, err
	}
	if p.Name != nil || p.UnitIDs != nil {
		in := Input{Name: sys.Name, UnitIDs: sys.UnitIDs}
		if p.Name != nil {
			in.Name = *p.Name
		}
		if p.UnitIDs != nil {
			in.UnitIDs = *p.UnitIDs
		}
		if sys, err = Update(ctx, tx, actor, id, in); err != nil {
			return System{}, err
		}
	}
	if p.Disabled != nil {
		return SetDisabled(ctx, tx, actor, id, *p.Disabled)
	}
	return sys, nil
}

// knownUnits returns invalid unless every id is a unit's.
func knownUnits(ctx context.Context, tx pgx.Tx, ids []int64) error {
	var known int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM units WHERE id = ANY($1)`, ids).Scan(&known); err != nil {
		return db.Err(err)
	}
	if known != len(ids) {
		return apperr.InvalidField("unit_ids", "所选单位不存在")
	}
	return nil
}

// nameTaken turns the unique name's conflict into the name field's error.
func nameTaken(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return apperr.InvalidField("name", "已有同名的业务系统")
	}
	return err
}

// Find returns the system with the id, or not_found.
func Find(ctx context.Context, q db.DBTX, id int64) (System, error) {
	rows, _ := q.Query(ctx, `SELECT `+systemColumns+` FROM business_systems WHERE id = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[System])
	return s, notFound(db.Err(err))
}

// List returns every system, enabled ones first, by name.
func List(ctx context.Context, q db.DBTX) ([]System, error) {
	rows, _ := q.Query(ctx, `SELECT `+systemColumns+` FROM business_systems ORDER BY disabled_at IS NOT NULL, name`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[System])
	return list, db.Err(err)
}

// SetDisabled disables the system (none of its tokens is then accepted)
// or enables it again; doing it twice is harmless. It returns not_found
// for an unknown system.
func SetDisabled(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, disabled bool) (System, error) {
	before, err := lock(ctx, tx, id)
	if err != nil || before.Disabled() == disabled {
		return before, err
	}
	rows, _ := tx.Query(ctx, `UPDATE business_systems
		SET disabled_at = CASE WHEN $2 THEN now() END WHERE id = $1 RETURNING `+systemColumns, id, disabled)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[System])
	if err != nil {
		return System{}, db.Err(err)
	}
	action := "business_system.enable"
	if disabled {
		action = "business_system.disable"
	}
	return after, audit.Record(ctx, tx, actor, action, "business_system", idText(id), before, after)
}

func lock(ctx context.Context, tx pgx.Tx, id int64) (System, error) {
	rows, _ := tx.Query(ctx, `SELECT `+systemColumns+` FROM business_systems WHERE id = $1 FOR UPDATE`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[System])
	return s, notFound(db.Err(err))
}

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, "业务系统不存在")
	}
	return err
}

func idText(id int64) string { return strconv.FormatInt(id, 10) }
