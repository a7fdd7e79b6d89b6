package searchapp

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/search"
	"minyi/internal/users"
)

// hitRow is one hit as the page shows it.
type hitRow struct {
	Title string        // the unit
	Meta  string        // when, and what it is
	Text  template.HTML // the text, escaped, with the terms marked
	URL   string
}

// section is the first hits of one list and the link to all of them.
type section struct {
	ID, Title, Link, Total, Empty string
	Rows                          []hitRow
}

type searchPageData struct {
	httpx.BasePage
	Q      string
	Error  string
	Direct []hitRow
	// Phones says the viewer may look a phone number up.
	Phones   bool
	Sections []section
	// Queue links the office to the review queue with the keyword.
	Queue string
}

// SearchPage is the console-wide search: the records q names directly,
// then the first keyword hits of each list the viewer may read, a unit's
// staff their unit's only. A single direct hit of an unambiguous kind (a
// reference, a 办件编号, a phone number, "#123") is opened at once.
func (s *Handlers) SearchPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	d := searchPageData{BasePage: s.Base(c, "搜索", "search"), Q: strings.TrimSpace(c.Query("q")), Phones: s.phones(u)}
	if d.Q == "" {
		s.Render(c, http.StatusOK, "console/search.html", d)
		return
	}
	k, err := search.Parse(d.Q)
	if err != nil {
		d.Error = apperr.From(err).Fields["q"]
		s.Render(c, http.StatusUnprocessableEntity, "console/search.html", d)
		return
	}
	direct, err := s.direct(c, u, d.Q)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if len(direct) == 1 && (direct[0].Via != "案件编号" || !isDigits(d.Q)) {
		httpx.Redirect(c, direct[0].URL, "")
		return
	}
	for _, h := range direct {
		title := h.UnitName
		if title == "" {
			title = h.Text
		}
		d.Direct = append(d.Direct, hitRow{Title: title, Meta: h.meta, URL: h.URL, Text: template.HTML(template.HTMLEscapeString(h.Text))})
	}
	lists, err := s.lists(c, u, k)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, l := range lists {
		sec := section{ID: "hits-" + l.Kind, Title: l.Title, Link: l.Link, Empty: l.empty,
			Total: totalText(l.Total, l.TotalExact, l.TotalEstimated)}
		for _, h := range l.Items {
			sec.Rows = append(sec.Rows, hitRow{Title: h.UnitName, Meta: h.meta, Text: search.Highlight(h.Text, k), URL: h.URL})
		}
		d.Sections = append(d.Sections, sec)
	}
	if u.Role == users.RoleOffice {
		d.Queue = "/console/feedback?" + url.Values{"q": {d.Q}, "status": {"all"}, "tone": {"all"}}.Encode()
	}
	s.Render(c, http.StatusOK, "console/search.html", d)
}

// totalText is a list's total as the lists word it.
func totalText(n int, exact, estimated bool) string {
	switch {
	case estimated:
		return "约 " + strconv.Itoa(n) + " 条"
	case !exact:
		return "超过 " + strconv.Itoa(n) + " 条"
	}
	return "共 " + strconv.Itoa(n) + " 条"
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
