// Package cyclesapp serves assessment cycles (考核年度) and their schemes
// (考核方案) over HTTP: the API (`/api/v1/cycles…`, `/api/v1/schemes…`)
// and the console pages (`/console/cycles…`) that list and create cycles,
// show a cycle's configuration with its version history and store a new
// version, and show, save, trial-compute and edit item by item (the scheme
// editor) a cycle's scheme. The cycles
// and schemes themselves are internal/cycles and internal/schemes.
package cyclesapp

import "minyi/internal/httpx"

// Handlers serve the cycles' and schemes' routes; internal/server routes
// to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the cycles' and schemes' pages may show after
// a redirect.
var Flashes = map[string]string{
	"cycle_created":          "考核年度已创建，使用默认考核配置（第1版）。",
	"cycle_main_saved":       "已保存本考核是否为本年度主考核。",
	"cycle_config_saved":     "考核配置已保存为新版本；此前的版本保留不变，可随时查看。",
	"cycle_config_unchanged": "考核配置没有变化，未生成新版本。",
	"scheme_saved":           "考核方案已保存为新版本；此前的版本保留不变，可随时查看。",
	"scheme_unchanged":       "考核方案没有变化，未生成新版本。",
	"categories_saved":       "单位类别已保存；类别在其中的单位参加本年度考核。",
	"categories_unchanged":   "单位类别没有变化。",
	"scheme_group_saved":     "方案分组已保存；分组内类别的单位按该分组的考核方案计分。",
	"scheme_group_deleted":   "方案分组已删除；其类别的单位改按通用方案计分。",
	"release_saved":          "审批与公开方式已保存；已提请的审批仍按提请时的审批人进行。",
	"release_unchanged":      "审批与公开方式没有变化。",
}
