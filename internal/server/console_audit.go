package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/audit"
)

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 50

var auditActions = map[string]string{
	"unit.create":     "创建单位",
	"unit.update":     "修改单位",
	"point.create":    "新增服务点",
	"qr.rotate":       "更换二维码",
	"terminal.create": "注册评价器",
	"terminal.revoke": "吊销评价器",
	"rating.exclude":  "剔除评价",
	"rating.restore":  "恢复评价",
	"user.create":     "创建账号",
}

// auditEntities are the kinds of records the log names, in filter order.
var auditEntities = []struct{ Key, Label string }{
	{"unit", "单位"}, {"service_point", "服务点"}, {"terminal", "评价器"}, {"rating", "评价"}, {"user", "账号"},
}

func entityLabel(key string) string {
	for _, e := range auditEntities {
		if e.Key == key {
			return e.Label
		}
	}
	return key
}

type auditRow struct {
	audit.Entry
	ActionLabel string
	EntityLabel string
	Link        string
	Before      string
	After       string
}

type auditPageData struct {
	basePage
	Entity   string
	Entities []struct{ Key, Label string }
	Rows     []auditRow
	Pager    pager
}

// compactJSON returns raw as one line of JSON, "" for none.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// auditPage shows the audit log, newest first, for the office.
func (s *Server) auditPage(c *gin.Context) {
	d := auditPageData{basePage: s.base(c, "审计日志", "audit"), Entities: auditEntities}
	for _, e := range auditEntities {
		if c.Query("entity") == e.Key {
			d.Entity = e.Key
		}
	}
	page := pageParam(c)
	list, total, err := audit.List(c, s.Pool, audit.Filter{Entity: d.Entity, Limit: auditPageSize,
		Offset: (page - 1) * auditPageSize})
	if err != nil {
		s.consoleError(c, err)
		return
	}
	d.Pager = newPager(page, auditPageSize, total, func(n int) string {
		v := url.Values{}
		if d.Entity != "" {
			v.Set("entity", d.Entity)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/console/audit"
		}
		return "/console/audit?" + v.Encode()
	})
	for _, e := range list {
		row := auditRow{Entry: e, ActionLabel: auditActions[e.Action], EntityLabel: entityLabel(e.Entity),
			Before: compactJSON(e.Before), After: compactJSON(e.After)}
		if row.ActionLabel == "" {
			row.ActionLabel = e.Action
		}
		if _, err := strconv.ParseInt(e.EntityID, 10, 64); err == nil {
			switch e.Entity {
			case "unit":
				row.Link = "/console/units/" + e.EntityID
			case "service_point":
				row.Link = "/console/points/" + e.EntityID + "/poster"
			}
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(c, http.StatusOK, "console/audit.html", d)
}
