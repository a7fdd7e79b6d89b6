package auditapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/audit"
	"minyi/internal/httpx"
)

func (s *Handlers) APIAudit(c *gin.Context) {
	f := audit.Filter{Entity: c.Query("entity"), EntityID: c.Query("entity_id")}
	var err error
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := audit.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}
