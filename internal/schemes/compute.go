package schemes

import (
	"strings"

	"minyi/internal/apperr"
)

// NodeResult is one node of a computed scheme, in tree order.
type NodeResult struct {
	Key      string    `json:"key"`
	Name     string    `json:"name"`
	Kind     string    `json:"kind"`
	Path     string    `json:"path"`
	Depth    int       `json:"depth"`
	Max      float64   `json:"max"`
	Weight   float64   `json:"weight,omitempty"`
	Assessor *Assessor `json:"assessor,omitempty"`
	Source   string    `json:"source,omitempty"`
	// Value is the node's points rounded to 2 decimals, Exact the full
	// precision; both nil when an input it depends on is missing or the
	// node is not applicable.
	Value         *float64 `json:"value"`
	Exact         *float64 `json:"exact"`
	NotApplicable bool     `json:"not_applicable,omitempty"`
	// Rule is how the node is computed, in Chinese, without numbers.
	Rule string `json:"rule"`
	// Formula explains the value in Chinese with its numbers (shown rounded
	// to 2 decimals).
	Formula string `json:"formula"`

	exact *ratT
}

// Result is a computed scheme.
type Result struct {
	// Composite is the root's points rounded to 2 decimals (half up); nil
	// while a leaf is missing.
	Composite *float64 `json:"composite"`
	// CompositeExact is the root's full-precision value.
	CompositeExact *float64 `json:"composite_exact"`
	Max            float64  `json:"max"`
	Complete       bool     `json:"complete"`
	// Missing are the leaves without an entry, in tree order.
	Missing []MissingLeaf `json:"missing"`
	Nodes   []NodeResult  `json:"nodes"`
}

// MissingLeaf is a leaf that has no entry yet.
type MissingLeaf struct {
	Key  string `json:"key"`
	Path string `json:"path"`
}

// Compute evaluates the tree (normalized and valid) for one unit's inputs,
// keyed by leaf key (or, for NA, by the key of a pro-rated node's child).
// A leaf without an input is reported in Missing and everything depending
// on it stays nil: nothing is silently taken as zero. It returns an invalid
// error, naming the node path, for an input of an unknown key, outside
// 0..max (0..100 for an auto leaf), or NA where the item cannot be left
// out, and for a pro-rated node whose children are all NA.
func Compute(root Node, inputs map[string]Input) (Result, error) {
	if err := Validate(root); err != nil {
		return Result{}, err
	}
	return compute(root, nil, inputs, true)
}

// Prepared is a tree validated once, with every node's rule worked out,
// for computing many units' inputs (the whole assessment computes the same
// tree for every unit). Its results are those of Compute. It is read-only
// and safe for concurrent use; the tree must not be changed after Prepare.
type Prepared struct {
	root Node
	// rules and paths are the nodes' Rule and path, in tree order.
	rules, paths []string
}

// Prepare validates the tree (normalized) once for Prepared.Compute; it
// returns Validate's error for an invalid tree.
func Prepare(root Node) (*Prepared, error) {
	if err := Validate(root); err != nil {
		return nil, err
	}
	p := &Prepared{root: root}
	var walk func(n Node, parentPath string)
	walk = func(n Node, parentPath string) {
		path := childPath(parentPath, n.Name)
		p.rules = append(p.rules, Rule(n))
		p.paths = append(p.paths, path)
		for _, ch := range n.Children {
			walk(ch, path)
		}
	}
	walk(root, "")
	return p, nil
}

// Compute evaluates the prepared tree for one unit's inputs, as Compute
// does.
func (p *Prepared) Compute(inputs map[string]Input) (Result, error) {
	return compute(p.root, p, inputs, true)
}

// Values is Compute without the nodes' formulas (Formula is empty, the
// values, rules and missing leaves are the same): for pages that show
// every unit's composite and not how it was reached. Writing the formulas
// of 1,000 units was half of the allocation of a province's results.
func (p *Prepared) Values(inputs map[string]Input) (Result, error) {
	return compute(p.root, p, inputs, false)
}

func childPath(parentPath, name string) string {
	if parentPath == "" {
		return name
	}
	return parentPath + PathSep + name
}

// compute evaluates a valid tree; p, when set, holds the nodes' rules and
// paths in tree order (else each is worked out); explain writes each
// node's Formula.
func compute(root Node, p *Prepared, inputs map[string]Input, explain bool) (Result, error) {
	c := computer{inputs: inputs, used: make(map[string]bool, len(inputs)), f: apperr.Fields{}, explain: explain}
	if p != nil {
		c.rules, c.paths = p.rules, p.paths
		c.out = make([]NodeResult, 0, len(p.rules))
	}
	c.node(root, nil, "", 0, false)
	for k := range inputs {
		if !c.used[k] {
			c.f.Add("inputs."+k, "方案中没有代码为“"+k+"”的评分项目")
		}
	}
	if err := c.f.Err(); err != nil {
		return Result{}, err
	}
	res := Result{Max: root.Max, Nodes: c.out, Missing: c.missing, Complete: len(c.missing) == 0}
	if res.Missing == nil {
		res.Missing = []MissingLeaf{}
	}
	if top := c.out[0]; top.exact != nil {
		res.Composite, res.CompositeExact = top.Value, top.Exact
	}
	return res, nil
}

type computer struct {
	inputs  map[string]Input
	used    map[string]bool
	f       apperr.Fields
	out     []NodeResult
	missing []MissingLeaf
	rules   []string
	paths   []string
	explain bool
}

func floatPtr(r *ratT) *float64 {
	f, _ := r.Float64()
	return &f
}

// node computes n and appends it (then its subtree) to c.out; it returns
// the node's exact value, nil when unknown, and whether it is NA. skipped
// is true under an NA ancestor: the subtree is listed but not computed.
func (c *computer) node(n Node, parent *Node, parentPath string, depth int, skipped bool) (*ratT, bool) {
	idx := len(c.out)
	var rule, path string
	if c.rules != nil {
		rule, path = c.rules[idx], c.paths[idx]
	} else {
		rule, path = Rule(n), childPath(parentPath, n.Name)
	}
	c.out = append(c.out, NodeResult{Key: n.Key, Name: n.Name, Kind: n.Kind, Path: path, Depth: depth, Max: n.Max,
		Weight: n.Weight, Assessor: n.Assessor, Source: n.Source, Rule: rule})
	in, given := c.inputs[n.Key]
	if given {
		c.used[n.Key] = true
	}
	na := given && in.NA && !skipped
	if na && (parent == nil || parent.Kind != KindProrated) {
		c.f.Add("inputs."+n.Key, path+": 只有“按参加项目折算”项目的下级项目才能标记为不参加")
		na = false
	}
	if given && !in.NA && !n.IsLeaf() {
		c.f.Add("inputs."+n.Key, path+": 只能为评分项目录入得分，该项目的得分由下级项目计算")
	}
	if skipped || na {
		c.out[idx].NotApplicable = true
		c.out[idx].Formula = "不参加，不计入"
		for _, ch := range n.Children {
			c.node(ch, &n, path, depth+1, true)
		}
		return nil, true
	}
	var v *ratT
	var formula string
	switch n.Kind {
	case KindManual, KindAuto:
		v, formula = c.leaf(n, path, in, given)
	default:
		vals := make([]*ratT, len(n.Children))
		nas := make([]bool, len(n.Children))
		known := true
		for i, ch := range n.Children {
			vals[i], nas[i] = c.node(ch, &n, path, depth+1, false)
			if vals[i] == nil && !nas[i] {
				known = false
			}
		}
		switch n.Kind {
		case KindSum:
			v, formula = sumOf(n, vals, known, c.explain)
		case KindWeighted:
			v, formula = weightedOf(n, vals, known, c.explain)
		case KindProrated:
			v, formula = c.proratedOf(n, path, vals, nas, known)
		}
	}
	c.out[idx].Formula = formula
	if v != nil {
		c.out[idx].exact = v
		c.out[idx].Exact = floatPtr(v)
		rounded := round2(v)
		c.out[idx].Value = &rounded
	}
	return v, false
}

func (c *computer) leaf(n Node, path string, in Input, given bool) (*ratT, string) {
	by := ""
	if n.Assessor != nil && n.Assessor.Name != "" {
		by = "（" + n.Assessor.Name + "）"
	}
	if !given {
		c.missing = append(c.missing, MissingLeaf{Key: n.Key, Path: path})
		if n.Kind == KindAuto {
			return nil, "待取数：" + SourceLabel(n.Source) + "尚未录入"
		}
		return nil, "待评分：考评单位" + by + "尚未录入"
	}
	top := n.Max
	if n.Kind == KindAuto {
		top = 100
	}
	// Shortest decimals keep the floats' order, so comparing the floats
	// compares the exact values.
	if !finite(in.Value) || in.Value < 0 || in.Value > top {
		c.f.Add("inputs."+n.Key, path+": 得分须在0到"+num(top)+"之间")
		return nil, ""
	}
	v := rat(in.Value)
	if n.Kind == KindAuto {
		pts := new(ratT).Mul(v, rat(n.Max))
		pts.Quo(pts, hundred)
		if !c.explain {
			return pts, ""
		}
		return pts, SourceLabel(n.Source) + " " + fmt2(v) + " ÷ 100 × 满分 " + num(n.Max) + " = " + fmt2(pts)
	}
	if !c.explain {
		return v, ""
	}
	return v, "考评单位" + by + "评分 " + fmt2(v) + "（满分 " + num(n.Max) + "）"
}

func sumOf(n Node, vals []*ratT, known, explain bool) (*ratT, string) {
	if !known {
		return nil, "待下级项目得分齐全后计算（各项得分之和）"
	}
	s := zero()
	if !explain {
		for _, v := range vals {
			s.Add(s, v)
		}
		return s, ""
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		s.Add(s, v)
		parts[i] = fmt2(v)
	}
	return s, strings.Join(parts, " + ") + " = " + fmt2(s)
}

func weightedOf(n Node, vals []*ratT, known, explain bool) (*ratT, string) {
	if !known {
		return nil, "待下级项目得分齐全后计算（各项折合百分制后加权）"
	}
	s := zero()
	parts := make([]string, len(vals))
	for i, v := range vals {
		ch := n.Children[i]
		// The child's points on 0–100.
		onHundred := new(ratT).Mul(v, hundred)
		onHundred.Quo(onHundred, rat(ch.Max))
		var term string
		if explain {
			term = fmt2(onHundred)
		}
		s.Add(s, onHundred.Mul(onHundred, rat(ch.Weight)))
		if !explain {
			continue
		}
		if ch.Max != 100 {
			term = "(" + fmt2(v) + "÷" + num(ch.Max) + "×100)"
		}
		parts[i] = term + "×" + Percent(ch.Weight)
	}
	if n.Max != 100 {
		s.Mul(s, rat(n.Max))
		s.Quo(s, hundred)
	}
	if !explain {
		return s, ""
	}
	formula := strings.Join(parts, " + ")
	if n.Max != 100 {
		formula = "(" + formula + ") ÷ 100 × 满分 " + num(n.Max)
	}
	return s, formula + " = " + fmt2(s)
}

func (c *computer) proratedOf(n Node, path string, vals []*ratT, nas []bool, known bool) (*ratT, string) {
	var skipped []string
	taken := 0
	for i, isNA := range nas {
		if isNA {
			skipped = append(skipped, n.Children[i].Name)
		} else {
			taken++
		}
	}
	note := ""
	if len(skipped) > 0 {
		note = "；未参加：" + strings.Join(skipped, "、")
	}
	if taken == 0 {
		c.f.Add("inputs."+n.Key, path+": 至少须参加一个下级项目才能折算")
		return nil, ""
	}
	if !known {
		return nil, "待下级项目得分齐全后计算（满分 × 已参加项目实得分 ÷ 已参加项目满分）" + note
	}
	got, full := zero(), zero()
	var gotParts, fullParts []string
	for i, v := range vals {
		if nas[i] {
			continue
		}
		got.Add(got, v)
		full.Add(full, rat(n.Children[i].Max))
		if c.explain {
			gotParts = append(gotParts, fmt2(v))
			fullParts = append(fullParts, num(n.Children[i].Max))
		}
	}
	s := new(ratT).Mul(rat(n.Max), got)
	s.Quo(s, full)
	if !c.explain {
		return s, ""
	}
	return s, num(n.Max) + " × (" + strings.Join(gotParts, " + ") + ") ÷ (" + strings.Join(fullParts, " + ") + ") = " + fmt2(s) + note
}
