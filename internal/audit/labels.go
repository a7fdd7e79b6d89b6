package audit

import (
	"fmt"
	"sort"
)

// actionLabels names every action the program records, in the office's
// words. Record refuses an action missing here, and a test reads the
// source for actions, so a new action cannot reach the log unnamed.
var actionLabels = map[string]string{
	"unit.create":                   "创建单位",
	"unit.update":                   "修改单位",
	"unit.predecessor_add":          "添加前身单位",
	"unit.predecessor_remove":       "删除前身单位",
	"unit.abolish":                  "撤销单位",
	"unit.restore":                  "恢复单位",
	"point.create":                  "新增服务点",
	"qr.rotate":                     "更换二维码",
	"terminal.create":               "注册评价器",
	"terminal.revoke":               "吊销评价器",
	"rating.exclude":                "剔除评价",
	"rating.restore":                "恢复评价",
	"ratings.archive":               "归档历史评价",
	"ratings.restore":               "恢复归档的评价",
	"user.create":                   "创建账号",
	"user.update":                   "修改账号",
	"user.disable":                  "停用账号",
	"user.enable":                   "启用账号",
	"user.password_reset":           "重置密码",
	"user.password_change":          "修改本人密码",
	"office_profile.save":           "修改绩效办信息",
	"cycle.create":                  "创建考核年度",
	"cycle.config":                  "修改考核配置",
	"cycle.main":                    "设置主考核",
	"cycle.release":                 "设置审批与公开方式",
	"approval.submit":               "提请领导审批",
	"approval.approve":              "领导审批同意",
	"approval.return":               "领导审批退回",
	"approval.withdraw":             "撤回领导审批",
	"target_sheet.leader_approve":   "领导审定目标责任书",
	"target_sheet.leader_return":    "领导退回目标责任书",
	"cycle.scheme":                  "保存考核方案",
	"cycle.categories":              "修改单位类别",
	"cycle.scheme_group":            "保存方案分组",
	"cycle.scheme_group_delete":     "删除方案分组",
	"survey.create":                 "创建问卷",
	"survey.update":                 "修改问卷",
	"survey.open":                   "开始问卷",
	"survey.close":                  "结束问卷",
	"survey.closes_at":              "修改问卷截止时间",
	"survey.respondent_add":         "添加受访人",
	"survey.respondent_delete":      "删除受访人",
	"survey.respondents_import":     "导入受访人",
	"survey_response.exclude":       "剔除答卷",
	"survey_response.restore":       "恢复答卷",
	"agency.create":                 "创建调查机构",
	"agency.update":                 "修改调查机构",
	"agency.disable":                "停用调查机构",
	"agency.enable":                 "启用调查机构",
	"item.create":                   "新增服务事项",
	"item.update":                   "修改服务事项",
	"item.retire":                   "停用服务事项",
	"item.restore":                  "恢复服务事项",
	"items.import":                  "导入服务事项",
	"stage.create":                  "新增办理环节",
	"stage.update":                  "修改办理环节",
	"stage.retire":                  "停用办理环节",
	"stage.restore":                 "恢复办理环节",
	"link_integration.create":       "新增线上评价渠道",
	"link_integration.update":       "修改线上评价渠道",
	"link_key.create":               "生成评价链接签名密钥",
	"link_key.revoke":               "吊销评价链接签名密钥",
	"agency.quotas":                 "设置目标样本量",
	"agency.mapping":                "设置字段对应",
	"agency_token.issue":            "签发机构令牌",
	"agency_token.revoke":           "吊销机构令牌",
	"business_system.create":        "添加业务系统",
	"business_system.disable":       "停用业务系统",
	"business_system.enable":        "启用业务系统",
	"business_system.update":        "修改业务系统",
	"business_system_token.issue":   "签发业务系统令牌",
	"business_system_token.revoke":  "吊销业务系统令牌",
	"agency_upload.create":          "上传答卷",
	"workdays.create":               "录入工作日历",
	"workdays.update":               "修改工作日历",
	"deadline.recompute":            "按工作日历重新计算暂定期限",
	"target_sheet.create":           "创建目标责任书",
	"target_sheet.save":             "保存目标",
	"target_sheet.submit":           "提交目标审核",
	"target_sheet.return":           "退回目标",
	"target_sheet.approve":          "批准目标",
	"target_change.request":         "申请调整目标",
	"target_change.approve":         "批准目标调整",
	"target_change.reject":          "驳回目标调整",
	"target_change.to_leaders":      "同意目标调整并提请领导审定",
	"target_change.leader_approve":  "领导审定目标调整",
	"target_change.leader_return":   "领导退回目标调整",
	"target_change.withdraw":        "撤回目标调整的领导审批",
	"target_sheet.withdraw":         "撤回目标责任书的领导审批",
	"target_report.save":            "报送进度",
	"target_self_evaluation.save":   "保存自评",
	"target_evidence.attach":        "上传指标佐证材料",
	"target_evidence.detach":        "移除指标佐证材料",
	"target_settings.save":          "修改过程管理设置",
	"assessment.settings":           "修改考核规则",
	"assessment.entry":              "评分",
	"assessment.bonus_claim":        "申报加分",
	"assessment.bonus_approved":     "批准加分",
	"assessment.bonus_rejected":     "驳回加分",
	"assessment.deduction":          "登记扣分",
	"assessment.deduction_revoke":   "撤销扣分",
	"assessment.adjustment":         "调整等次",
	"assessment.adjustment_revoke":  "撤销等次调整",
	"assessment.rank_adjust":        "调整位次",
	"assessment.rank_revoke":        "撤销位次调整",
	"evidence.upload":               "上传证明材料",
	"results.publish_preliminary":   "公布初步结果",
	"results.publish_final":         "公布最终结果",
	"results.reopen":                "重新开启考核结果",
	"results.appeal":                "申请复核",
	"results.appeal_answer":         "答复复核申请",
	"results.receipt_sign":          "签收初步结果",
	"results.receipt_delivery":      "登记初步结果送达",
	"results.staff_count":           "登记公务员人数",
	"results.bonus_table":           "修改绩效奖金表",
	"results.bonus_factors":         "登记绩效奖金增减情形",
	"results.use_record":            "登记通报批评或表彰",
	"results.rectification_submit":  "提交书面整改报告",
	"results.rectification_receive": "签收书面整改报告",
	"feedback.valid":                "认定有效反馈",
	"feedback.invalid":              "认定无效反馈",
	"feedback.acknowledged":         "按规则自动确认反馈",
	"feedback.reopen":               "重新核查反馈",
	"feedback_auto_rule.save":       "修改反馈自动确认规则",
	"case.open":                     "交办整改案件",
	"case.answer":                   "答复整改案件",
	"case.progress":                 "填报整改进展",
	"case.done":                     "报告整改完成",
	"case.close":                    "办结整改案件",
	"case.return":                   "退回整改案件",
	"case.release":                  "公开整改案件",
	"case.unrelease":                "撤回公开整改案件",
	"case.settings":                 "修改整改期限设置",
	"case.reminders":                "修改到期提醒设置",
	"notification.resend":           "重新发送通知",
	"upward_batch.resend":           "重新上报评价数据",
	"notification_template.save":    "修改通知模板",
	"notification_template.reset":   "恢复默认通知模板",
	"unit.notify_channels":          "修改单位通知渠道",
	"citizen_sms.resend":            "重新发送群众短信",
	"citizen_sms.settings":          "修改群众短信设置",
	"citizen_sms.survey_invite":     "短信邀请问卷受访人",
	"citizen_sms.survey_reminder":   "短信提醒问卷受访人",
	"citizen_sms.instrument_invite": "短信邀请评价项目评价人",
	"case.callback":                 "回访群众",
	"case.carry_mark":               "标记跨年结转",
	"case.carry":                    "结转到新年度",
	"case.followup_link":            "发送群众回评链接",
	"case.followup":                 "群众回评整改结果",
	"appeal.file":                   "提交评价申诉",
	"appeal.upheld":                 "申诉成立",
	"appeal.rejected":               "申诉不成立",
	"flag.confirmed":                "确认可疑模式",
	"flag.dismissed":                "排除可疑模式",
	"network.create":                "登记大厅网络",
	"network.update":                "修改大厅网络",
	"network.delete":                "删除大厅网络",
	"rating_hold.count":             "暂不计分的评价计入得分",
	"rating_hold.not_count":         "暂不计分的评价不计入",
	"deduction_proposal.create":     "考评单位提出扣分建议",
	"deduction_proposal.office":     "绩效办检查提出扣分建议",
	"inspection.create":             "登记检查",
	"inspection.finding":            "登记检查发现的问题",
	"inspection.files":              "添加检查材料",
	"inspection.file_remove":        "删除检查材料",
	"inspection.file_share":         "调整检查材料是否提供给被检查单位",
	"inspection.items":              "修改检查涉及的指标",
	"inspection.finding_case":       "检查发现问题转为整改案件",
	"inspection.finding_proposal":   "检查发现问题转为扣分建议",
	"deduction_proposal.confirm":    "确认扣分建议",
	"deduction_proposal.reject":     "不予采纳扣分建议",
	"key_task.create":               "设立重点任务",
	"key_task.lead":                 "指定牵头单位",
	"key_task.members_add":          "增加重点任务承担单位",
	"key_task.member_remove":        "移除重点任务承担单位",
	"key_task.indicator":            "关联重点任务指标",
	"instrument.create":             "创建评价项目",
	"instrument.update":             "修改评价项目",
	"instrument.open":               "开始评价项目",
	"instrument.close":              "结束评价项目",
	"instrument.invite":             "邀请评价人",
	"instrument.partners":           "设置互评协作单位",
	"instrument.answer":             "提交评价项目评价",
	"self_eval_period.create":       "新增自评期次",
	"self_eval_period.update":       "修改自评期次",
	"self_eval_period.delete":       "删除自评期次",
	"self_eval_report.submit":       "提交自评报告",
	"self_eval_report.update":       "修改自评报告",
	"self_eval_report.attach":       "上传自评报告附件",
	"self_eval_report.detach":       "移除自评报告附件",
}

// entityLabels names the kinds of records the log names, in filter order.
var entityLabels = []Choice{
	{"unit", "单位"}, {"service_point", "服务点"}, {"terminal", "评价器"}, {"rating", "评价"},
	{"rating_archive", "评价归档"}, {"rating_hold", "暂不计分的评价"}, {"rating_network", "大厅网络"},
	{"user", "账号"}, {"office_profile", "绩效办信息"}, {"cycle", "考核年度"},
	{"survey", "问卷"}, {"survey_respondent", "受访人"}, {"survey_response", "答卷"},
	{"agency", "调查机构"}, {"agency_upload", "机构上传"}, {"workday_year", "工作日历"},
	{"target_sheet", "目标责任书"}, {"assessment_entry", "评分"}, {"bonus_claim", "加分申报"},
	{"deduction", "扣分"}, {"grade_adjustment", "等次调整"}, {"rank_adjustment", "位次调整"}, {"evidence_file", "证明材料"},
	{"appeal", "复核申请"}, {"feedback_rating", "评价核查"}, {"feedback_response", "答卷意见核查"},
	{"feedback_appeal", "评价申诉"}, {"feedback_flag", "可疑模式"}, {"feedback_auto_rule", "反馈自动确认规则"},
	{"rectification_case", "整改案件"}, {"case", "整改案件"}, {"case_settings", "整改期限设置"},
	{"notification_delivery", "通知发送记录"}, {"notification_template", "通知模板"},
	{"upward_batch", "上报批次"},
	{"citizen_sms", "群众短信"},
	{"citizen_sms_settings", "群众短信设置"},
	{"deduction_proposal", "扣分建议"}, {"inspection", "检查记录"}, {"inspection_finding", "检查发现的问题"}, {"key_task", "重点任务"},
	{"instrument", "评价项目"}, {"self_eval_report", "自评报告"}, {"approval", "领导审批"},
	{"service_item", "服务事项"}, {"rating_stage", "办理环节"}, {"business_system", "业务系统"},
	{"link_integration", "线上评价渠道"},
}

// Choice is one option of a filter: the stored key and its label.
type Choice struct{ Key, Label string }

// ActionLabel is the office's name of action, and whether it has one.
func ActionLabel(action string) (string, bool) {
	l, ok := actionLabels[action]
	return l, ok
}

// Actions are the recorded actions with their labels, in label order, for
// a filter's choices.
func Actions() []Choice {
	out := make([]Choice, 0, len(actionLabels))
	for k, l := range actionLabels {
		out = append(out, Choice{k, l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Entities are the kinds of records in the log with their labels.
func Entities() []Choice { return entityLabels }

// EntityLabel is the office's name of an entity kind; one not known is
// called 其他记录 rather than shown as a code.
func EntityLabel(entity string) string {
	for _, e := range entityLabels {
		if e.Key == entity {
			return e.Label
		}
	}
	return "其他记录"
}

// KnownEntity reports whether entity is a kind the log names.
func KnownEntity(entity string) bool {
	for _, e := range entityLabels {
		if e.Key == entity {
			return true
		}
	}
	return false
}

// errUnlabelled is returned by Record for an action without a label.
func errUnlabelled(action string) error {
	return fmt.Errorf("audit: action %q has no label in internal/audit/labels.go", action)
}
