package notify

// Kinds of the rectification case and rating appeal notifications
// (internal/feedback names them as Notice… constants).
const (
	KindCaseSent      = "case.sent"
	KindCaseReturned  = "case.returned"
	KindCaseDueSoon   = "case.due_soon"
	KindCaseOverdue   = "case.overdue"
	KindCaseEscalated = "case.escalated"
	KindCallbackDue   = "callback.due"
	KindAppealFiled   = "appeal.filed"
	KindAppealDecided = "appeal.decided"
)

// Placeholders several kinds share.
var (
	phCase = Placeholder{"案件", "案件反映的问题，一行，最多40字，电话号码已隐去", "窗口人员态度生硬，办事群众等候时间过长"}
	phUnit = Placeholder{"单位", "责任单位名称", "市行政审批服务局"}
	// A case has two deadlines (答复 and 整改完成); the reminders name
	// which one, and what is due by it, as values.
	phDeadlineName = Placeholder{"期限名称", "“答复期限”或“整改完成期限”", "答复期限"}
	phDeadlineDate = Placeholder{"到期日期", "该期限的日期，按工作日历暂定时注明（暂定）", "2026年12月22日"}
	phDueWork      = Placeholder{"应办事项", "答复期限为“提交答复和整改方案”，整改完成期限为“完成整改并报告”", "提交答复和整改方案"}
)

var caseTemplates = []Template{
	{Kind: KindCaseSent, Name: "整改案件交办", For: ToUnitKind,
		Placeholders: []Placeholder{phCase,
			{"答复工作日", "答复时限，工作日天数", "15"},
			{"答复期限", "答复期限的日期；按暂定工作日历计算时注明可能调整", "2026年12月24日"}},
		Default: Text{Title: "新的整改案件：{案件}",
			Body: "绩效办向本单位交办了整改案件“{案件}”。请在{答复工作日}个工作日内，即{答复期限}前，提交答复和整改方案。"}},
	{Kind: KindCaseReturned, Name: "整改案件退回", For: ToUnitKind,
		Placeholders: []Placeholder{phCase,
			{"退回理由", "绩效办填写的退回理由，最多200字", "整改措施不具体，请写明完成时间和责任人"},
			{"整改期限说明", "单位定了整改完成期限时为“，整改完成期限为……”，没有时为空", "，整改完成期限为2027年1月15日"}},
		Default: Text{Title: "整改案件被退回：{案件}",
			Body: "绩效办退回了整改案件“{案件}”，退回理由：{退回理由}。请修改后重新提交{整改期限说明}。"}},
	{Kind: KindCaseDueSoon, Name: "整改案件到期提醒（催办）", For: ToUnitKind,
		Placeholders: []Placeholder{phCase, phDeadlineName, phDeadlineDate,
			{"剩余时间", "“今天到期”或“还剩N个工作日”", "还剩2个工作日"}, phDueWork},
		Default: Text{Title: "整改案件即将到期：{案件}",
			Body: "整改案件“{案件}”的{期限名称}为{到期日期}，{剩余时间}，请按期{应办事项}。"}},
	{Kind: KindCaseOverdue, Name: "整改案件逾期提醒", For: ToUnitKind,
		Placeholders: []Placeholder{phCase, phDeadlineName, phDeadlineDate, phDueWork},
		Default: Text{Title: "整改案件已逾期：{案件}",
			Body: "整改案件“{案件}”的{期限名称}（{到期日期}）已过，请尽快{应办事项}。逾期情况将按规定计入考核。"}},
	{Kind: KindAppealDecided, Name: "评价申诉处理结果", For: ToUnitKind,
		Placeholders: []Placeholder{
			{"处理结果", "“申诉成立”或“申诉不成立”", "申诉成立"},
			{"评价等级", "被申诉评价的等级，如“不满意”", "不满意"},
			{"处理理由", "绩效办填写的处理理由，最多150字", "经核实该评价为误操作，不计入得分"}},
		Default: Text{Title: "评价申诉已处理：{处理结果}",
			Body: "绩效办处理了本单位对一条“{评价等级}”评价的申诉：{处理结果}。理由：{处理理由}"}},
	{Kind: KindCaseEscalated, Name: "整改案件逾期督办", For: ToOfficeKind,
		Placeholders: []Placeholder{phUnit, phCase, phDeadlineName, phDeadlineDate,
			{"逾期工作日", "已逾期的工作日天数", "3"}},
		Default: Text{Title: "督办：{单位}整改案件逾期",
			Body: "{单位}的整改案件“{案件}”{期限名称}（{到期日期}）已逾期{逾期工作日}个工作日，请督办。"}},
	{Kind: KindCallbackDue, Name: "实名差评待回访", For: ToOfficeKind,
		Placeholders: []Placeholder{phUnit, phCase,
			{"回访期限", "回访期限的日期，按工作日历暂定时注明（暂定）", "2026年12月10日"}},
		Default: Text{Title: "实名差评待回访：{单位}",
			Body: "群众实名反映{单位}“{案件}”，已立案交办。请在{回访期限}前完成回访。"}},
	{Kind: KindAppealFiled, Name: "评价申诉待处理", For: ToOfficeKind,
		Placeholders: []Placeholder{phUnit,
			{"评价等级", "被申诉评价的等级，如“不满意”", "不满意"},
			{"申诉理由", "单位填写的申诉理由，最多200字", "该评价人当天未到本窗口办理业务"}},
		Default: Text{Title: "评价申诉待处理：{单位}",
			Body: "{单位}对一条“{评价等级}”评价提出申诉，理由：{申诉理由}"}},
}
