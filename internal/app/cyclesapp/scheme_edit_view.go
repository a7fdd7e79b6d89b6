package cyclesapp

import (
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/instruments"
	"minyi/internal/schemes"
)

// flatNode is a node of a tree in order, with its parent and path.
type flatNode struct {
	node   schemes.Node
	parent *schemes.Node
	path   string
}

func flatten(root schemes.Node) []flatNode {
	var out []flatNode
	var walk func(n schemes.Node, parent *schemes.Node, path string)
	walk = func(n schemes.Node, parent *schemes.Node, path string) {
		if path != "" {
			path += schemes.PathSep
		}
		path += nameOr(n.Name)
		out = append(out, flatNode{n, parent, path})
		for _, c := range n.Children {
			walk(c, &n, path)
		}
	}
	walk(root, nil, "")
	return out
}

// showSchemeEditor renders the editor over rows: how each item is
// computed, and, once checked, what keeps the draft from saving (beside
// each item and listed above). focus is the row to put the cursor in.
func (s *Handlers) showSchemeEditor(c *gin.Context, status int, d schemeEditPageData, rows []draftRow, focus int, checked bool) {
	units, err := s.unitNames(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	unitName := make(map[int64]string, len(units))
	for _, u := range units {
		unitName[u.ID] = u.Name
	}
	insts, err := instruments.ForCycle(c, s.Pool, d.Cycle.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	ids := unitIDs(units)
	tree, typedOK := draftTree(rows, ids)
	norm := tree.Normalized()
	flat := flatten(norm)
	problems := schemes.Problems(norm)
	// The validator names an unnamed item by its key; staff never see keys.
	var unnamed []string
	for _, r := range rows {
		if strings.TrimSpace(r.Name) == "" && r.Key != "" {
			unnamed = append(unnamed, r.Key, nameOr(""))
		}
	}
	hideKeys := strings.NewReplacer(unnamed...)
	for i, m := range d.Problems {
		d.Problems[i] = hideKeys.Replace(m)
	}
	byKey := map[string][]string{}
	for i, p := range problems {
		problems[i].Message = hideKeys.Replace(p.Message)
		key := strings.TrimPrefix(p.Field, "tree.")
		byKey[key] = append(byKey[key], problems[i].Message)
	}
	for field, m := range d.saveErrs {
		if key, ok := strings.CutPrefix(field, "tree."); ok && len(byKey[key]) == 0 {
			byKey[key] = append(byKey[key], m)
		}
	}
	d.BasePage = s.Base(c, d.Cycle.Name+" · 编辑考核方案", "cycles")
	d.CycleLink, d.Units, d.Kinds, d.Checked = cyclePath(d.Cycle.ID), units, editKinds, checked
	d.Valid = typedOK && len(problems) == 0
	if d.Valid {
		d.Total = fmtNum(norm.Max)
	}
	for i, r := range rows {
		f := flat[i]
		v := schemeEditRow{draftRow: r, Index: i, Root: i == 0, Group: isGroupKind(r.Kind),
			ParentWeighted: f.parent != nil && f.parent.Kind == schemes.KindWeighted,
			CanUp:          i > 0 && prevSibling(rows, i) >= 0, Focus: i == focus}
		if end := subtreeEnd(rows, i); i > 0 && end < len(rows) && rows[end].Depth == r.Depth {
			v.CanDown = true
		}
		if v.Group {
			v.DerivedMax = fmtNum(f.node.Max)
		}
		v.Rule = schemes.Rule(f.node)
		if r.Kind == schemes.KindAuto {
			v.Sources = sourceOptions(insts, f.node.Source)
			// Name the chosen instrument in the rule, as the office knows it.
			for _, in := range insts {
				if in.Source() == f.node.Source {
					v.Rule = strings.Replace(v.Rule, schemes.SourceLabel(in.Source()), "“"+in.Name+"”结果", 1)
				}
			}
		}
		if f.node.Assessor != nil && f.node.Assessor.UnitID != nil {
			v.MappedTo = unitName[*f.node.Assessor.UnitID]
		}
		if checked {
			if r.Error != "" {
				v.Problems = append(v.Problems, r.Error)
			}
			for _, m := range byKey[r.Key] {
				m = strings.TrimPrefix(strings.TrimPrefix(m, f.path+": "), strings.TrimSpace(r.Name)+": ")
				v.Problems = append(v.Problems, m)
			}
			if i == 0 {
				v.Problems = append(v.Problems, byKey["tree"]...)
			}
		}
		d.Rows = append(d.Rows, v)
	}
	if checked && d.Problems == nil {
		for _, r := range rows {
			if r.Error != "" {
				d.Problems = append(d.Problems, nameOr(r.Name)+": "+r.Error)
			}
		}
		for _, p := range problems {
			d.Problems = append(d.Problems, p.Message)
		}
	}
	s.Render(c, status, "console/scheme_edit.html", d)
}

// sourceOptions are the choices of an automatic item's source with the
// current one on: the public evaluation, then the cycle's instruments by
// name. A source naming no instrument of the cycle (a version copied from
// another cycle) stays offered, so saving names the problem rather than
// silently switching the item to the public evaluation.
func sourceOptions(insts []instruments.Instrument, current string) []sourceOption {
	if current == "" {
		current = schemes.SourcePublicEvaluation
	}
	out := []sourceOption{{schemes.SourcePublicEvaluation, "公众评价得分", current == schemes.SourcePublicEvaluation}}
	found := current == schemes.SourcePublicEvaluation
	for _, in := range insts {
		on := in.Source() == current
		found = found || on
		out = append(out, sourceOption{in.Source(), "评价项目：" + in.Name, on})
	}
	if !found {
		out = append(out, sourceOption{current, "（本年度没有此评价项目，请重选）", true})
	}
	return out
}

func nameOr(name string) string {
	if name = strings.TrimSpace(name); name != "" {
		return name
	}
	return "（未命名项目）"
}
