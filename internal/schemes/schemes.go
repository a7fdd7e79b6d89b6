// Package schemes holds assessment schemes (考核方案): the tree of weighted
// components that turns the entries of a unit into its composite score,
// the presets cited by the sources, and each cycle's append-only scheme
// versions.
//
// The pure part (Node, Validate, Compute, the presets) touches no database.
package schemes

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// Node kinds.
const (
	// KindManual is a leaf scored 0..Max points by an assessor unit.
	KindManual = "manual"
	// KindAuto is a leaf fed automatically from Source.
	KindAuto = "auto"
	// KindSum is the sum of its children's points; its Max is the sum of
	// their Max.
	KindSum = "sum"
	// KindWeighted combines its children, each scaled to 0–100, by their
	// Weight (summing to 1); its value is on 0–100 scaled to its Max.
	KindWeighted = "weighted"
	// KindProrated is Max × (points of the children taken ÷ full points of
	// the children taken); a child the unit does not take part in is not
	// applicable and left out.
	KindProrated = "prorated"
)

// SourcePublicEvaluation feeds an auto leaf with the unit's public
// evaluation score (0–100, internal/scores), scaled to the leaf's points.
const SourcePublicEvaluation = "public_evaluation"

// SourceInstrumentPrefix starts the source of an auto leaf fed by an
// evaluation instrument of the cycle (internal/instruments):
// "instrument:<key>", the instrument's result (0–100) scaled to the
// leaf's points. Which instruments exist is checked when a version is
// stored (instrument_sources.go); the pure validation checks the form.
const SourceInstrumentPrefix = "instrument:"

// SourceInstrument is the source naming the instrument with the key.
func SourceInstrument(key string) string { return SourceInstrumentPrefix + key }

// InstrumentKey returns the instrument key an auto leaf's source names.
func InstrumentKey(source string) (string, bool) {
	key, ok := strings.CutPrefix(source, SourceInstrumentPrefix)
	return key, ok && key != ""
}

// Limits of a tree.
const (
	MaxNodes      = 300
	MaxDepth      = 8
	MaxNameLength = 50
	MaxKeyLength  = 40
	// MaxPoints is the most points one node may be worth.
	MaxPoints = 1000
)

// PathSep joins node names in messages and pages.
const PathSep = " › "

var keyPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// Assessor is the unit that scores a leaf (考评单位): a name as the scheme
// states it, and optionally the id of that unit in the unit register.
type Assessor struct {
	Name   string `json:"name"`
	UnitID *int64 `json:"unit_id,omitempty"`
}

// Node is one component of a scheme. The root is the whole scheme.
type Node struct {
	// Key identifies the node in the tree and in inputs: ^[a-z0-9_]+$,
	// unique in the tree.
	Key  string `json:"key"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Max is the node's full points. Leaves need it. A sum's Max is the sum
	// of its children's (filled in when 0); a weighted node's defaults to
	// 100; a pro-rated node's defaults to the sum of its children's.
	Max float64 `json:"max"`
	// Weight is the node's share (0–1) in its parent, which must be
	// weighted; the weights of a weighted node's children sum to 1.
	Weight float64 `json:"weight,omitempty"`
	// Assessor scores a manual leaf (required there); optional on an auto
	// leaf, where it only names who runs the source.
	Assessor *Assessor `json:"assessor,omitempty"`
	// Source feeds an auto leaf: SourcePublicEvaluation or
	// SourceInstrument(key).
	Source   string `json:"source,omitempty"`
	Children []Node `json:"children,omitempty"`
}

// IsLeaf reports whether the node is scored directly.
func (n Node) IsLeaf() bool { return n.Kind == KindManual || n.Kind == KindAuto }

// KindLabel is a kind in Chinese.
func KindLabel(kind string) string {
	switch kind {
	case KindManual:
		return "考评打分"
	case KindAuto:
		return "自动取数"
	case KindSum:
		return "求和"
	case KindWeighted:
		return "加权"
	case KindProrated:
		return "按参加项目折算"
	}
	return kind
}

// SourceLabel is an auto leaf's source in Chinese.
func SourceLabel(source string) string {
	if source == SourcePublicEvaluation {
		return "公众评价得分"
	}
	if _, ok := InstrumentKey(source); ok {
		return "评价项目结果"
	}
	return source
}

// Normalized returns a copy with names trimmed and the derived maxima
// filled in: a sum's Max (when 0) is the sum of its children's, a weighted
// node's defaults to 100 and a pro-rated node's to the sum of its
// children's.
func (n Node) Normalized() Node {
	n.Key = strings.TrimSpace(n.Key)
	n.Name = strings.TrimSpace(n.Name)
	n.Kind = strings.TrimSpace(n.Kind)
	n.Source = strings.TrimSpace(n.Source)
	if n.Assessor != nil {
		a := *n.Assessor
		a.Name = strings.TrimSpace(a.Name)
		n.Assessor = &a
	}
	if len(n.Children) > 0 {
		kids := make([]Node, len(n.Children))
		for i, c := range n.Children {
			kids[i] = c.Normalized()
		}
		n.Children = kids
	}
	if n.Max == 0 {
		switch n.Kind {
		case KindSum, KindProrated:
			n.Max = ChildMaxSum(n.Children)
		case KindWeighted:
			n.Max = 100
		}
	}
	return n
}

// ChildMaxSum adds the children's maxima exactly (in decimal), so 0.1 +
// 0.2 gives 0.3.
func ChildMaxSum(kids []Node) float64 {
	s := zero()
	for _, c := range kids {
		s.Add(s, rat(c.Max))
	}
	f, _ := s.Float64()
	return f
}

// Problem is one thing wrong with a tree: Field names the node for APIs
// ("tree.<key>"), Message says what is wrong, prefixed with the node's
// path of names ("绩效评价 › 部门评价: …").
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problems lists what is wrong with the tree, in tree order; none means it
// is valid. The tree should be normalized first.
func Problems(root Node) []Problem {
	v := validator{keys: map[string]bool{}}
	v.node(root, nil, "", 1)
	if v.count > MaxNodes {
		v.add("tree", "", "方案最多包含"+strconv.Itoa(MaxNodes)+"个项目")
	}
	return v.out
}

// Validate returns an invalid error carrying every problem of the tree
// (field "tree.<key>", or "tree"), or nil.
func Validate(root Node) error {
	ps := Problems(root)
	if len(ps) == 0 {
		return nil
	}
	f := apperr.Fields{}
	for _, p := range ps {
		f.Add(p.Field, p.Message)
	}
	e := apperr.From(f.Err())
	e.Message = "考核方案有误：" + ps[0].Message
	if len(ps) > 1 {
		e.Message += "（共" + strconv.Itoa(len(ps)) + "处问题）"
	}
	return e
}

type validator struct {
	keys  map[string]bool
	count int
	out   []Problem
}

func (v *validator) add(field, path, msg string) {
	if path != "" {
		msg = path + ": " + msg
	}
	v.out = append(v.out, Problem{Field: field, Message: msg})
}

// label is how a node is named in a path: its name, else its key.
func label(n Node) string {
	if n.Name != "" {
		return n.Name
	}
	if n.Key != "" {
		return n.Key
	}
	return "（未命名项目）"
}

func (v *validator) node(n Node, parent *Node, parentPath string, depth int) {
	v.count++
	path := label(n)
	if parentPath != "" {
		path = parentPath + PathSep + label(n)
	}
	field := "tree"
	if n.Key != "" {
		field = "tree." + n.Key
	}
	switch {
	case n.Key == "":
		v.add(field, path, "请填写项目代码")
	case utf8.RuneCountInString(n.Key) > MaxKeyLength || !keyPattern.MatchString(n.Key):
		v.add(field, path, "项目代码“"+n.Key+"”只能由小写字母、数字和下划线组成，不超过40个字符")
	case v.keys[n.Key]:
		v.add(field, path, "项目代码“"+n.Key+"”重复，每个项目的代码须唯一")
	}
	v.keys[n.Key] = true
	if n.Name == "" {
		v.add(field, path, "请填写项目名称")
	} else if utf8.RuneCountInString(n.Name) > MaxNameLength {
		v.add(field, path, "项目名称不能超过50字")
	}
	if depth > MaxDepth {
		v.add(field, path, "方案最多"+strconv.Itoa(MaxDepth)+"层")
		return
	}
	if !finite(n.Max) || n.Max < 0 || n.Max > MaxPoints {
		v.add(field, path, "满分须在0到1000之间")
	}
	weightedParent := parent != nil && parent.Kind == KindWeighted
	if weightedParent {
		if !finite(n.Weight) || n.Weight <= 0 || n.Weight > 1 {
			v.add(field, path, "权重须大于0%且不超过100%")
		}
	} else if n.Weight != 0 {
		v.add(field, path, "只有“加权”项目的下级项目才能设置权重")
	}
	if n.Kind != KindManual && n.Kind != KindAuto && n.Assessor != nil && n.Assessor.Name != "" {
		v.add(field, path, "只有评分项目才能指定考评单位")
	}
	switch n.Kind {
	case KindManual, KindAuto:
		if len(n.Children) > 0 {
			v.add(field, path, KindLabel(n.Kind)+"项目不能有下级项目")
		}
		if n.Max <= 0 {
			v.add(field, path, "请填写满分（大于0）")
		}
		if n.Kind == KindManual {
			if n.Assessor == nil || n.Assessor.Name == "" {
				v.add(field, path, "请填写考评单位")
			}
			if n.Source != "" {
				v.add(field, path, "只有自动取数项目才能设置数据来源")
			}
		} else if key, ok := InstrumentKey(n.Source); ok {
			if utf8.RuneCountInString(key) > MaxKeyLength || !keyPattern.MatchString(key) {
				v.add(field, path, "自动取数项目的评价项目代码“"+key+"”无效")
			}
		} else if n.Source != SourcePublicEvaluation {
			v.add(field, path, "自动取数项目的数据来源须为公众评价得分（public_evaluation）或本年度的评价项目（instrument:代码）")
		}
		if n.Assessor != nil && utf8.RuneCountInString(n.Assessor.Name) > 100 {
			v.add(field, path, "考评单位名称不能超过100字")
		}
		if n.Assessor != nil && n.Assessor.UnitID != nil && *n.Assessor.UnitID <= 0 {
			v.add(field, path, "考评单位编号无效")
		}
		return
	case KindSum, KindWeighted, KindProrated:
	default:
		v.add(field, path, "项目类型“"+n.Kind+"”无效，须为 manual、auto、sum、weighted 或 prorated")
		return
	}
	if n.Source != "" {
		v.add(field, path, "只有自动取数项目才能设置数据来源")
	}
	if len(n.Children) == 0 {
		v.add(field, path, KindLabel(n.Kind)+"项目至少须有一个下级项目")
		return
	}
	if n.Max <= 0 {
		v.add(field, path, "满分须大于0")
	}
	switch n.Kind {
	case KindSum:
		if want := ChildMaxSum(n.Children); rat(want).Cmp(rat(n.Max)) != 0 {
			v.add(field, path, "满分"+num(n.Max)+"与下级项目满分之和"+num(want)+"不一致")
		}
	case KindWeighted:
		sum := zero()
		ok := true
		for _, c := range n.Children {
			if !finite(c.Weight) {
				ok = false
				break
			}
			sum.Add(sum, rat(c.Weight))
		}
		if ok && sum.Cmp(one()) != 0 {
			f, _ := sum.Float64()
			v.add(field, path, "权重之和须为100%（现为"+Percent(f)+"）")
		}
	}
	for i := range n.Children {
		v.node(n.Children[i], &n, path, depth+1)
	}
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// num formats a configured number as briefly as possible: 15, 0.5.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Percent formats a weight (0–1) as a percentage: 0.6 → "60%".
func Percent(w float64) string {
	f, _ := new(ratT).Mul(rat(w), rat(100)).Float64()
	return strconv.FormatFloat(f, 'f', -1, 64) + "%"
}

// Leaves returns the tree's leaves in order.
func Leaves(root Node) []Node {
	var out []Node
	var walk func(n Node)
	walk = func(n Node) {
		if n.IsLeaf() {
			out = append(out, n)
			return
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return out
}
