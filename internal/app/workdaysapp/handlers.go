// Package workdaysapp serves the working-day calendar (工作日历) over HTTP:
// the API (`/api/v1/workdays…`) and the office's console pages
// (`/console/workdays…`) that list, show, enter and change a year, and the
// deadline calculator. The calendar itself is internal/workdays.
package workdaysapp

import "minyi/internal/httpx"

// Handlers serve the calendar's routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the calendar's pages may show after a redirect.
var Flashes = map[string]string{
	"workdays_created":   "该年工作日历已录入，期限计算立即按其执行；此前按周末暂定的期限已重新计算。",
	"workdays_saved":     "工作日历已保存，原安排已替换，暂定的期限已重新计算，修改已记入操作日志。",
	"workdays_unchanged": "工作日历没有变化，未作修改。",
}
