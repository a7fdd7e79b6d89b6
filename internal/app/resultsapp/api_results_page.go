package resultsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/results"
)

// GET /cycles/:id/results pages its units (issue 12): with 1,000 units the
// whole view was 9.4 MB of JSON and most of the answer's time. The results
// are still computed and ranked over every unit; a page only cuts which
// units' lines are sent.
const (
	resultsPageDefault = 100
	resultsPageMax     = 1000
)

// resultsPage is one page of the results view: the view with the lines of
// the page's units only, and the paging. Everything else (status, the
// draft's cycle, settings and incomplete units, every category with its
// counts and quotas, appeals) is the same on every page.
type resultsPage struct {
	resultsView
	// Total counts the units of the view: the draft's (office), then any
	// only in the publication; a unit account's own (0 or 1).
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// viewUnits lists the view's units in the order they are paged: the
// draft's categories and lines as ranked, then the units only the newest
// publication has (removed since), in its order.
func viewUnits(v resultsView) []int64 {
	seen := map[int64]bool{}
	var out []int64
	add := func(cats []results.Category) {
		for _, c := range cats {
			for _, l := range c.Lines {
				if !seen[l.Unit.ID] {
					seen[l.Unit.ID] = true
					out = append(out, l.Unit.ID)
				}
			}
		}
	}
	if v.Draft != nil {
		add(v.Draft.Categories)
	}
	add(v.Published)
	return out
}

// pageLines keeps the lines of the units in keep; every category stays,
// with no lines when none of its units is on the page.
func pageLines(cats []results.Category, keep map[int64]bool) []results.Category {
	if cats == nil {
		return nil
	}
	out := make([]results.Category, len(cats))
	for i, c := range cats {
		lines := make([]*results.Line, 0, len(c.Lines))
		for _, l := range c.Lines {
			if keep[l.Unit.ID] {
				lines = append(lines, l)
			}
		}
		c.Lines = lines
		out[i] = c
	}
	return out
}

// page cuts the view to the units at offset..offset+limit of viewUnits.
func (v resultsView) page(limit, offset int) resultsPage {
	ids := viewUnits(v)
	p := resultsPage{Total: len(ids), Limit: limit, Offset: offset}
	keep := map[int64]bool{}
	for i := offset; i < len(ids) && i < offset+limit; i++ {
		keep[ids[i]] = true
	}
	if v.Draft != nil {
		d := *v.Draft
		d.Categories = pageLines(d.Categories, keep)
		v.Draft = &d
	}
	v.Published = pageLines(v.Published, keep)
	p.resultsView = v
	return p
}

// APIResults answers GET /cycles/:id/results: the office gets the draft and
// the newest publication, a unit its own published line and applications;
// one page of units (limit 1–1000, default 100, and offset).
func (s *Handlers) APIResults(c *gin.Context) {
	limit, offset, err := httpx.PagingMax(c, resultsPageMax)
	if limit == 0 {
		limit = resultsPageDefault
	}
	var v resultsView
	if err == nil {
		v, err = s.loadResultsView(c, nil)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v.page(limit, offset))
}
