package searchapp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/search"
)

// APISearch is the console-wide search for API clients (GET
// /api/v1/search?q=): what the search page shows, as JSON — the records q
// names directly ("direct": ratings by reference, 办件编号 or phone,
// cases by number, survey respondents by phone for the office) and the
// first hits of each list the viewer may read ("lists", each with its
// total and the list's own API filtered by the keyword). Unlike the page
// it never redirects: a client opens a single direct hit itself.
func (s *Handlers) APISearch(c *gin.Context) {
	raw := strings.TrimSpace(c.Query("q"))
	if raw == "" {
		s.APIError(c, apperr.InvalidField("q", "q 不能为空"))
		return
	}
	k, err := search.Parse(raw)
	if err != nil {
		s.APIError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	out := found{}
	if out.Direct, err = s.direct(c, u, raw); err == nil {
		out.Lists, err = s.lists(c, u, k)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	for i := range out.Lists {
		if out.Lists[i].Items == nil {
			out.Lists[i].Items = []hit{}
		}
	}
	if out.Direct == nil {
		out.Direct = []hit{}
	}
	c.JSON(http.StatusOK, gin.H{"q": raw, "direct": out.Direct, "lists": out.Lists})
}
