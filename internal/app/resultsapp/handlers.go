// Package resultsapp serves the assessment's results (考核结果) over HTTP:
// the API (`/api/v1/cycles/:id/results…`) and the console pages
// (`/console/cycles/:id/results…`) that show the composite scores and
// grades, publish the preliminary and the final results, take units'
// applications for review and the office's answers, reopen the results,
// record written rectification reports and export the results as .xlsx,
// and the public results page (`/results/:cycle_id`). The results
// themselves are internal/results.
package resultsapp

import "minyi/internal/httpx"

// Handlers serve the results' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the results' pages may show after a redirect.
var Flashes = map[string]string{
	"results_preliminary": "初步结果已公布，各单位可在申请复核期限内申请复核。",
	"results_final":       "最终结果已公布，考核数据已锁定。",
	"results_submitted":   "已提请领导审批最终考核结果，全部审批通过后即可公布。",
	"results_reopened":    "考核结果已重新开启，可以更正考核数据，更正后请重新公布最终结果。",
	"appeal_answered":     "复核申请已答复。",
	"appeal_filed":        "复核申请已提交，绩效办将在答复期限内答复。",
	"staff_count_saved":   "公务员人数已保存。",
	"receipt_signed":      "已签收初步结果，申请复核期限自今天起计算。",
	"receipt_delivered":   "送达日期已登记，该单位的申请复核期限自送达之日起计算。",
	// Written rectification reports.
	"rectification_submitted": "书面整改报告已提交，绩效办签收前可以修改。",
	"rectification_received":  "书面整改报告已签收。",
}
