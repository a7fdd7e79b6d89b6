package notify

// Kinds of the assessment's notifications: target sheets and progress
// reports (internal/targets), results and their review (internal/results),
// bonus claims and deductions (internal/assessment), and surveys
// (internal/surveys), each named there by its own constant.
const (
	KindSheetSubmitted = "target_sheet.submitted"
	KindSheetReturned  = "target_sheet.returned"
	KindSheetApproved  = "target_sheet.approved"
	KindReportDue      = "target_report.due"
	KindPreliminary    = "results.preliminary"
	KindReviewFiled    = "results.appeal_filed"
	KindReviewAnswered = "results.appeal_answered"
	KindBonusDecided   = "assessment.bonus_decided"
	KindDeduction      = "assessment.deduction"
	KindSurveyClosing  = "survey.closing"
	// KindProposalDecided: internal/assessors, to the assessor unit that
	// proposed a deduction.
	KindProposalDecided = "deduction_proposal.decided"
)

var phCycle = Placeholder{"考核年度", "考核年度的名称", "2026年度"}

var assessmentTemplates = []Template{
	{Kind: KindSheetReturned, Name: "目标责任书退回", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle,
			{"退回意见", "绩效办填写的退回意见，最多200字", "第3项指标的目标值偏低，请按上年实际调整"}},
		Default: Text{Title: "目标责任书被退回：{考核年度}",
			Body: "绩效办退回了本单位的《{考核年度}目标责任书》，退回意见：{退回意见}。请修改后重新提交。"}},
	{Kind: KindSheetApproved, Name: "目标责任书批准", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle},
		Default: Text{Title: "目标责任书已批准：{考核年度}",
			Body: "绩效办批准了本单位的《{考核年度}目标责任书》，目标已生效，请按期报送进度。"}},
	{Kind: KindReportDue, Name: "进度报告待报送", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle,
			{"报告期", "报送进度的期间，如“第一季度”", "第三季度"},
			{"未报指标数", "尚未报送进度的指标项数", "4"},
			{"报送期限", "进度报告的报送截止日期", "2026年10月15日"}},
		Default: Text{Title: "进度报告待报送：{报告期}",
			Body: "本单位《{考核年度}目标责任书》{报告期}的进度报告尚有{未报指标数}项指标未报送，请于{报送期限}前报送。"}},
	{Kind: KindPreliminary, Name: "初步考核结果公布", For: ToUnitKind,
		Placeholders: []Placeholder{phCycle,
			{"复核工作日", "可申请复核的工作日天数，自签收（或登记送达）之日起计算", "5"},
			{"签收期限", "签收初步结果的截止日期，此前签收的，复核期限自签收之日起计算", "2027年1月20日"},
			{"复核期限", "逾期未签收时复核申请的截止日期（自通知之日起计算），按工作日历暂定时注明（暂定）", "2027年1月20日"}},
		Default: Text{Title: "{考核年度}初步考核结果已公布",
			Body: "{考核年度}初步考核结果已公布，请于{签收期限}前登录系统签收。对本单位结果有异议的，可自签收之日起{复核工作日}个工作日内提出书面复核申请；逾期未签收的，自通知之日起计算，即{复核期限}前。"}},
	{Kind: KindReviewAnswered, Name: "复核申请答复", For: ToUnitKind,
		Placeholders: []Placeholder{
			{"复核结论", "绩效办的结论，如“维持原结果”“调整结果”", "维持原结果"},
			{"答复意见", "绩效办填写的答复意见，最多200字", "经复核，扣分事实清楚，维持原结果"}},
		Default: Text{Title: "复核申请已答复：{复核结论}",
			Body: "绩效办已答复本单位的复核申请，结论：{复核结论}。答复意见：{答复意见}"}},
	{Kind: KindBonusDecided, Name: "加分申报审核结果", For: ToUnitKind,
		Placeholders: []Placeholder{
			{"申报事项", "加分申报的标题，最多60字", "获评省级营商环境创新试点"},
			{"审核结果", "“已认定”或“不予认定”", "已认定"},
			{"审核情况", "认定时为“认定加N分（申报M分）。”及审核意见，不予认定时为“不予认定。理由：……”", "认定加2分（申报3分）。审核意见：按省级标准认定"}},
		Default: Text{Title: "加分申报已审核：{审核结果}",
			Body: "绩效办审核了本单位的加分申报“{申报事项}”：{审核情况}"}},
	{Kind: KindDeduction, Name: "考核扣分", For: ToUnitKind,
		Placeholders: []Placeholder{
			{"扣分事由", "扣分项目的名称", "发生重大安全生产责任事故"},
			{"扣分结果", "“扣N分”或“本单位考核等次将直接定为不合格”", "扣2分"},
			{"扣分事实", "绩效办登记的扣分事实，最多200字", "10月12日辖区发生一起安全生产责任事故"}},
		Default: Text{Title: "考核扣分：{扣分事由}",
			Body: "绩效办对本单位登记扣分：{扣分事由}，{扣分结果}。扣分事实：{扣分事实}"}},
	{Kind: KindProposalDecided, Name: "扣分建议处理结果（发给提出建议的考评单位）", For: ToUnitKind,
		Placeholders: []Placeholder{
			{"被考评单位", "建议扣分的单位名称", "市交通运输局"},
			{"扣分事由", "扣分事由的名称，最多60字", "审计结果出现重大问题"},
			{"处理结果", "“已确认扣分”或“未予采纳”", "未予采纳"},
			{"处理情况", "确认时为“绩效办已确认，按该事由对……扣N分，记入考核。”，不予采纳时为“绩效办不予采纳。理由：……”", "绩效办不予采纳。理由：审计问题已在上年度扣分"}},
		Default: Text{Title: "扣分建议{处理结果}：{被考评单位}",
			Body: "本单位对{被考评单位}提出的扣分建议“{扣分事由}”已处理：{处理情况}"}},
	{Kind: KindSheetSubmitted, Name: "目标责任书待审核", For: ToOfficeKind,
		Placeholders: []Placeholder{{"单位", "提交目标责任书的单位", "市行政审批服务局"}, phCycle},
		Default: Text{Title: "目标责任书待审核：{单位}",
			Body: "{单位}提交了《{考核年度}目标责任书》，请审核。"}},
	{Kind: KindReviewFiled, Name: "复核申请待答复", For: ToOfficeKind,
		Placeholders: []Placeholder{{"单位", "申请复核的单位", "市行政审批服务局"},
			phCycle,
			{"答复期限", "答复的截止日期，按工作日历暂定时注明（暂定）", "2027年1月27日"}},
		Default: Text{Title: "复核申请待答复：{单位}",
			Body: "{单位}对{考核年度}初步考核结果提出复核申请，请在{答复期限}前答复。"}},
	{Kind: KindSurveyClosing, Name: "问卷即将截止", For: ToOfficeKind,
		Placeholders: []Placeholder{
			{"问卷", "问卷标题，最多40字", "2026年度企业满意度调查"},
			{"截止时间", "问卷的截止时间，如“12月5日18:00”", "12月5日18:00"},
			{"受访人数", "邀请的受访人总数", "120"},
			{"未提交人数", "尚未提交的受访人数", "37"}},
		Default: Text{Title: "问卷即将截止：{问卷}",
			Body: "问卷“{问卷}”将于{截止时间}截止，{受访人数}名受访人中尚有{未提交人数}名未提交，可在受访人与邀请中查看并提醒。"}},
}
