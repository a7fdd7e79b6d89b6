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
	// Filled counts the manual leaves of the newest scheme with an entry
	// (points or not applicable); Missing those without.
	Filled        int `json:"filled"`
	Missing       int `json:"missing"`
	PendingClaims int `json:"pending_claims"`
	UnitInputs
}

// Overview returns every unit of the register with its inputs in the
// cycle, in the register's order (category, name).
func Overview(ctx context.Context, q db.DBTX, cycleID int64) ([]UnitOverview, int, error) {
	if err := cycleExists(ctx, q, cycleID); err != nil {
		return nil, 0, err
	}
	leaves := 0
	if v, err := schemes.Find(ctx, q, cycleID, 0); err == nil {
		leaves = len(ManualLeaves(v.Tree))
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, 0, err
	}
	in, err := Inputs(ctx, q, cycleID)
	if err != nil {
		return nil, 0, err
	}
	rows, _ := q.Query(ctx, `SELECT unit_id, count(*) FROM assessment_bonus_claims
		WHERE cycle_id = $1 AND status = 'submitted' GROUP BY unit_id`, cycleID)
	pending := map[int64]int{}
	var id int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { pending[id] = n; return nil }); err != nil {
		return nil, 0, db.Err(err)
	}
	list, err := units.ListUnits(ctx, q, nil)
	if err != nil {
		return nil, 0, err
	}
	out := make([]UnitOverview, 0, len(list))
	for _, u := range list {
		ui, ok := in[u.ID]
		if !ok {
			ui = UnitInputs{Entries: map[string]schemes.Input{}, FailReasons: []string{}, AdjustmentReasons: []string{}}
		}
		o := UnitOverview{UnitID: u.ID, UnitName: u.Name, Category: u.Category, Filled: len(ui.Entries),
			PendingClaims: pending[u.ID], UnitInputs: ui}
		o.Missing = max(leaves-o.Filled, 0)
		out = append(out, o)
	}
	return out, leaves, nil
}

// SetLeafAssessor maps a manual leaf's assessor to a unit of the register
// (nil clears it) by saving a new scheme version; the scheme store records
// it in the audit log. changed is false when the leaf already had that
// unit.
func SetLeafAssessor(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, leafKey string, unitID *int64) (schemes.Version, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return schemes.Version{}, false, err
	}
	v, err := schemes.Find(ctx, tx, cycleID, 0)
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
	return schemes.Set(ctx, tx, actor, cycleID, schemes.Change{Name: v.Name, Tree: &tree,
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
