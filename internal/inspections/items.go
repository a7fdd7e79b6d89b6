package inspections

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/schemes"
)

// Refusals of an inspection's scheme indicators.
const (
	MsgSchemeItem   = "所选指标不属于本考核年度的考核方案"
	MsgFindingItem  = "所选指标不在本次检查涉及的指标中"
	MsgItemInUse    = "已有发现的问题涉及该指标，不能取消"
	MsgTooManyItems = "一次检查最多选择200个指标"
)

// MaxItems bounds the scheme indicators of one inspection.
const MaxItems = 200

// SchemeItem is an indicator of the cycle's scheme(s) (a leaf) that an
// inspection covers, named as it was when picked. Ref identifies the leaf
// in the cycle: "<group id>:<leaf key>", group 0 being the default scheme.
type SchemeItem struct {
	ID      int64  `json:"id" db:"id"`
	Ref     string `json:"ref" db:"ref"`
	GroupID *int64 `json:"group_id" db:"group_id"`
	Key     string `json:"key" db:"leaf_key"`
	Name    string `json:"name" db:"name"`
	// Parent is the path of the leaf's parent item ("" under the root).
	Parent string `json:"parent" db:"parent"`
	// Scheme names the scheme: its group's name, or 通用方案.
	Scheme string `json:"scheme" db:"scheme"`
}

// Label is the item as the pages name it: the parent item and the leaf.
func (s SchemeItem) Label() string {
	if s.Parent == "" {
		return s.Name
	}
	return s.Parent + schemes.PathSep + s.Name
}

// ItemGroup is the leaves of one parent item of one scheme, as the picker
// shows them.
type ItemGroup struct {
	Scheme string
	Parent string
	Items  []SchemeItem
}

// Ref makes an item's reference from its scheme group (nil: the default
// scheme) and leaf key.
func Ref(groupID *int64, key string) string {
	g := int64(0)
	if groupID != nil {
		g = *groupID
	}
	return strconv.FormatInt(g, 10) + ":" + key
}

// ItemOptions lists the leaves of the cycle's current schemes grouped by
// their parent item, in tree order: the default scheme's first, then each
// scheme group's. A scheme is named by its group (通用方案 for the
// default) only when the cycle has more than one.
func ItemOptions(ctx context.Context, q db.DBTX, cycleID int64) ([]ItemGroup, error) {
	current, err := schemes.Current(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	groups, err := schemes.Groups(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	out := []ItemGroup{}
	for _, v := range current {
		name := schemes.DefaultGroupName
		for _, g := range groups {
			if v.GroupID != nil && g.ID == *v.GroupID {
				name = g.Name
			}
		}
		if len(current) == 1 {
			name = ""
		}
		out = append(out, leafGroups(v.Tree, v.GroupID, name)...)
	}
	return out, nil
}

// leafGroups walks the tree in order and gathers each node's leaf
// children under the node's path (the root's children under ""), a group
// coming where its first leaf does.
func leafGroups(root schemes.Node, groupID *int64, scheme string) []ItemGroup {
	var out []ItemGroup
	var walk func(n schemes.Node, path []string)
	walk = func(n schemes.Node, path []string) {
		at := -1
		for _, c := range n.Children {
			if !c.IsLeaf() {
				walk(c, append(slices.Clip(path), c.Name))
				continue
			}
			if at < 0 {
				out = append(out, ItemGroup{Scheme: scheme, Parent: strings.Join(path, schemes.PathSep)})
				at = len(out) - 1
			}
			out[at].Items = append(out[at].Items, SchemeItem{Ref: Ref(groupID, c.Key), GroupID: groupID, Key: c.Key,
				Name: c.Name, Parent: out[at].Parent, Scheme: scheme})
		}
	}
	if root.IsLeaf() {
		return []ItemGroup{{Scheme: scheme, Items: []SchemeItem{{Ref: Ref(groupID, root.Key), GroupID: groupID,
			Key: root.Key, Name: root.Name, Scheme: scheme}}}}
	}
	walk(root, nil)
	return out
}

// resolveItems returns the leaves the refs name, in the order given, or
// invalid (field, MsgSchemeItem) for a ref that is no leaf of the cycle's
// current schemes.
func resolveItems(ctx context.Context, q db.DBTX, cycleID int64, refs []string, field string) ([]SchemeItem, error) {
	out := []SchemeItem{}
	if len(refs) == 0 {
		return out, nil
	}
	if len(refs) > MaxItems {
		return nil, apperr.InvalidField(field, MsgTooManyItems)
	}
	opts, err := ItemOptions(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	byRef := map[string]SchemeItem{}
	for _, g := range opts {
		for _, it := range g.Items {
			byRef[it.Ref] = it
		}
	}
	for _, r := range refs {
		it, ok := byRef[r]
		if !ok {
			return nil, apperr.InvalidField(field, MsgSchemeItem)
		}
		out = append(out, it)
	}
	return out, nil
}

// insertItems stores the items of the inspection after those it has.
func insertItems(ctx context.Context, tx pgx.Tx, inspectionID int64, items []SchemeItem) error {
	for k, it := range items {
		if _, err := tx.Exec(ctx, `INSERT INTO inspection_items (inspection_id, group_id, leaf_key, name, parent, scheme, position)
			VALUES ($1, $2, $3, $4, $5, $6, (SELECT coalesce(max(position), 0) FROM inspection_items WHERE inspection_id = $1) + $7)`,
			inspectionID, it.GroupID, it.Key, it.Name, it.Parent, it.Scheme, k+1); err != nil {
			return db.Err(err)
		}
	}
	return nil
}

const itemSQL = `SELECT id, coalesce(group_id, 0)::text || ':' || leaf_key AS ref, group_id, leaf_key, name, parent, scheme
	FROM inspection_items`

func listItems(ctx context.Context, q db.DBTX, inspectionID int64) ([]SchemeItem, error) {
	return collect[SchemeItem](ctx, q, itemSQL+` WHERE inspection_id = $1 ORDER BY position, id`, inspectionID)
}

// itemID returns the id of the inspection's item with the ref; invalid
// (field, MsgFindingItem) when the inspection does not cover it.
func itemID(ctx context.Context, q db.DBTX, inspectionID int64, ref, field string) (*int64, error) {
	if ref == "" {
		return nil, nil
	}
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM inspection_items WHERE inspection_id = $1
		AND coalesce(group_id, 0)::text || ':' || leaf_key = $2`, inspectionID, ref).Scan(&id)
	if err == pgx.ErrNoRows {
		return nil, apperr.InvalidField(field, MsgFindingItem)
	}
	return &id, db.Err(err)
}

// SetItems makes refs the inspection's scheme indicators, audited: an
// item kept keeps its name and findings, a new one is named as the
// cycle's current schemes name it. It returns not_found, conflict when
// the cycle's result is final, and invalid (scheme_items) for a ref that
// is no leaf of the cycle's schemes (MsgSchemeItem) or dropping an item a
// finding names (MsgItemInUse).
func SetItems(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, refs []string) (Inspection, error) {
	cycleID, err := lockInspection(ctx, tx, inspectionID)
	if err != nil {
		return Inspection{}, err
	}
	refs = uniqRefs(refs)
	before, err := listItems(ctx, tx, inspectionID)
	if err != nil {
		return Inspection{}, err
	}
	var drop []int64
	var had []string
	for _, it := range before {
		had = append(had, it.Ref)
		if !slices.Contains(refs, it.Ref) {
			drop = append(drop, it.ID)
		}
	}
	var added []string
	for _, r := range refs {
		if !slices.Contains(had, r) {
			added = append(added, r)
		}
	}
	if len(drop) == 0 && len(added) == 0 {
		return Find(ctx, tx, inspectionID, Viewer{})
	}
	items, err := resolveItems(ctx, tx, cycleID, added, "scheme_items")
	if err != nil {
		return Inspection{}, err
	}
	if len(refs) > MaxItems {
		return Inspection{}, apperr.InvalidField("scheme_items", MsgTooManyItems)
	}
	var used string
	err = tx.QueryRow(ctx, `SELECT it.name FROM inspection_findings f JOIN inspection_items it ON it.id = f.item_id
		WHERE f.item_id = ANY($1::bigint[]) ORDER BY it.position LIMIT 1`, drop).Scan(&used)
	if err == nil {
		return Inspection{}, apperr.InvalidField("scheme_items", MsgItemInUse+"：“"+used+"”")
	}
	if err != pgx.ErrNoRows {
		return Inspection{}, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM inspection_items WHERE id = ANY($1::bigint[])`, drop); err != nil {
		return Inspection{}, db.Err(err)
	}
	if err := insertItems(ctx, tx, inspectionID, items); err != nil {
		return Inspection{}, err
	}
	after, err := Find(ctx, tx, inspectionID, Viewer{})
	if err != nil {
		return Inspection{}, err
	}
	return after, audit.Record(ctx, tx, actor, "inspection.items", "inspection", after.IDString(),
		map[string]any{"scheme_items": itemLabels(before)}, map[string]any{"scheme_items": itemLabels(after.SchemeItems)})
}

// itemLabels names the items as the audit log shows them.
func itemLabels(items []SchemeItem) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Label())
	}
	return out
}
