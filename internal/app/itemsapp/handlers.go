// Package itemsapp serves the catalogues of the national 好差评 record
// over HTTP: the service items (事项) of each unit, listed, searched,
// added, renamed, retired and imported from .xlsx or CSV, and the stages
// a case is rated at (办理环节). The API is `/api/v1/items…` and
// `/api/v1/rating-stages`; the console page `/console/items`. The
// catalogues themselves are internal/items.
package itemsapp

import "minyi/internal/httpx"

// Handlers serve the catalogues' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the catalogues' pages may show after a redirect.
var Flashes = map[string]string{
	"item_created":   "事项已添加。",
	"item_saved":     "事项已保存。",
	"item_retired":   "事项已停用：此后的评价不能再选择该事项，已有评价不受影响。",
	"item_restored":  "事项已恢复使用。",
	"stage_saved":    "办理环节已保存。",
	"stage_retired":  "办理环节已停用。",
	"stage_restored": "办理环节已恢复使用。",
}
