package server

// flashes are the messages a httpx.Redirect may ask for with ?msg=; only these
// fixed texts can appear, so a link cannot put words on the page.
var flashes = map[string]string{
	"case_opened":         "整改案件已立案交办。",
	"case_answer":         "答复和整改方案已提交。",
	"case_progress":       "整改进展已记录。",
	"case_done":           "已报告整改完成，等待绩效办核查。",
	"case_close":          "案件已办结。",
	"case_return":         "案件已退回单位。",
	"case_release":        "公开设置已保存。",
	"case_settings_saved": "整改期限设置已保存。",
	"unit_created":        "单位已创建。",
	"unit_updated":        "单位信息已保存。",
	"qr_rotated":          "二维码已更换，旧二维码已停止接收评价，请重新打印张贴。",
	"point_created":       "服务点已创建。",
	"terminal_revoked":    "评价器已吊销，其令牌立即失效。",
	"rating_excluded":     "该评价已剔除，不再计入得分。",
	"rating_restored":     "该评价已恢复，重新计入得分。",
	// The daily cap on counted QR ratings (console_dailycap.go).
	"network_created":  "大厅网络已登记，来自该网络的扫码评价按其每日上限计分。",
	"network_updated":  "大厅网络已保存。",
	"network_deleted":  "大厅网络已删除，来自这些地址的评价重新按同一地址每日上限计分。",
	"hold_counted":     "该组评价已计入得分。",
	"hold_not_counted": "该组评价不计入得分，理由已记录。",
	// Cycles and scores (console_cycles.go).
	"cycle_created":          "考核年度已创建，使用默认考核配置（第1版）。",
	"cycle_config_saved":     "考核配置已保存为新版本；此前的版本保留不变，可随时查看。",
	"cycle_config_unchanged": "考核配置没有变化，未生成新版本。",
	// Targets and process management (console_targets*.go).
	"target_created":          "目标责任书已创建，请填写指标。",
	"target_saved":            "指标已保存。确认无误后请提交绩效办审核。",
	"target_submitted":        "目标责任书已提交，等待绩效办审核。",
	"target_returned":         "目标责任书已退回单位修改。",
	"target_approved":         "目标责任书已批准，并已在公开页面发布（第1版）。",
	"target_change_requested": "调整申请已提交，等待绩效办审核。",
	"target_change_approved":  "调整已批准，新版本已在公开页面发布。",
	"target_change_rejected":  "调整申请未予批准，现行目标不变。",
	"target_report_saved":     "进度报告已保存。",
	"target_self_saved":       "自评已保存。",
	"target_settings_saved":   "过程管理设置已保存。",
	// Assessment schemes (console_schemes.go).
	"scheme_saved":     "考核方案已保存为新版本；此前的版本保留不变，可随时查看。",
	"scheme_unchanged": "考核方案没有变化，未生成新版本。",
	// Assessment scoring and adjustments (console_assessment*.go).
	"assessor_saved":            "考评单位已对应，考核方案已保存为新版本。",
	"assessor_unchanged":        "考评单位没有变化，未生成新版本。",
	"entries_saved":             "得分已保存。",
	"entries_uploaded":          "打分表已导入，表中填写的得分已全部保存。",
	"entries_upload_empty":      "打分表中没有填写得分，未作修改。",
	"claim_submitted":           "加分申报已提交，等待绩效办审核。",
	"claim_approved":            "加分申报已认定。",
	"claim_rejected":            "加分申报未予认定，理由已记录。",
	"deduction_filed":           "扣分已登记。",
	"deduction_revoked":         "扣分已撤销，撤销理由已记录，原记录保留。",
	"adjustment_added":          "等次调整已登记。",
	"adjustment_revoked":        "等次调整已撤销，撤销理由已记录，原记录保留。",
	"assess_settings_saved":     "考核设置已保存为新版本；此前的版本保留不变。",
	"assess_settings_unchanged": "考核设置没有变化，未生成新版本。",

	// Assessment results (console_results.go).
	"results_preliminary": "初步结果已公布，各单位可在申请复核期限内申请复核。",
	"results_final":       "最终结果已公布，考核数据已锁定。",
	"results_reopened":    "考核结果已重新开启，可以更正考核数据，更正后请重新公布最终结果。",
	"appeal_answered":     "复核申请已答复。",
	"appeal_filed":        "复核申请已提交，绩效办将在答复期限内答复。",
	"staff_count_saved":   "公务员人数已保存。",
	// Feedback review (console_feedback*.go).
	"feedback_valid":         "已认定为有效反馈，整改案件已交办单位。",
	"feedback_merged":        "所选反馈已合并为一个整改案件，交办单位。",
	"feedback_invalid":       "已认定为无效反馈，不再计入得分，理由已记录。",
	"feedback_reopened":      "已重新打开，该反馈回到待核查；原已剔除的已恢复计分。",
	"flag_scan_found":        "扫描完成，发现新的可疑模式，请逐条核查。",
	"flag_scan_none":         "扫描完成，没有发现新的可疑模式。",
	"flag_confirmed":         "已确认可疑模式，所涉评价已剔除，理由已记录。",
	"flag_dismissed":         "已排除嫌疑，所涉评价继续计分。",
	"rating_appeal_filed":    "申诉已提交，绩效办核查后将在此告知处理结果。",
	"rating_appeal_upheld":   "申诉成立，该评价已剔除，处理理由已告知单位。",
	"rating_appeal_rejected": "申诉不成立，该评价继续计分，处理理由已告知单位。",

	// Written rectification reports (results).
	"rectification_submitted": "书面整改报告已提交，绩效办签收前可以修改。",
	"rectification_received":  "书面整改报告已签收。",

	// Call-backs, 追评 and overdue cases (callbacks).
	"callback_recorded":        "回访记录已保存。",
	"case_carry_marked":        "已标记为重点案件，将转入下一年度目标。",
	"case_carry_unmarked":      "已取消转入下一年度目标的标记。",
	"case_deduction_confirmed": "扣分已确认，已记入该单位的考核扣分。",
	"case_carry_done":          "已转入下一年度目标责任书草稿。",
	"case_carry_nothing":       "没有需要转入的案件：标记的案件均已转入。",
}

// mergeFlashes joins the flash messages of the console and of each
// handler package into one table; a key defined twice is a programming
// error caught at start-up.
func mergeFlashes(tables ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("flash message " + k + " is defined twice")
			}
			out[k] = v
		}
	}
	return out
}
