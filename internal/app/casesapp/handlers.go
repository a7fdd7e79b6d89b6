// Package casesapp serves the public's feedback and what follows from it
// over HTTP: the office's review queue (民意核查, `/console/feedback…`,
// `/api/v1/feedback…`) with its verdicts, merged duplicates, the groups
// of ratings the daily cap held and the suspicious-pattern flags; units'
// appeals against single ratings; rectification cases (整改案件,
// `/cases…`) and their workflow; call-backs (回访), the citizen's one-time
// 追评 link (`/f/:token`), deduction proposals from overdue cases and
// carrying key cases into next year's targets; and the public case pages
// (`/cases`, `/cases/:unit`). The domain is internal/feedback and
// internal/callbacks.
package casesapp

import "minyi/internal/httpx"

// Handlers serve the feedback and case routes; internal/server routes to
// them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the feedback and case pages may show after a
// redirect.
var Flashes = map[string]string{
	// Rectification cases (console_cases.go).
	"case_opened":             "整改案件已立案交办。",
	"case_answer":             "答复和整改方案已提交。",
	"case_progress":           "整改进展已记录。",
	"case_done":               "已报告整改完成，等待绩效办核查。",
	"case_close":              "案件已办结。",
	"case_return":             "案件已退回单位。",
	"case_release":            "公开设置已保存。",
	"case_settings_saved":     "整改期限设置已保存。",
	"reminder_settings_saved": "到期提醒设置已保存。",
	// Feedback review (console_feedback*.go, console_held.go).
	"feedback_valid":         "已认定为有效反馈，整改案件已交办单位。",
	"feedback_merged":        "所选反馈已合并为一个整改案件，交办单位。",
	"feedback_invalid":       "已认定为无效反馈，不再计入得分，理由已记录。",
	"feedback_acknowledged":  "已标为已阅（无需处理）：不立案，照常计分。",
	"feedback_auto_rule":     "自动已阅规则已保存；此后每小时按规则处理一次近90天的留言。",
	"feedback_auto_run":      "已按规则将符合条件的好评留言标为已阅。",
	"feedback_reopened":      "已重新打开，该反馈回到待核查；原已剔除的已恢复计分。",
	"flag_scan_found":        "扫描完成，发现新的可疑模式，请逐条核查。",
	"flag_scan_none":         "扫描完成，没有发现新的可疑模式。",
	"flag_confirmed":         "已确认可疑模式，所涉评价已剔除，理由已记录。",
	"flag_dismissed":         "已排除嫌疑，所涉评价继续计分。",
	"rating_appeal_filed":    "申诉已提交，绩效办核查后将在此告知处理结果。",
	"rating_appeal_upheld":   "申诉成立，该评价已剔除，处理理由已告知单位。",
	"rating_appeal_rejected": "申诉不成立，该评价继续计分，处理理由已告知单位。",
	"hold_counted":           "该组评价已计入得分。",
	"hold_not_counted":       "该组评价不计入得分，理由已记录。",
	// Call-backs, 追评 and overdue cases (console_callbacks.go).
	"callback_recorded":        "回访记录已保存。",
	"case_carry_marked":        "已标记为重点案件，将转入下一年度目标。",
	"case_carry_unmarked":      "已取消转入下一年度目标的标记。",
	"case_deduction_confirmed": "扣分已确认，已记入该单位的考核扣分。",
	"case_carry_done":          "已转入下一年度目标责任书草稿。",
	"case_carry_nothing":       "没有需要转入的案件：标记的案件均已转入。",
}
