// Package linksapp serves the office's console pages and API of the
// online channel (一事一评): the online integrations (线上评价渠道) that
// open signed rating links, and their signing keys, made (the secret
// shown once) and revoked. The signed link's own page is ratingsapp's (/l); the
// integrations and keys themselves are internal/links.
package linksapp

import "minyi/internal/httpx"

// Handlers serve the integrations' console and API routes; internal/server
// routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the integrations' pages may show after a
// redirect.
var Flashes = map[string]string{
	"link_integration_created": "评价渠道已添加。请生成签名密钥并交给办事平台。",
	"link_integration_saved":   "评价渠道已保存。",
	"link_key_revoked":         "密钥已吊销：用它签名的评价链接此后一律拒绝。",
}
