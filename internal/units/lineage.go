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

// Link is one step of a unit's lineage: a predecessor (前身单位) the unit
// continues, or a successor that continues it, with the office's note
// (e.g. "2024年机构改革，与乙局合并").
type Link struct {
	UnitID    int64     `json:"unit_id" db:"unit_id"`
	UnitName  string    `json:"unit_name" db:"unit_name"`
	Note      string    `json:"note" db:"note"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// Lineage is a unit's predecessors and successors, by name.
type Lineage struct {
	Predecessors []Link `json:"predecessors"`
	Successors   []Link `json:"successors"`
}

// PredecessorInput is what the office enters to name a predecessor.
type PredecessorInput struct {
	PredecessorID int64  `json:"predecessor_id"`
	Note          string `json:"note"`
}

// Validate returns an invalid error naming each bad field.
func (in *PredecessorInput) Validate(unitID int64) error {
	in.Note = strings.TrimSpace(in.Note)
	f := apperr.Fields{}
	switch {
	case in.PredecessorID <= 0:
		f.Add("predecessor_id", "请选择前身单位")
	case in.PredecessorID == unitID:
		f.Add("predecessor_id", "单位不能是自己的前身单位")
	}
	if utf8.RuneCountInString(in.Note) > 200 {
		f.Add("note", "说明不能超过200字")
	}
	return f.Err()
}

// FindLineage returns the unit's predecessors and successors, each by
// name; not_found for an unknown unit.
func FindLineage(ctx context.Context, q db.DBTX, unitID int64) (Lineage, error) {
	if _, err := FindUnit(ctx, q, unitID); err != nil {
		return Lineage{}, err
	}
	const q1 = `SELECT u.id AS unit_id, u.name AS unit_name, l.note, l.created_at
		FROM unit_predecessors l JOIN units u ON u.id = l.predecessor_id
		WHERE l.unit_id = $1 ORDER BY u.name`
	const q2 = `SELECT u.id AS unit_id, u.name AS unit_name, l.note, l.created_at
		FROM unit_predecessors l JOIN units u ON u.id = l.unit_id
		WHERE l.predecessor_id = $1 ORDER BY u.name`
	var out Lineage
	rows, _ := q.Query(ctx, q1, unitID)
	preds, err := pgx.CollectRows(rows, pgx.RowToStructByName[Link])
	if err != nil {
		return Lineage{}, db.Err(err)
	}
	rows, _ = q.Query(ctx, q2, unitID)
	succs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Link])
	if err != nil {
		return Lineage{}, db.Err(err)
	}
	out.Predecessors, out.Successors = preds, succs
	return out, nil
}

// AddPredecessor records that the unit continues predecessor (a merger
// names several, a split names the same predecessor on each new unit, a
// rename one) and records it in the audit log. It returns not_found for an
// unknown unit, invalid for bad input, a unit that would be its own
// predecessor or a link that would close a cycle in the lineage, and
// conflict for a link already recorded.
func AddPredecessor(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, in PredecessorInput) (Link, error) {
	if err := in.Validate(unitID); err != nil {
		return Link{}, err
	}
	u, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return Link{}, err
	}
	p, err := FindUnit(ctx, tx, in.PredecessorID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return Link{}, apperr.InvalidField("predecessor_id", "前身单位不存在")
		}
		return Link{}, err
	}
	// One writer at a time, so two links added at once cannot close a cycle
	// that neither saw.
	if _, err := tx.Exec(ctx, `LOCK TABLE unit_predecessors IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return Link{}, db.Err(err)
	}
	// The link closes a cycle when the unit is already among the
	// predecessor's ancestors (or is the predecessor's ancestor itself).
	const cycleQ = `WITH RECURSIVE anc(id) AS (
			SELECT predecessor_id FROM unit_predecessors WHERE unit_id = $1
			UNION SELECT l.predecessor_id FROM unit_predecessors l JOIN anc ON l.unit_id = anc.id)
		SELECT EXISTS (SELECT 1 FROM anc WHERE id = $2)`
	var cycle bool
	if err := tx.QueryRow(ctx, cycleQ, p.ID, u.ID).Scan(&cycle); err != nil {
		return Link{}, db.Err(err)
	}
	if cycle {
		return Link{}, apperr.InvalidField("predecessor_id", "“"+p.Name+"”是“"+u.Name+"”的后继单位，不能再作为其前身单位（沿革不能循环）")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var l Link
	err = tx.QueryRow(ctx, `INSERT INTO unit_predecessors (unit_id, predecessor_id, note, created_by)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING created_at`, u.ID, p.ID, in.Note, by).Scan(&l.CreatedAt)
	if err == pgx.ErrNoRows {
		return Link{}, apperr.New(apperr.Conflict, "“"+p.Name+"”已是“"+u.Name+"”的前身单位")
	}
	if err != nil {
		return Link{}, db.Err(err)
	}
	l.UnitID, l.UnitName, l.Note = p.ID, p.Name, in.Note
	return l, audit.Record(ctx, tx, actor, "unit.predecessor_add", "unit", strconv.FormatInt(u.ID, 10), nil,
		map[string]any{"predecessor_id": p.ID, "predecessor_name": p.Name, "note": in.Note})
}

// RemovePredecessor deletes the link from the unit to its predecessor and
// records it in the audit log; not_found when no such link exists.
func RemovePredecessor(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID, predecessorID int64) error {
	var name, note string
	err := tx.QueryRow(ctx, `DELETE FROM unit_predecessors l USING units p
		WHERE l.unit_id = $1 AND l.predecessor_id = $2 AND p.id = l.predecessor_id
		RETURNING p.name, l.note`, unitID, predecessorID).Scan(&name, &note)
	if err == pgx.ErrNoRows {
		return apperr.New(apperr.NotFound, "该单位没有这个前身单位")
	}
	if err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "unit.predecessor_remove", "unit", strconv.FormatInt(unitID, 10),
		map[string]any{"predecessor_id": predecessorID, "predecessor_name": name, "note": note}, nil)
}

// PredecessorMap returns every unit's predecessors, by unit id: the whole
// lineage, a few rows per merged unit, read once for a cycle's streaks.
func PredecessorMap(ctx context.Context, q db.DBTX) (map[int64][]int64, error) {
	rows, _ := q.Query(ctx, `SELECT unit_id, predecessor_id FROM unit_predecessors ORDER BY unit_id, predecessor_id`)
	return collectLinks(rows)
}

// AncestorMap returns the predecessors, by unit id, of the unit and of
// every unit its line reaches: what one unit's streak reads.
func AncestorMap(ctx context.Context, q db.DBTX, unitID int64) (map[int64][]int64, error) {
	rows, _ := q.Query(ctx, `WITH RECURSIVE line(unit_id, predecessor_id) AS (
			SELECT unit_id, predecessor_id FROM unit_predecessors WHERE unit_id = $1
			UNION SELECT l.unit_id, l.predecessor_id FROM unit_predecessors l JOIN line ON l.unit_id = line.predecessor_id)
		SELECT unit_id, predecessor_id FROM line ORDER BY unit_id, predecessor_id`, unitID)
	return collectLinks(rows)
}

func collectLinks(rows pgx.Rows) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	var u, p int64
	_, err := pgx.ForEachRow(rows, []any{&u, &p}, func() error {
		out[u] = append(out[u], p)
		return nil
	})
	return out, db.Err(err)
}
