package assessment

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/units"
)

// UnitOverview is one unit's line on the office's assessment overview.
type UnitOverview struct {
	UnitID   int64  `json:"unit_id"`
	UnitName string `json:"unit_name"`
	Category string `json:"category"`
	// Scheme names the unit's scheme chain (通用方案 or its group's name);
	// Leaves counts its manual leaves.
	Scheme string `json:"scheme"`
	Leaves int    `json:"leaves"`
	// Filled counts the manual leaves of the unit's newest scheme with an
	// entry (points or not applicable); Missing those without.
	Filled        int `json:"filled"`
	Missing       int `json:"missing"`
	PendingClaims int `json:"pending_claims"`
	UnitInputs
}

// Overview returns the cycle's units (those of its categories) with their
// inputs, in the register's order (category, name), and the cycle's
// scope. Each unit's leaves are those of its own scheme.
func Overview(ctx context.Context, q db.DBTX, cycleID int64) ([]UnitOverview, Scope, error) {
	scope, err := LoadScope(ctx, q, cycleID)
	if err != nil {
		return nil, Scope{}, err
	}
	in, err := Inputs(ctx, q, cycleID)
	if err != nil {
		return nil, Scope{}, err
	}
	rows, _ := q.Query(ctx, `SELECT unit_id, count(*) FROM assessment_bonus_claims
		WHERE cycle_id = $1 AND status = 'submitted' GROUP BY unit_id`, cycleID)
	pending := map[int64]int{}
	var id int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { pending[id] = n; return nil }); err != nil {
		return nil, Scope{}, db.Err(err)
	}
	chainOf := map[int64]*Chain{}
	keys := map[int64]map[string]bool{}
	for i := range scope.Chains {
		ch := &scope.Chains[i]
		keys[ch.GroupID] = map[string]bool{}
		for _, l := range ch.Leaves(Scorer{Office: true}) {
			keys[ch.GroupID][l.Key] = true
		}
		for _, u := range ch.Units {
			chainOf[u.ID] = ch
		}
	}
	out := make([]UnitOverview, 0, len(scope.Units))
	for _, u := range scope.Units {
		ui, ok := in[u.ID]
		if !ok {
			ui = UnitInputs{Entries: map[string]schemes.Input{}, FailReasons: []string{}, AdjustmentReasons: []string{}}
		}
		o := UnitOverview{UnitID: u.ID, UnitName: u.Name, Category: u.Category, PendingClaims: pending[u.ID], UnitInputs: ui}
		if ch := chainOf[u.ID]; ch != nil {
			o.Scheme, o.Leaves = ch.Name, len(keys[ch.GroupID])
			// Entries on another scheme's leaves do not count.
			for k := range ui.Entries {
				if keys[ch.GroupID][k] {
					o.Filled++
				} else {
					delete(o.Entries, k)
				}
			}
		}
		o.Missing = max(o.Leaves-o.Filled, 0)
		out = append(out, o)
	}
	return out, scope, nil
}

// SetLeafAssessor maps a manual leaf's assessor to a unit of the register
// (nil clears it) by saving a new version of the scheme of groupID (nil:
// the default scheme); the scheme store records it in the audit log.
// changed is false when the leaf already had that unit.
func SetLeafAssessor(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, groupID *int64, leafKey string, unitID *int64) (schemes.Version, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return schemes.Version{}, false, err
	}
	if groupID != nil {
		if _, err := schemes.FindGroup(ctx, tx, cycleID, *groupID); err != nil {
			return schemes.Version{}, false, err
		}
	}
	v, err := schemes.FindIn(ctx, tx, cycleID, groupID, 0)
	if err != nil {
		return schemes.Version{}, false, err
	}
	tree := cloneNode(v.Tree)
	var leaf *schemes.Node
	var walk func(n *schemes.Node)
	walk = func(n *schemes.Node) {
		if n.Key == leafKey && n.Kind == schemes.KindManual {
			leaf = n
		}
		for i := range n.Children {
			walk(&n.Children[i])
		}
	}
	walk(&tree)
	if leaf == nil {
		return schemes.Version{}, false, apperr.New(apperr.NotFound, "考核方案中没有该考评打分项目")
	}
	a := schemes.Assessor{}
	if leaf.Assessor != nil {
		a = *leaf.Assessor
	}
	label := "（无）"
	if unitID != nil {
		u, err := units.FindUnit(ctx, tx, *unitID)
		if err != nil {
			return schemes.Version{}, false, apperr.InvalidField("unit_id", "请选择已登记的单位")
		}
		label = u.Name
		if strings.TrimSpace(a.Name) == "" {
			a.Name = u.Name
		}
	}
	a.UnitID = unitID
	leaf.Assessor = &a
	return schemes.Set(ctx, tx, actor, cycleID, schemes.Change{GroupID: groupID, Name: v.Name, Tree: &tree,
		Note: "考评单位对应：" + leaf.Name + " → " + label})
}

func cloneNode(n schemes.Node) schemes.Node {
	if n.Assessor != nil {
		a := *n.Assessor
		if a.UnitID != nil {
			id := *a.UnitID
			a.UnitID = &id
		}
		n.Assessor = &a
	}
	n.Children = slices.Clone(n.Children)
	for i := range n.Children {
		n.Children[i] = cloneNode(n.Children[i])
	}
	return n
}
