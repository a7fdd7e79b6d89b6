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
	// Decisions on ratings the daily cap held (console_held.go).
	"hold_counted":     "该组评价已计入得分。",
	"hold_not_counted": "该组评价不计入得分，理由已记录。",

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
