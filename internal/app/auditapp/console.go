package auditapp

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/httpx"
	"minyi/internal/units"
	"minyi/internal/users"
)

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 50

// auditRow is one entry as the page and the export show it.
type auditRow struct {
	At          time.Time
	Actor       string
	ActionLabel string
	EntityLabel string
	Object      string // the record's number, "" when it has none worth showing
	Link        string
	Changes     []audit.Change
}

type auditPageData struct {
	httpx.BasePage
	Q        auditQuery
	Error    string
	Errors   map[string]string
	Entities []audit.Choice
	Actions  []audit.Choice
	Roles    []audit.Choice
	Units    []units.Unit
	Rows     []auditRow
	Pager    httpx.KeysetPager
	Export   httpx.ExportLinks
}

// objectLinks are the pages of the records that have one, by entity.
var objectLinks = map[string]string{
	"unit": "/console/units/", "cycle": "/console/cycles/", "survey": "/console/surveys/",
	"agency": "/console/agencies/", "user": "/console/accounts/", "target_sheet": "/console/targets/",
	"rectification_case": "/console/cases/", "case": "/console/cases/", "evidence_file": "/console/evidence/",
	"workday_year": "/console/workdays/",
}

// actorName is who made a change, in words.
func actorName(e audit.Entry) string {
	switch {
	case e.ActorID == nil && e.Actor == "system":
		return "系统"
	case e.ActorID == nil && e.Actor == "citizen":
		return "群众"
	}
	return e.Actor
}

// rowOf shows one entry: labels in words, the change field by field and
// the link to the record's page.
func (s *Handlers) rowOf(e audit.Entry) auditRow {
	r := auditRow{At: e.At, Actor: actorName(e), EntityLabel: audit.EntityLabel(e.Entity),
		Changes: audit.Diff(e.Entity, e.Before, e.After, s.Config.Location)}
	r.ActionLabel, _ = audit.ActionLabel(e.Action)
	if r.ActionLabel == "" {
		r.ActionLabel = "其他操作"
	}
	if _, err := strconv.ParseInt(e.EntityID, 10, 64); err == nil {
		r.Object = "第 " + e.EntityID + " 号"
		if e.Entity == "service_point" {
			r.Link = "/console/points/" + e.EntityID + "/poster"
		} else if p, ok := objectLinks[e.Entity]; ok {
			r.Link = p + e.EntityID
		}
	}
	return r
}

// roleChoices are the roles an actor filter offers.
func roleChoices() []audit.Choice {
	return []audit.Choice{{Key: users.RoleOffice, Label: users.RoleNames[users.RoleOffice]},
		{Key: users.RoleUnit, Label: users.RoleNames[users.RoleUnit]},
		{Key: users.RoleLeader, Label: users.RoleNames[users.RoleLeader]}}
}

// AuditPage shows the audit log, newest first, for the office: filtered by
// person, role, unit, action, object and dates, paged by cursor.
func (s *Handlers) AuditPage(c *gin.Context) {
	s.showAudit(c, http.StatusOK, "")
}

// showAudit renders the page; msg is an error to show above the list.
func (s *Handlers) showAudit(c *gin.Context, status int, msg string) {
	d := auditPageData{BasePage: s.Base(c, "审计日志", "audit"), Q: readQuery(c), Entities: audit.Entities(),
		Actions: audit.Actions(), Roles: roleChoices()}
	if msg != "" {
		d.Error = msg
	}
	var err error
	if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
		s.ConsoleError(c, err)
		return
	}
	f, err := s.filter(c, d.Q)
	if err == nil {
		err = cursors(c, &f)
	}
	if apperr.Is(err, apperr.Invalid) {
		d.Errors = apperr.From(err).Fields
		if d.Error == "" {
			d.Error = "筛选条件有误，请按提示修改。"
		}
		if m, ok := d.Errors["cursor"]; ok {
			d.Error = m + "，请从第一页重新翻页。"
		}
		s.Render(c, http.StatusUnprocessableEntity, "console/audit.html", d)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	f.Limit = auditPageSize
	list, more, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	total, err := audit.Count(c, s.Pool, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	base := d.Q.values()
	link := func(param, cur string) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		if param != "" {
			v.Set(param, cur)
		}
		if len(v) == 0 {
			return "/console/audit"
		}
		return "/console/audit?" + v.Encode()
	}
	var older, newer string
	if len(list) > 0 {
		first, last := list[0], list[len(list)-1]
		if more && f.Newer == nil || f.Newer != nil {
			older = audit.Cursor{At: last.At, ID: last.ID}.String()
		}
		if f.Older != nil || f.Newer != nil && more {
			newer = audit.Cursor{At: first.At, ID: first.ID}.String()
		}
	}
	d.Pager = httpx.NewKeysetPager(total.N, total.Exact, total.Estimated, "条", older, newer,
		f.Older != nil || f.Newer != nil, link)
	d.Export = httpx.NewExportLinks("/console/audit", base)
	for _, e := range list {
		d.Rows = append(d.Rows, s.rowOf(e))
	}
	s.Render(c, status, "console/audit.html", d)
}
