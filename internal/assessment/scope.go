package assessment

import (
	"context"
	"slices"
	"strings"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/schemes"
	"minyi/internal/units"
)

// Scope is what a cycle's assessment covers: its units, the scheme chains
// that score them (the default scheme and one per scheme group) and the
// newest version of each.
type Scope struct {
	CycleID int64
	// Units are the cycle's units (those of its categories, every unit
	// while the cycle has none set, less those abolished by the end of its
	// period: units.InCycleSQL), by category and name.
	Units []units.Unit
	// Chains are the cycle's scheme chains in the order the scheme page
	// shows them: the default scheme first when some category is in no
	// group (always in a cycle without groups), then each group.
	Chains []Chain
}

// Chain is one scheme chain of a cycle and the units it scores.
type Chain struct {
	// GroupID is the scheme group, 0 for the default scheme.
	GroupID    int64
	Name       string
	Categories []string
	// Scheme is the chain's newest version, nil while it has none.
	Scheme *schemes.Version
	// Units are the cycle's units scored on the chain.
	Units []units.Unit
}

// CategoriesText is the chain's categories as a tab shows them.
func (c Chain) CategoriesText() string {
	if c.GroupID == 0 && len(c.Categories) == 0 {
		return "全部类别"
	}
	return strings.Join(c.Categories, "、")
}

// GroupParam is the chain's ?group= value (nil for the default scheme).
func (c Chain) GroupParam() *int64 {
	if c.GroupID == 0 {
		return nil
	}
	id := c.GroupID
	return &id
}

// LoadScope reads the cycle's units and scheme chains. It returns
// not_found for an unknown cycle.
func LoadScope(ctx context.Context, q db.DBTX, cycleID int64) (Scope, error) {
	var cats []string
	if err := q.QueryRow(ctx, `SELECT categories FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&cats); err != nil {
		return Scope{}, notFound(db.Err(err), "考核年度不存在")
	}
	groups, err := schemes.Groups(ctx, q, cycleID)
	if err != nil {
		return Scope{}, err
	}
	current, err := schemes.Current(ctx, q, cycleID)
	if err != nil {
		return Scope{}, err
	}
	list, err := units.CycleUnits(ctx, q, cycleID)
	if err != nil {
		return Scope{}, err
	}
	s := Scope{CycleID: cycleID, Units: list}
	// The default scheme scores the categories in no group.
	def := Chain{Name: schemes.DefaultGroupName}
	for _, c := range cats {
		if schemes.GroupOf(groups, c) == nil {
			def.Categories = append(def.Categories, c)
		}
	}
	if len(groups) == 0 || len(def.Categories) > 0 {
		s.Chains = append(s.Chains, def)
	}
	for _, g := range groups {
		s.Chains = append(s.Chains, Chain{GroupID: g.ID, Name: g.Name, Categories: g.Categories})
	}
	for i := range s.Chains {
		ch := &s.Chains[i]
		for j := range current {
			if id := current[j].GroupID; (id == nil && ch.GroupID == 0) || (id != nil && *id == ch.GroupID) {
				ch.Scheme = &current[j]
			}
		}
	}
	for _, u := range list {
		if ch := s.chainOfCategory(groups, u.Category); ch != nil {
			ch.Units = append(ch.Units, u)
		}
	}
	return s, nil
}

// chainOfCategory is the chain scoring the category's units: its group's,
// or the default scheme's (nil when the cycle has no default chain).
func (s *Scope) chainOfCategory(groups []schemes.Group, category string) *Chain {
	var id int64
	if g := schemes.GroupOf(groups, category); g != nil {
		id = g.ID
	}
	for i := range s.Chains {
		if s.Chains[i].GroupID == id {
			return &s.Chains[i]
		}
	}
	return nil
}

// Chain returns the chain of the group (0: the default scheme), or
// not_found when the cycle has no such chain.
func (s Scope) Chain(groupID int64) (*Chain, error) {
	for i := range s.Chains {
		if s.Chains[i].GroupID == groupID {
			return &s.Chains[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "本考核年度没有该方案分组")
}

// UnitChain returns the chain of one of the cycle's units, nil when the
// unit is not in the cycle.
func (s Scope) UnitChain(unitID int64) *Chain {
	for i := range s.Chains {
		for _, u := range s.Chains[i].Units {
			if u.ID == unitID {
				return &s.Chains[i]
			}
		}
	}
	return nil
}

// Leaves are the manual leaves of the chain's scheme that the scorer may
// score (none while the chain has no scheme).
func (c Chain) Leaves(sc Scorer) []Leaf {
	out := []Leaf{}
	if c.Scheme == nil {
		return out
	}
	for _, l := range ManualLeaves(c.Scheme.Tree) {
		if sc.Owns(l) {
			out = append(out, l)
		}
	}
	return out
}

// HasScheme reports whether any chain of the cycle has a scheme.
func (s Scope) HasScheme() bool {
	return slices.ContainsFunc(s.Chains, func(c Chain) bool { return c.Scheme != nil })
}

// ScorerChains are the chains whose scheme has leaves the scorer may
// score (every chain with a scheme for the office).
func (s Scope) ScorerChains(sc Scorer) []*Chain {
	var out []*Chain
	for i := range s.Chains {
		if s.Chains[i].Scheme != nil && (sc.Office || len(s.Chains[i].Leaves(sc)) > 0) {
			out = append(out, &s.Chains[i])
		}
	}
	return out
}

// NoScheme is the not_found error of a chain without a scheme.
func (c Chain) NoScheme() error {
	if c.GroupID == 0 {
		return apperr.New(apperr.NotFound, "该考核年度尚未设置考核方案")
	}
	return apperr.New(apperr.NotFound, "方案分组“"+c.Name+"”尚未设置考核方案")
}

// ScorerEntries returns the cycle's entries the scorer may see: those of
// the cycle's units on leaves of each unit's own scheme that the scorer
// scores (every leaf for the office), of one unit when unitID is not nil.
// It returns not_found while the cycle has no scheme.
func ScorerEntries(ctx context.Context, q db.DBTX, sc Scorer, s Scope, unitID *int64) ([]Entry, error) {
	if !s.HasScheme() {
		if len(s.Chains) == 1 {
			return nil, s.Chains[0].NoScheme()
		}
		return nil, apperr.New(apperr.NotFound, "该考核年度尚未设置考核方案")
	}
	owned := map[int64]map[string]bool{} // unit → leaf keys
	var keys []string
	for _, ch := range s.Chains {
		set := map[string]bool{}
		for _, l := range ch.Leaves(sc) {
			set[l.Key] = true
			if !slices.Contains(keys, l.Key) {
				keys = append(keys, l.Key)
			}
		}
		for _, u := range ch.Units {
			owned[u.ID] = set
		}
	}
	if keys == nil {
		return []Entry{}, nil
	}
	list, err := ListEntries(ctx, q, s.CycleID, keys, unitID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(list, func(e Entry) bool { return !owned[e.UnitID][e.LeafKey] }), nil
}
