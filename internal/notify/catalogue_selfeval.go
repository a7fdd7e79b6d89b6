package notify

// Kinds of the self-evaluation report notifications (internal/selfeval
// names them as Notice… constants): the hourly maintenance reminds a unit
// of a period's report due soon and overdue, once per unit and period; a
// report first submitted after its due date tells the office.
const (
	KindSelfEvalDueSoon = "self_eval.due_soon"
	KindSelfEvalOverdue = "self_eval.overdue"
	KindSelfEvalLate    = "self_eval.late"
)

var (
	phSelfEvalPeriod = Placeholder{"自评期次", "自评期次的名称，如“半年自评”", "半年自评"}
	phSelfEvalDue    = Placeholder{"报送期限", "自评报告的报送截止日期", "2026年7月15日"}
)

var selfEvalTemplates = []Template{
	{Kind: KindSelfEvalDueSoon, Name: "自评报告即将到期", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle, phSelfEvalPeriod, phSelfEvalDue,
			{"剩余时间", "“今天到期”或“还剩N天”", "还剩3天"}},
		Default: Text{Title: "自评报告即将到期：{自评期次}",
			Body: "本单位{考核年度}“{自评期次}”的自评报告尚未提交，报送期限为{报送期限}，{剩余时间}。请对照目标责任书逐项自评，按期提交书面报告和佐证材料。"}},
	{Kind: KindSelfEvalOverdue, Name: "自评报告逾期未交", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle, phSelfEvalPeriod, phSelfEvalDue},
		Default: Text{Title: "自评报告已逾期：{自评期次}",
			Body: "本单位{考核年度}“{自评期次}”的自评报告报送期限（{报送期限}）已过，仍未提交。请尽快提交，逾期提交的报告将标记为逾期提交。"}},
	{Kind: KindSelfEvalLate, Name: "自评报告逾期提交", For: ToOfficeKind,
		Placeholders: []Placeholder{phUnit, phCycle, phSelfEvalPeriod, phSelfEvalDue,
			{"提交日期", "单位首次提交报告的日期", "2026年7月18日"}},
		Default: Text{Title: "自评报告逾期提交：{单位}",
			Body: "{单位}于{提交日期}提交了{考核年度}“{自评期次}”的自评报告，晚于报送期限（{报送期限}），已标记为逾期提交。"}},
}
