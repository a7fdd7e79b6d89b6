package notify

// Kinds of the approvals above the office (internal/approvals): a leader
// is asked to approve an item; the office is told a leader returned it or
// the last leader approved it; the leaders it was before are told the
// office withdrew it.
const (
	KindApprovalRequested = "approval.requested"
	KindApprovalDecided   = "approval.decided"
	KindApprovalWithdrawn = "approval.withdrawn"
)

// ForLeader are the kinds read by leaders (sent to one leader's account).
const ForLeader = "leader"

var phItem = Placeholder{"事项", "待审批的事项，最多60字", "2026年度最终考核结果"}

var approvalTemplates = []Template{
	{Kind: KindApprovalRequested, Name: "待领导审批", For: ForLeader,
		Placeholders: []Placeholder{phItem, phCycle},
		Default: Text{Title: "待我审批：{事项}",
			Body: "绩效办提请审批{考核年度}的“{事项}”，请审阅后同意或退回。"}},
	{Kind: KindApprovalDecided, Name: "领导审批结果", For: ToOfficeKind,
		Placeholders: []Placeholder{phItem,
			{"审批结果", "“审批通过”或“已退回”", "已退回"},
			{"审批人", "最后审批的领导", "张副市长"},
			{"审批意见", "领导填写的意见，最多200字，未填写时为“无”", "请核实第二类单位的位次调整依据"}},
		Default: Text{Title: "{事项}{审批结果}",
			Body: "“{事项}”{审批结果}，审批人：{审批人}，审批意见：{审批意见}"}},
	{Kind: KindApprovalWithdrawn, Name: "审批事项已撤回", For: ForLeader,
		Placeholders: []Placeholder{phItem, phCycle,
			{"撤回说明", "绩效办填写的撤回说明，最多200字，未填写时为“无”", "需补充第二类单位的核查材料"}},
		Default: Text{Title: "已撤回：{事项}",
			Body: "绩效办已撤回提请审批的{考核年度}“{事项}”，无需再审批。撤回说明：{撤回说明}"}},
}
