package schemes

import (
	"context"
	"reflect"
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

// MaxNoteLength is the most characters a scheme change's note may have.
const MaxNoteLength = 500

// Info describes one stored scheme version without its tree.
type Info struct {
	CycleID int64 `json:"cycle_id" db:"cycle_id"`
	// GroupID is the scheme group whose chain the version belongs to, nil
	// for the default scheme (groups.go).
	GroupID   *int64    `json:"group_id" db:"group_id"`
	Version   int       `json:"version" db:"version"`
	Name      string    `json:"name" db:"name"`
	Preset    string    `json:"preset" db:"preset"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	// CreatedBy is the username of who saved the version, nil for the
	// program.
	CreatedBy *string `json:"created_by" db:"created_by"`
	Note      string  `json:"note" db:"note"`
}

// Version is one stored scheme version of a cycle.
type Version struct {
	Info
	Tree Node `json:"tree" db:"tree"`
}

// Change is what the office submits: a preset's key, or a tree; Name
// defaults to the preset's (or the root node's) name.
type Change struct {
	// GroupID names the scheme group whose scheme this is; nil is the
	// cycle's default scheme.
	GroupID *int64 `json:"group_id"`
	Preset  string `json:"preset"`
	Name    string `json:"name"`
	Tree    *Node  `json:"tree"`
	Note    string `json:"note"`
}

// Resolve turns the input into the name, preset and normalized tree to
// store, or returns an invalid error: neither or both of preset and tree
// (field preset), an unknown preset, a name over 100 characters, a note
// over 500, or the tree's problems (fields "tree.<key>").
func (in Change) Resolve() (name, preset string, tree Node, err error) {
	name, preset = strings.TrimSpace(in.Name), strings.TrimSpace(in.Preset)
	f := apperr.Fields{}
	switch {
	case preset == "" && in.Tree == nil:
		return "", "", Node{}, apperr.InvalidField("preset", "请选择预置方案，或提交方案结构（tree）")
	case preset != "" && in.Tree != nil:
		return "", "", Node{}, apperr.InvalidField("preset", "预置方案和方案结构只能提交其中一项")
	case preset != "":
		p, err := FindPreset(preset)
		if err != nil {
			return "", "", Node{}, err
		}
		tree = p.Tree
		if name == "" {
			name = p.Name
		}
	default:
		tree = in.Tree.Normalized()
		if name == "" {
			name = tree.Name
		}
	}
	if n := utf8.RuneCountInString(name); n == 0 {
		f.Add("name", "请填写方案名称")
	} else if n > 100 {
		f.Add("name", "方案名称不能超过100字")
	}
	if utf8.RuneCountInString(strings.TrimSpace(in.Note)) > MaxNoteLength {
		f.Add("note", "说明不能超过500字")
	}
	treeErr := Validate(tree)
	f.Merge(treeErr)
	if err := f.Err(); err != nil {
		if treeErr != nil {
			// The first problem, with its node path, is the message.
			apperr.From(err).Message = apperr.From(treeErr).Message
		}
		return "", "", Node{}, err
	}
	return name, preset, tree, nil
}

const infoColumns = `s.cycle_id, s.group_id, s.version, s.name, s.preset, s.created_at, u.username AS created_by, s.note`

// Set stores the change as the next scheme version of the cycle's chain
// for in.GroupID (the default scheme when nil) and records the
// change, with the version before and after, in the audit log. When the
// name, preset and tree equal the newest version's it stores nothing and
// returns that version with changed false, so a retried request makes one
// version. The cycle row is locked first, so concurrent changes get
// consecutive versions. It returns not_found for an unknown cycle and
// invalid for bad input or an assessor unit_id that is not a unit.
func Set(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in Change) (v Version, changed bool, err error) {
	name, preset, tree, err := in.Resolve()
	if err != nil {
		return Version{}, false, err
	}
	note := strings.TrimSpace(in.Note)
	var id int64
	err = tx.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&id)
	if err != nil {
		return Version{}, false, notFound(db.Err(err), "考核年度不存在")
	}
	groupName := ""
	if in.GroupID != nil {
		g, err := FindGroup(ctx, tx, cycleID, *in.GroupID)
		if err != nil {
			return Version{}, false, err
		}
		groupName = g.Name
	}
	if err := checkAssessorUnits(ctx, tx, tree); err != nil {
		return Version{}, false, err
	}
	if err := checkInstrumentSources(ctx, tx, actor, cycleID, preset, tree); err != nil {
		return Version{}, false, err
	}
	before, err := FindIn(ctx, tx, cycleID, in.GroupID, 0)
	hasBefore := err == nil
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Version{}, false, err
	}
	if hasBefore && before.Name == name && before.Preset == preset && reflect.DeepEqual(before.Tree, tree) {
		return before, false, nil
	}
	n := before.Version + 1
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	_, err = tx.Exec(ctx, `INSERT INTO cycle_schemes (cycle_id, group_id, version, name, preset, tree, created_by, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, cycleID, in.GroupID, n, name, preset, tree, by, note)
	if err != nil {
		return Version{}, false, db.Err(err)
	}
	v, err = FindIn(ctx, tx, cycleID, in.GroupID, n)
	if err != nil {
		return Version{}, false, err
	}
	type state struct {
		Group   string `json:"group,omitempty"`
		Version int    `json:"version"`
		Name    string `json:"name"`
		Preset  string `json:"preset,omitempty"`
		Tree    *Node  `json:"tree"`
		Note    string `json:"note,omitempty"`
	}
	var old any
	if hasBefore {
		old = state{groupName, before.Version, before.Name, before.Preset, &before.Tree, ""}
	}
	return v, true, audit.Record(ctx, tx, actor, "cycle.scheme", "cycle", strconv.FormatInt(cycleID, 10),
		old, state{groupName, n, name, preset, &v.Tree, note})
}

// checkAssessorUnits returns an invalid error naming the first leaf whose
// assessor unit_id is not a unit.
func checkAssessorUnits(ctx context.Context, q db.DBTX, tree Node) error {
	var ids []int64
	for _, l := range Leaves(tree) {
		if l.Assessor != nil && l.Assessor.UnitID != nil {
			ids = append(ids, *l.Assessor.UnitID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, _ := q.Query(ctx, `SELECT id FROM units WHERE id = ANY($1)`, ids)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return db.Err(err)
	}
	for _, l := range Leaves(tree) {
		if l.Assessor != nil && l.Assessor.UnitID != nil && !slices.Contains(found, *l.Assessor.UnitID) {
			return apperr.InvalidField("tree."+l.Key, l.Name+": 考评单位编号 "+
				strconv.FormatInt(*l.Assessor.UnitID, 10)+" 不是已登记的单位")
		}
	}
	return nil
}

// Find returns the cycle's default scheme version n, or its newest when n
// is 0. It returns not_found when the cycle has no such version (or no
// scheme).
func Find(ctx context.Context, q db.DBTX, cycleID int64, n int) (Version, error) {
	return FindIn(ctx, q, cycleID, nil, n)
}

// FindIn is Find for the chain of a scheme group (the default scheme when
// groupID is nil).
func FindIn(ctx context.Context, q db.DBTX, cycleID int64, groupID *int64, n int) (Version, error) {
	rows, _ := q.Query(ctx, `SELECT `+infoColumns+`, s.tree
		FROM cycle_schemes s LEFT JOIN users u ON u.id = s.created_by
		WHERE s.cycle_id = $1 AND ($2 = 0 OR s.version = $2) AND s.group_id IS NOT DISTINCT FROM $3
		ORDER BY s.version DESC LIMIT 1`, cycleID, n, groupID)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Version])
	if err != nil {
		msg := "该考核方案版本不存在"
		if n == 0 {
			msg = "该考核年度尚未设置考核方案"
		}
		return Version{}, notFound(db.Err(err), msg)
	}
	return v, nil
}

// List returns the cycle's default scheme versions newest first (limit
// 1–500, default 100) and how many there are. It returns not_found for an
// unknown cycle.
func List(ctx context.Context, q db.DBTX, cycleID int64, limit, offset int) ([]Info, int, error) {
	return ListIn(ctx, q, cycleID, nil, limit, offset)
}

// ListIn is List for the chain of a scheme group (nil: the default).
func ListIn(ctx context.Context, q db.DBTX, cycleID int64, groupID *int64, limit, offset int) ([]Info, int, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	var total int
	err := q.QueryRow(ctx, `SELECT (SELECT count(*) FROM cycle_schemes
			WHERE cycle_id = c.id AND group_id IS NOT DISTINCT FROM $2)
		FROM assessment_cycles c WHERE c.id = $1`, cycleID, groupID).Scan(&total)
	if err != nil {
		return nil, 0, notFound(db.Err(err), "考核年度不存在")
	}
	rows, _ := q.Query(ctx, `SELECT `+infoColumns+`
		FROM cycle_schemes s LEFT JOIN users u ON u.id = s.created_by
		WHERE s.cycle_id = $1 AND s.group_id IS NOT DISTINCT FROM $4
		ORDER BY s.version DESC LIMIT $2 OFFSET $3`, cycleID, limit, offset, groupID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Info])
	if list == nil {
		list = []Info{}
	}
	return list, total, db.Err(err)
}

// notFound replaces a not_found error's message.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}

// Current returns the newest version of every scheme chain of the cycle:
// the default scheme's first (when it has one), then each group's in the
// order groups were made.
func Current(ctx context.Context, q db.DBTX, cycleID int64) ([]Version, error) {
	rows, _ := q.Query(ctx, `SELECT DISTINCT ON (coalesce(s.group_id, 0)) `+infoColumns+`, s.tree
		FROM cycle_schemes s LEFT JOIN users u ON u.id = s.created_by
		WHERE s.cycle_id = $1
		ORDER BY coalesce(s.group_id, 0), s.version DESC`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Version])
	return list, db.Err(err)
}

// ForUnit returns the newest scheme the unit is scored on in the cycle:
// its category's group's, or the default scheme. It returns not_found when
// that scheme is not set yet.
func ForUnit(ctx context.Context, q db.DBTX, cycleID, unitID int64) (Version, error) {
	var groupID *int64
	var group string
	err := q.QueryRow(ctx, `SELECT g.id, coalesce(g.name, '') FROM units u
		LEFT JOIN scheme_groups g ON g.cycle_id = $1 AND u.category = ANY(g.categories)
		WHERE u.id = $2 ORDER BY g.id LIMIT 1`, cycleID, unitID).Scan(&groupID, &group)
	if err != nil {
		return Version{}, notFound(db.Err(err), "单位不存在")
	}
	v, err := FindIn(ctx, q, cycleID, groupID, 0)
	if err != nil && groupID != nil && apperr.Is(err, apperr.NotFound) {
		return Version{}, apperr.New(apperr.NotFound, "方案分组“"+group+"”尚未设置考核方案")
	}
	return v, err
}
