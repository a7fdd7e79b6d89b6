package schemes

import "strings"

// Rule states how the node is computed, in Chinese: "考评单位评分，0–80分",
// "甲×60% + 乙×40%", "50 × 已参加项目实得分之和 ÷ 已参加项目满分之和".
func Rule(n Node) string {
	names := make([]string, len(n.Children))
	for i, c := range n.Children {
		names[i] = c.Name
	}
	switch n.Kind {
	case KindManual:
		by := "考评单位"
		if n.Assessor != nil && n.Assessor.Name != "" {
			by = n.Assessor.Name
		}
		return by + "评分，0–" + num(n.Max) + "分"
	case KindAuto:
		return SourceLabel(n.Source) + "（0–100）÷ 100 × " + num(n.Max)
	case KindSum:
		return strings.Join(names, " + ")
	case KindWeighted:
		parts := make([]string, len(n.Children))
		for i, c := range n.Children {
			parts[i] = c.Name + "×" + Percent(c.Weight)
		}
		r := strings.Join(parts, " + ")
		if n.Max != 100 {
			r = "(" + r + ") ÷ 100 × " + num(n.Max)
		}
		if len(n.Children) > 0 && anyBelow100(n.Children) {
			r += "（各项先折合为百分制）"
		}
		return r
	case KindProrated:
		return num(n.Max) + " × 已参加项目实得分之和 ÷ 已参加项目满分之和"
	}
	return ""
}

func anyBelow100(kids []Node) bool {
	for _, c := range kids {
		if c.Max != 100 {
			return true
		}
	}
	return false
}
