// Package targetsapp serves annual targets and process management (目标管理
// 与过程管理) over HTTP: the API (`/api/v1/cycles/:id/targets…`,
// `/api/v1/targets…`) and console pages (`/console/targets…`) for a unit's
// target responsibility sheet (目标责任书) — drafting, the office's review,
// change requests and their versions — its progress reports, early
// warnings and self-evaluation, and the public pages that publish the
// approved sheets (`/targets/:cycle…`). The targets themselves are
// internal/targets.
package targetsapp

import "minyi/internal/httpx"

// Handlers serve the targets' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the targets' pages may show after a redirect.
var Flashes = map[string]string{
	"target_created":           "目标责任书已创建，请填写指标。",
	"target_saved":             "指标已保存。确认无误后请提交绩效办审核。",
	"target_submitted":         "目标责任书已提交，等待绩效办审核。",
	"target_returned":          "目标责任书已退回单位修改。",
	"target_approved":          "目标责任书已批准，并已在公开页面发布（第1版）。",
	"target_to_leaders":        "已审核通过并提请领导审定，全部领导同意后在公开页面发布。",
	"target_change_requested":  "调整申请已提交，等待绩效办审核。",
	"target_change_approved":   "调整已批准，新版本已在公开页面发布。",
	"target_change_rejected":   "调整申请未予批准，现行目标不变。",
	"target_change_to_leaders": "已同意调整并提请领导审定，全部领导同意后发布新版本。",
	"target_report_saved":      "进度报告已保存。",
	"target_self_saved":        "自评已保存。",
	"target_evidence_added":    "佐证材料已上传。",
	"target_evidence_removed":  "佐证材料已移除。",
	"target_settings_saved":    "过程管理设置已保存。",
}
