// Package windowapp serves window-triggered ratings over HTTP (issue 18):
// the business systems' API (`/api/v1/business/…`), with which a window's
// business system asks for the window's terminal to show the rating page
// of a case and reads the request's state, and the office's console page
// and API of business systems and their tokens (`/console/business-systems`,
// `/api/v1/business-systems`).
// The terminal's side — receiving a request and posting its rating — is
// part of the terminal API in ratingsapp. The records are internal/bizsys
// and internal/windowreq.
package windowapp

import "minyi/internal/httpx"

// Handlers serve the business systems' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the business systems' page may show after a redirect.
var Flashes = map[string]string{
	"business_system_created":       "业务系统已添加，请为其签发接口令牌。",
	"business_system_updated":       "业务系统已修改，授权单位的变化立即生效。",
	"business_system_disabled":      "业务系统已停用，其令牌均不能再使用。",
	"business_system_enabled":       "业务系统已重新启用。",
	"business_system_token_revoked": "令牌已吊销，立即失效。",
}
