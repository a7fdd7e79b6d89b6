package ratings

import "strings"

// EvaVersion is the version of the evaluation content (评价内容版本) the
// reason codes below belong to, stored with every new rating (eva_version).
// A new national version gets a new constant and list; codes of older
// versions stay readable through reasonCodeLabel.
const EvaVersion = "2020"

// ReasonCode is one second-level indicator of the national evaluation
// content (GB/T 39735-2020): the offline first-level indicator 整体满意度
// has 服务效率, 服务水平 and 服务态度; online services have 办事效率,
// 办事指南精确度, 办事便捷度 and 平台操作性.
type ReasonCode struct {
	Code   string
	Label  string
	Online bool
	// keywords are the words of a free reason that map to this code.
	keywords []string
}

// reasonCodes is the content of version EvaVersion.
var reasonCodes = []ReasonCode{
	{"101", "服务效率", false, []string{"效率", "等候", "排队", "跑动", "拖延"}},
	{"102", "服务水平", false, []string{"水平", "指南", "收费", "环境", "设施", "业务"}},
	{"103", "服务态度", false, []string{"态度"}},
	{"201", "办事效率", true, []string{"效率", "等候", "拖延"}},
	{"202", "办事指南精确度", true, []string{"指南"}},
	{"203", "办事便捷度", true, []string{"便捷", "跑动", "材料"}},
	{"204", "平台操作性", true, []string{"平台", "操作", "系统", "页面"}},
}

// ReasonCodes lists the content of version EvaVersion, offline codes
// first.
func ReasonCodes() []ReasonCode { return reasonCodes }

// ReasonCodeLabel returns a code's Chinese name, or the code itself when
// it is not known.
func ReasonCodeLabel(code string) string {
	if l, ok := reasonCodeLabel(code); ok {
		return l
	}
	return code
}

func reasonCodeLabel(code string) (string, bool) {
	for _, r := range reasonCodes {
		if r.Code == code {
			return r.Label, true
		}
	}
	return "", false
}

// ReasonCodesFor maps free reasons (the configured RATING_REASONS, e.g.
// 服务态度差) to the codes of the offline or online content whose name or
// keywords they contain, in the content's order; a reason that matches
// none (e.g. 其他) adds nothing, and its text is kept as it is.
func ReasonCodesFor(reasons []string, online bool) []string {
	var out []string
	for _, rc := range reasonCodes {
		if rc.Online != online {
			continue
		}
		for _, r := range reasons {
			if reasonMatches(r, rc) {
				out = append(out, rc.Code)
				break
			}
		}
	}
	return out
}

func reasonMatches(reason string, rc ReasonCode) bool {
	if strings.Contains(reason, rc.Label) {
		return true
	}
	for _, k := range rc.keywords {
		if strings.Contains(reason, k) {
			return true
		}
	}
	return false
}
