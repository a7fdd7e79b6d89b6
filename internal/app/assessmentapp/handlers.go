// Package assessmentapp serves the annual assessment's scoring and
// adjustments (评分与加减分) over HTTP: the API
// (`/api/v1/cycles/:id/assessment…`, bonus claims, deductions,
// adjustments, evidence files) and console pages
// (`/console/cycles/:id/assessment…`, `/console/evidence/:id`) for the
// scheme's leaves and their assessor units, the entries and the entry
// table as a file, units' bonus claims, the office's deductions and grade
// adjustments, the evidence files they carry, and the cycle's assessment
// settings. The assessment itself is internal/assessment.
package assessmentapp

import "minyi/internal/httpx"

// Handlers serve the assessment's routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the assessment's pages may show after a redirect.
var Flashes = map[string]string{
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
	"rank_adjustment_added":     "位次调整已登记。",
	"rank_adjustment_revoked":   "位次调整已撤销，撤销理由已记录，原记录保留。",
	"assess_settings_saved":     "考核设置已保存为新版本；此前的版本保留不变。",
	"assess_settings_unchanged": "考核设置没有变化，未生成新版本。",
}
