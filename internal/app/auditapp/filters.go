package auditapp

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// auditQuery is the audit log's filter as the request gave it, kept to
// show the form again and to build page and export links.
type auditQuery struct {
	Person, Role, UnitID, Action, Entity, EntityID, From, To string
}

// readQuery reads the filter from the query string.
func readQuery(c *gin.Context) auditQuery { return readValues(c.Request.URL.Query()) }

// readValues reads the filter from query parameters.
func readValues(q url.Values) auditQuery {
	g := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return auditQuery{Person: g("person"), Role: g("role"), UnitID: g("unit_id"), Action: g("action"),
		Entity: g("entity"), EntityID: g("entity_id"), From: g("from"), To: g("to")}
}

// values are the query's non-empty parameters.
func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"person": q.Person, "role": q.Role, "unit_id": q.UnitID, "action": q.Action,
		"entity": q.Entity, "entity_id": q.EntityID, "from": q.From, "to": q.To} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// filter parses the query into an audit filter; bad values come back as
// invalid with a Chinese message per field.
func (s *Handlers) filter(ctx context.Context, q auditQuery) (audit.Filter, error) {
	var f audit.Filter
	bad := apperr.Fields{}
	if q.Action != "" {
		if _, ok := audit.ActionLabel(q.Action); !ok {
			bad.Add("action", "没有这种操作，请从列表中选择")
		}
		f.Action = q.Action
	}
	if q.Entity != "" {
		if !audit.KnownEntity(q.Entity) {
			bad.Add("entity", "没有这种对象，请从列表中选择")
		}
		f.Entity = q.Entity
	}
	if q.EntityID != "" {
		if utf8.RuneCountInString(q.EntityID) > 100 {
			bad.Add("entity_id", "对象编号过长")
		}
		f.EntityID = q.EntityID
	}
	if q.Role != "" {
		if _, ok := users.RoleNames[q.Role]; !ok {
			bad.Add("role", "没有这种角色，请从列表中选择")
		}
	}
	var unitID int64
	if q.UnitID != "" {
		n, err := strconv.ParseInt(q.UnitID, 10, 64)
		if err != nil || n <= 0 {
			bad.Add("unit_id", "单位无效，请从列表中选择")
		}
		unitID = n
	}
	if utf8.RuneCountInString(q.Person) > 40 {
		bad.Add("person", "操作人最多 40 个字")
	}
	loc := s.Config.Location
	from, ok := httpx.ParseTime(q.From, loc, false)
	if !ok {
		bad.Add("from", "起始日期格式应为 2026-01-31")
	} else if from != nil {
		f.From = *from
	}
	to, ok := httpx.ParseTime(q.To, loc, true)
	if !ok {
		bad.Add("to", "截止日期格式应为 2026-01-31")
	} else if to != nil {
		f.To = *to
	}
	if from != nil && to != nil && !from.Before(*to) {
		bad.Add("to", "截止日期不能早于起始日期")
	}
	if err := bad.Err(); err != nil {
		return f, err
	}
	if q.Person != "" || q.Role != "" || unitID != 0 {
		ids, err := audit.Actors(ctx, s.Pool, q.Person, q.Role, unitID)
		if err != nil {
			return f, err
		}
		f.ByActor, f.Actors = true, ids
	}
	return f, nil
}

// cursors reads the page's older= and newer= cursors into f.
func cursors(c *gin.Context, f *audit.Filter) error {
	o, n := c.Query("older"), c.Query("newer")
	if o != "" && n != "" {
		return apperr.InvalidField("cursor", "翻页位置无效")
	}
	var err error
	if o != "" {
		f.Older, err = audit.ParseCursor(o)
	} else if n != "" {
		f.Newer, err = audit.ParseCursor(n)
	}
	if err != nil {
		return apperr.InvalidField("cursor", "翻页位置无效")
	}
	return nil
}
