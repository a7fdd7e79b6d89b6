// Package agenciesapp serves the third-party survey agencies (第三方调查
// 机构) over HTTP: the office's API (`/api/v1/agencies…`,
// `/api/v1/surveys/:id/agencies`) and console pages (`/console/agencies…`,
// `/console/surveys/:id/agencies`) that register an agency, issue and
// revoke its tokens, set its quotas and upload its files; and the
// agencies' own token-authenticated API (`/api/v1/agency…`). The agencies
// themselves are internal/agencies.
package agenciesapp

import "minyi/internal/httpx"

// Handlers serve the agencies' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the agencies' pages may show after a redirect.
var Flashes = map[string]string{
	"agency_created":       "机构已创建。请签发接口令牌并设置目标样本量。",
	"agency_updated":       "机构信息已保存。",
	"agency_disabled":      "机构已停用，其令牌均不能再使用。",
	"agency_enabled":       "机构已启用。",
	"agency_token_revoked": "令牌已吊销，立即失效。",
	"agency_quota_set":     "目标样本量已设置。",
	"agency_upload_done":   "文件已上传并逐行校验，结果见下方报告。",
	"agency_mapping_done":  "字段对应设置已保存，文件已按此导入并逐行校验，结果见下方报告。",
}
