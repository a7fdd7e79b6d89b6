package cyclesapp

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"strconv"
	"strings"

	"minyi/internal/schemes"
)

// draftRow is one item of a scheme being edited, as the editor's form
// carries it: the tree flattened in order, each item with its depth. Key is
// hidden: entries and results refer to a leaf by it, so an item keeps its
// key through renames, moves and new versions; a new item gets a random
// one.
type draftRow struct {
	Key   string
	Depth int
	// Name, Kind, Max, Weight (a percentage) and Assessor as typed; Max
	// empty on a group means "derived from its items".
	Name, Kind, Max, Weight, Assessor string
	// Source is an auto leaf's source as loaded (kept through the edit,
	// so a leaf fed by an evaluation instrument stays so); empty means the
	// public evaluation score.
	Source string
	// AssessorUnit is the register unit the assessor was mapped to (0:
	// none) when the row was loaded, under the name AssessorWas; the
	// mapping stays while the name does.
	AssessorUnit int64
	AssessorWas  string
	// Error is a typing problem of the row (not a number).
	Error string
}

// maxDraftRows bounds the rows read from a form (a tree holds at most
// schemes.MaxNodes; a few more let the editor say so).
const maxDraftRows = schemes.MaxNodes + 20

// isGroupKind reports whether kind combines items below it.
func isGroupKind(kind string) bool {
	return kind == schemes.KindSum || kind == schemes.KindWeighted || kind == schemes.KindProrated
}

// newDraftKey is the key of an item added in the editor.
func newDraftKey() string {
	b := make([]byte, 5)
	rand.Read(b)
	return "item_" + hex.EncodeToString(b)
}

// rowsOf flattens a tree for the editor. A group's maximum is left empty
// when it is the derived one, so it follows its items as they change.
func rowsOf(root schemes.Node) []draftRow {
	var rows []draftRow
	var walk func(n schemes.Node, parent *schemes.Node, depth int)
	walk = func(n schemes.Node, parent *schemes.Node, depth int) {
		r := draftRow{Key: n.Key, Depth: depth, Name: n.Name, Kind: n.Kind, Max: fmtNum(n.Max), Source: n.Source}
		switch n.Kind {
		case schemes.KindSum:
			r.Max = ""
		case schemes.KindWeighted:
			if n.Max == 100 {
				r.Max = ""
			}
		case schemes.KindProrated:
			if n.Max == schemes.ChildMaxSum(n.Children) {
				r.Max = ""
			}
		}
		if parent != nil && parent.Kind == schemes.KindWeighted {
			r.Weight = strings.TrimSuffix(schemes.Percent(n.Weight), "%")
		}
		if n.Assessor != nil {
			r.Assessor, r.AssessorWas = n.Assessor.Name, n.Assessor.Name
			if n.Assessor.UnitID != nil {
				r.AssessorUnit = *n.Assessor.UnitID
			}
		}
		rows = append(rows, r)
		for _, c := range n.Children {
			walk(c, &n, depth+1)
		}
	}
	walk(root.Normalized(), nil, 0)
	return rows
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// weightOf turns a typed percentage ("30", "30%", "12.5") into a weight.
func weightOf(typed string) (float64, bool) {
	typed = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(typed), "%"), "％"))
	r, ok := new(big.Rat).SetString(typed)
	if !ok {
		return 0, false
	}
	f, _ := r.Quo(r, big.NewRat(100, 1)).Float64()
	return f, true
}

// draftTree builds the tree from the rows. An assessor keeps the unit it
// was mapped to while its name is unchanged; otherwise one named exactly as
// a registered unit (units: name to id) is mapped to it. Weights are kept
// only under a weighted item. Typing errors are set on the rows and
// reported by ok.
func draftTree(rows []draftRow, units map[string]int64) (root schemes.Node, ok bool) {
	ok = true
	if len(rows) == 0 {
		return schemes.Node{}, false
	}
	nodes := make([]schemes.Node, len(rows))
	for i := range rows {
		r := &rows[i]
		n := schemes.Node{Key: r.Key, Name: strings.TrimSpace(r.Name), Kind: r.Kind}
		if m := strings.TrimSpace(r.Max); m != "" {
			f, err := strconv.ParseFloat(m, 64)
			if err != nil {
				r.Error, ok = "满分须为数字", false
			}
			n.Max = f
		}
		if w := strings.TrimSpace(r.Weight); w != "" {
			f, good := weightOf(w)
			if !good {
				r.Error, ok = "权重须为百分数，如 30", false
			}
			n.Weight = f
		}
		if !isGroupKind(n.Kind) {
			if name := strings.TrimSpace(r.Assessor); name != "" {
				a := &schemes.Assessor{Name: name}
				if id := r.AssessorUnit; id != 0 && name == r.AssessorWas {
					a.UnitID = &id
				} else if id, found := units[name]; found {
					a.UnitID = &id
				}
				n.Assessor = a
			}
		}
		if n.Kind == schemes.KindAuto {
			n.Source = schemes.SourcePublicEvaluation
			if _, ok := schemes.InstrumentKey(r.Source); ok {
				n.Source = r.Source
			}
		}
		nodes[i] = n
	}
	// Attach each row to the nearest row above it one level up, from the
	// bottom so that children are complete before their parent takes them.
	children := make([][]int, len(rows))
	var stack []int
	for i := range rows {
		d := rows[i].Depth
		if i == 0 {
			d = 0
		} else {
			d = max(1, min(d, rows[stack[len(stack)-1]].Depth+1))
		}
		rows[i].Depth = d
		for len(stack) > 0 && rows[stack[len(stack)-1]].Depth >= d {
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 {
			p := stack[len(stack)-1]
			children[p] = append(children[p], i)
		}
		stack = append(stack, i)
	}
	var build func(i int) schemes.Node
	build = func(i int) schemes.Node {
		n := nodes[i]
		for _, c := range children[i] {
			kid := build(c)
			if n.Kind != schemes.KindWeighted {
				kid.Weight = 0
			}
			n.Children = append(n.Children, kid)
		}
		return n
	}
	return build(0), ok
}

// subtreeEnd is the index after the last row of row i's subtree.
func subtreeEnd(rows []draftRow, i int) int {
	j := i + 1
	for j < len(rows) && rows[j].Depth > rows[i].Depth {
		j++
	}
	return j
}

// prevSibling is the start of the sibling subtree just before row i, or -1.
func prevSibling(rows []draftRow, i int) int {
	for j := i - 1; j >= 0; j-- {
		switch {
		case rows[j].Depth == rows[i].Depth:
			return j
		case rows[j].Depth < rows[i].Depth:
			return -1
		}
	}
	return -1
}

// applyDraftOp changes the rows as op asks ("child:i", "after:i", "up:i",
// "down:i", "delete:i") and returns them with the row to focus, or -1.
// Anything else (or a row out of range) changes nothing.
func applyDraftOp(rows []draftRow, op string) ([]draftRow, int) {
	verb, arg, _ := strings.Cut(op, ":")
	i, err := strconv.Atoi(arg)
	if err != nil || i < 0 || i >= len(rows) {
		return rows, -1
	}
	insert := func(at int, r draftRow) []draftRow {
		out := append([]draftRow{}, rows[:at]...)
		out = append(out, r)
		return append(out, rows[at:]...)
	}
	switch verb {
	case "child":
		if !isGroupKind(rows[i].Kind) || len(rows) >= maxDraftRows {
			return rows, -1
		}
		at := subtreeEnd(rows, i)
		return insert(at, draftRow{Key: newDraftKey(), Depth: rows[i].Depth + 1, Kind: schemes.KindManual}), at
	case "after":
		if i == 0 || len(rows) >= maxDraftRows {
			return rows, -1
		}
		at := subtreeEnd(rows, i)
		return insert(at, draftRow{Key: newDraftKey(), Depth: rows[i].Depth, Kind: schemes.KindManual}), at
	case "delete":
		if i == 0 {
			return rows, -1
		}
		out := append([]draftRow{}, rows[:i]...)
		return append(out, rows[subtreeEnd(rows, i):]...), -1
	case "up":
		p := prevSibling(rows, i)
		if p < 0 {
			return rows, -1
		}
		return swapBlocks(rows, p, i, subtreeEnd(rows, i)), p
	case "down":
		end := subtreeEnd(rows, i)
		if end >= len(rows) || rows[end].Depth != rows[i].Depth {
			return rows, -1
		}
		next := subtreeEnd(rows, end)
		return swapBlocks(rows, i, end, next), i + (next - end)
	}
	return rows, -1
}

// swapBlocks swaps rows[a:b] and rows[b:c].
func swapBlocks(rows []draftRow, a, b, c int) []draftRow {
	out := append([]draftRow{}, rows[:a]...)
	out = append(out, rows[b:c]...)
	out = append(out, rows[a:b]...)
	return append(out, rows[c:]...)
}
