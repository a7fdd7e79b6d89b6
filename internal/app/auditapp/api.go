package auditapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/httpx"
)

// apiEntry is an entry as the API returns it: the stored record with the
// labels and the change field by field the page shows.
type apiEntry struct {
	audit.Entry
	ActionLabel string         `json:"action_label"`
	EntityLabel string         `json:"entity_label"`
	Changes     []audit.Change `json:"changes"`
}

// APIAudit lists audit entries newest first with the page's filters
// (person, role, unit_id, action, entity, entity_id, from, to), paged by
// limit and offset or by cursor= (next_cursor of the previous answer).
func (s *Handlers) APIAudit(c *gin.Context) {
	f, err := s.filter(c, readQuery(c))
	if err != nil {
		s.APIError(c, err)
		return
	}
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	if v := c.Query("cursor"); v != "" {
		if f.Older, err = audit.ParseCursor(v); err != nil || f.Offset > 0 {
			s.APIError(c, apperr.InvalidField("cursor", "cursor 应为上一页答复中的 next_cursor，且不能与 offset 同用"))
			return
		}
	}
	list, more, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	total, err := audit.Count(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	items := make([]apiEntry, len(list))
	for i, e := range list {
		r := s.rowOf(e)
		items[i] = apiEntry{Entry: e, ActionLabel: r.ActionLabel, EntityLabel: r.EntityLabel, Changes: r.Changes}
	}
	out := gin.H{"total": total.N, "total_exact": total.Exact, "items": items}
	if more && len(list) > 0 {
		last := list[len(list)-1]
		out["next_cursor"] = audit.Cursor{At: last.At, ID: last.ID}.String()
	}
	c.JSON(http.StatusOK, out)
}
