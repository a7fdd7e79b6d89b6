// Package ratingsapp serves daily public ratings (日常评价) over HTTP: the
// citizens' QR rating pages (`/q/…`) and the QR code images, the
// service-hall terminals' API (`/api/v1/terminal/ratings`), units with
// their QR codes, service points and terminals (API and console pages,
// printable posters), the rating feed with its exclusions, and the hall
// networks that set the daily cap on counted QR ratings. The ratings
// themselves are internal/ratings; units, points, terminals and networks
// are internal/units.
package ratingsapp

import (
	"strconv"

	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/windowreq"
)

// Handlers serve the ratings' routes; internal/server routes to them. The
// caches are this instance's own copies of what Postgres holds, each only
// a shortcut: nothing they hold is the one record of anything.
type Handlers struct {
	*httpx.App
	terminals *terminalCache
	networks  *networkCache
	// redisWarn keeps warnings about failed Redis shortcuts to one a minute.
	redisWarn logThrottle
	// hub is this instance's subscription to window requests' wake-ups.
	hub *windowreq.Hub
}

// New returns the handlers over app, with empty caches.
func New(app *httpx.App) *Handlers {
	return &Handlers{App: app, terminals: newTerminalCache(app.Config.TerminalCacheTTL), networks: &networkCache{},
		hub: windowreq.NewHub(app.Redis, app.RedisPrefix, app.Log)}
}

// Close ends the handlers' subscriptions.
func (s *Handlers) Close() { s.hub.Close() }

// Flashes are the messages the units' and the feed's pages may show after
// a redirect.
var Flashes = map[string]string{
	"unit_created":        "单位已创建。",
	"unit_updated":        "单位信息已保存。",
	"predecessor_added":   "已添加前身单位。",
	"predecessor_removed": "已删除前身单位。",
	"unit_abolished":      "已登记撤销该单位：撤销之日起其二维码和评价器不再接收评价，也不再参加此后结束的考核年度。",
	"unit_restored":       "已恢复该单位。",
	"qr_rotated":          "二维码已更换，旧二维码已停止接收评价，请重新打印张贴。",
	"point_created":       "服务点已创建。",
	"terminal_revoked":    "评价器已吊销，其令牌立即失效。",
	"rating_excluded":     "该评价已剔除，不再计入得分。",
	"rating_restored":     "该评价已恢复，重新计入得分。",
	// The daily cap on counted QR ratings (console_networks.go).
	"network_created": "大厅网络已登记，来自该网络的扫码评价按其每日上限计分。",
	"network_updated": "大厅网络已保存。",
	"network_deleted": "大厅网络已删除，来自这些地址的评价重新按同一地址每日上限计分。",
}

// meanText is a period's mean points with one decimal, or "—" when it has
// no ratings.
func meanText(p ratings.Period) string {
	if p.Count == 0 {
		return "—"
	}
	return strconv.FormatFloat(p.Mean, 'f', 1, 64)
}
