// Package reportsapp serves the printable monthly and quarterly reports
// (月报 / 季报) of internal/reports to the office and the leaders: the list
// of recent periods and one period's report, a page that prints on A4.
package reportsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/reports"
)

// Handlers serve the reports; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Months and quarters the list offers.
const (
	listMonths   = 12
	listQuarters = 8
)

// SeesAll lets the office and the leaders through: a report covers every
// unit, so a unit's account is refused.
func (s *Handlers) SeesAll(c *gin.Context) {
	if !httpx.CurrentUser(c).SeesAll() {
		s.ErrorPage(c, http.StatusForbidden, "无权访问", "月报和季报只有绩效办和领导可以查看。")
		return
	}
	c.Next()
}

type periodLink struct {
	Label, Range, Link string
	Running            bool
}

type listPage struct {
	httpx.BasePage
	Months, Quarters []periodLink
}

// ListPage lists the last twelve months and the last eight quarters, the
// running one first and marked as such.
func (s *Handlers) ListPage(c *gin.Context) {
	today := reports.Day(s.Now(), s.Config.Location)
	d := listPage{BasePage: s.Base(c, "月报季报", "reports")}
	links := func(kind string, n int) []periodLink {
		var out []periodLink
		for _, p := range reports.Recent(kind, today, n) {
			sp := p.SpanOn(today)
			out = append(out, periodLink{Label: p.Label() + p.Title(), Link: "/console/reports/" + p.String(),
				Range: dateText(sp.From) + " 至 " + dateText(sp.To), Running: sp.Running})
		}
		return out
	}
	d.Months, d.Quarters = links(reports.Month, listMonths), links(reports.Quarter, listQuarters)
	s.Render(c, http.StatusOK, "console/reports.html", d)
}

// ReportPage shows one period's report (:period is 2026-11 or 2026-Q3); a
// period that does not exist or has not started is not found.
func (s *Handlers) ReportPage(c *gin.Context) {
	p, err := reports.ParsePeriod(c.Param("period"))
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	now := s.Now()
	r, err := reports.Build(c, s.Pool, reports.Input{Period: p, Now: now, Loc: s.Config.Location, LevelPoints: s.Config.LevelPoints})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := s.view(c, r, now)
	s.Render(c, http.StatusOK, "console/report.html", d)
}
