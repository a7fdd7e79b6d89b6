package assessmentapp

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/width"

	"minyi/internal/httpx"
)

// unitsPerPage is how many units a page of the assessment's unit tables
// (the overview and the entry table) shows.
const unitsPerPage = 50

// maxUnitSearch is the longest unit-name search kept, in characters.
const maxUnitSearch = 50

// unitListQuery is how a unit table is paged and searched: ?page= (from 1)
// and ?q=, a part of the unit's name; ?group= is the scheme group whose
// units the entry table shows, when the cycle has groups.
type unitListQuery struct {
	Page   int
	Search string
	Group  string
}

// readUnitListQuery reads ?page= and ?q= of the request's URL; forms that
// post from a unit table carry both in their action. It reads the URL
// itself rather than through gin's query cache, so that a handler may
// still rewrite the URL's query afterwards for the page it shows.
func readUnitListQuery(c *gin.Context) unitListQuery {
	v := c.Request.URL.Query()
	q := strings.TrimSpace(v.Get("q"))
	if r := []rune(q); len(r) > maxUnitSearch {
		q = string(r[:maxUnitSearch])
	}
	g := v.Get("group")
	if _, err := strconv.ParseInt(g, 10, 64); err != nil {
		g = ""
	}
	return unitListQuery{Page: httpx.PageNumber(v.Get("page")), Search: q, Group: g}
}

// values are the query's parameters, without page 1 and an empty search.
func (q unitListQuery) values() url.Values {
	v := url.Values{}
	if q.Group != "" {
		v.Set("group", q.Group)
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	return v
}

// encode is the query string of the query; extra parameters (unit_id)
// come first as name, value pairs.
func (q unitListQuery) encode(extra ...string) string {
	var parts []string
	for i := 0; i+1 < len(extra); i += 2 {
		parts = append(parts, url.QueryEscape(extra[i])+"="+url.QueryEscape(extra[i+1]))
	}
	if enc := q.values().Encode(); enc != "" {
		parts = append(parts, enc)
	}
	return strings.Join(parts, "&")
}

// link is path with the query (see encode).
func (q unitListQuery) link(path string, extra ...string) string {
	if enc := q.encode(extra...); enc != "" {
		return path + "?" + enc
	}
	return path
}

// foldName prepares a unit name or a search for matching: full-width
// letters, digits and spaces become half-width, letters lower case, and
// spaces go, so "市 财政" finds 市财政局 and "ＸＸ" finds xx.
func foldName(s string) string {
	s = strings.ToLower(width.Fold.String(s))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// unitPage is one page of a unit table: the positions in the full list of
// the units it shows, and what the page says about the list.
type unitPage struct {
	// Shown are indexes into the full list, in its order.
	Shown []int
	// Query is the page actually shown (a page past the end shows the
	// last; a focused unit moves to its page and may drop the search).
	Query unitListQuery
	View  unitListView
}

// unitListView is what a unit table shows around its rows: the search form,
// how many units match and the pager (the "unit-search" and "unit-pager"
// blocks of web/templates/partials/unitlist.html).
type unitListView struct {
	// Action is the table's page without parameters, the search form's
	// target and the "clear" link.
	Action string
	Search string
	// Group is kept by the search form (the entry table's scheme group).
	Group string
	// Matches is how many units the search finds; All how many units there are.
	Matches, All int
	Pager        httpx.Pager
}

// pageUnits pages a list of n units (name and id give each one's name and
// id) under q for the page at path. focus, when not 0, is a unit the page
// must show (a refused row): the page becomes the one it is on, searched
// by q when its name matches and unsearched otherwise.
func pageUnits(n int, name func(int) string, id func(int) int64, q unitListQuery, focus int64, path string) unitPage {
	matching := func(search string) []int {
		want := foldName(search)
		out := make([]int, 0, n)
		for i := 0; i < n; i++ {
			if want == "" || strings.Contains(foldName(name(i)), want) {
				out = append(out, i)
			}
		}
		return out
	}
	idx := matching(q.Search)
	if focus != 0 {
		pos := indexOfUnit(idx, id, focus)
		if pos < 0 && q.Search != "" {
			q.Search = ""
			idx = matching("")
			pos = indexOfUnit(idx, id, focus)
		}
		if pos >= 0 {
			q.Page = pos/unitsPerPage + 1
		}
	}
	pages := max(1, (len(idx)+unitsPerPage-1)/unitsPerPage)
	q.Page = min(max(q.Page, 1), pages)
	from := (q.Page - 1) * unitsPerPage
	p := unitPage{Shown: idx[from:min(from+unitsPerPage, len(idx))], Query: q,
		View: unitListView{Action: path, Search: q.Search, Group: q.Group, Matches: len(idx), All: n}}
	p.View.Pager = httpx.NewPager(q.Page, unitsPerPage, len(idx), func(page int) string {
		return unitListQuery{Page: page, Search: q.Search, Group: q.Group}.link(path)
	})
	p.View.Pager.Unit = "个"
	return p
}

// indexOfUnit is the position in idx of the unit with id want, or -1.
func indexOfUnit(idx []int, id func(int) int64, want int64) int {
	for pos, i := range idx {
		if id(i) == want {
			return pos
		}
	}
	return -1
}

// unitPageOf is the page of the unit with id within the list under q (its
// search dropped when the unit does not match): the query of the page
// that shows the unit.
func unitPageOf(n int, name func(int) string, id func(int) int64, q unitListQuery, unitID int64) unitListQuery {
	return pageUnits(n, name, id, q, unitID, "").Query
}
