package resultsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/charts"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"minyi/internal/users"
)

// resultsPageData is the office's results page: the stage, the rankings
// per category (the draft recomputed now, or the newest publication with
// ?view=published), the incomplete units, the applications for review,
// and after the final publication the use of results.
type resultsPageData struct {
	httpx.BasePage
	Cycle      cycles.Cycle
	Status     results.Status
	View       string // "draft" or "published"
	Categories []results.Category
	Draft      *results.Assessment
	Appeals    []results.Appeal
	Uses       []results.UnitUse
	// ReportsMissing names the units owing a rectification report that
	// have not submitted it.
	ReportsMissing []string
	Pending        int
	Error          string
	Decimals       int
	Link           string
	// Approvals: the cycle's approvers of results, publication choice and
	// the requests for approval of the final results.
	Approvals resultApprovals
	// GradesChart counts the grades per category; CategoryCharts[i] are
	// the charts of Categories[i].
	GradesChart    charts.Chart
	CategoryCharts []categoryCharts
	// ManySchemes: the lines name each unit's scheme (manySchemes).
	ManySchemes bool
}

// manySchemes reports whether a line shown was scored on a scheme group's
// scheme, when the page names each unit's scheme. It is worked out once
// into the page's ManySchemes: as a method the template called it on every
// line, and each call copied the page and walked every line (1,000 units:
// two million steps, a third of the page's time).
func manySchemes(cats []results.Category) bool {
	for _, c := range cats {
		for _, l := range c.Lines {
			if l.ScoredOn.GroupID != nil {
				return true
			}
		}
	}
	return false
}

func (s *Handlers) cycleFromPath(c *gin.Context) (cycles.Cycle, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return cycles.Cycle{}, err
	}
	return cycles.FindCycle(c, s.Pool, id)
}

func cyclePath(id int64) string { return "/console/cycles/" + strconv.FormatInt(id, 10) }

func resultsLink(cycleID int64) string { return cyclePath(cycleID) + "/results" }

// ResultsPage: a unit-role user is sent to the own unit's result; a
// leader sees the published results only.
func (s *Handlers) ResultsPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	if !u.SeesAll() {
		id, err := httpx.IDParam(c, "id")
		if err != nil || u.UnitID == nil {
			s.ConsoleError(c, apperr.New(apperr.Forbidden, "该账号未关联单位，无权查看考核结果"))
			return
		}
		c.Redirect(http.StatusSeeOther, resultsLink(id)+"/"+strconv.FormatInt(*u.UnitID, 10))
		return
	}
	s.showResults(c, http.StatusOK, "")
}

func (s *Handlers) showResults(c *gin.Context, status int, errMsg string) {
	cy, err := s.cycleFromPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := resultsPageData{BasePage: s.Base(c, cy.Name+" · 考核结果", "cycles"), Cycle: cy, View: "draft", Error: errMsg,
		Link: resultsLink(cy.ID)}
	leader := httpx.CurrentUser(c).Role == users.RoleLeader
	if c.Query("view") == "published" || leader {
		d.View = "published"
	}
	var passMin float64
	var prev results.Previous
	var hasPrev bool
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if prev, hasPrev, err = results.FindPrevious(c, tx, cy); err != nil {
			return err
		}
		if d.Status, err = results.LoadStatus(c, tx, cy.ID); err != nil {
			return err
		}
		if leader { // the published results only, never the draft
			sv, err := assessment.LoadSettings(c, tx, cy.ID)
			if err != nil {
				return err
			}
			d.Decimals, passMin = sv.Settings.Decimals, sv.Settings.PassMin
		} else {
			a, err := results.ComputeRanking(c, tx, s.Config.Location, s.Now(), cy.ID, s.Config.UnitCategories, 0)
			if err != nil {
				return err
			}
			d.Draft, d.Decimals = &a, a.Settings.Decimals
			d.Categories = a.Categories
			passMin = a.Settings.PassMin
		}
		if p := newestPublication(d.Status); p != nil && d.View == "published" {
			cats, err := results.Published(c, tx, p.ID, nil)
			if err != nil {
				return err
			}
			d.Categories = orderCategories(cats, s.categoryOrder(c, tx, cy.ID))
		} else if !leader {
			d.View = "draft"
		}
		if d.Appeals, err = results.ListAppeals(c, tx, cy.ID, nil); err != nil {
			return err
		}
		for _, a := range d.Appeals {
			if a.Status == results.AppealPending {
				d.Pending++
			}
		}
		if d.Approvals, err = loadResultApprovals(c, tx, cy.ID); err != nil {
			return err
		}
		if d.Uses, err = results.Uses(c, tx, cy.ID); err != nil {
			return err
		}
		for _, u := range d.Uses {
			if u.Report == results.ReportMissing {
				d.ReportsMissing = append(d.ReportsMissing, u.Unit.Name)
			}
		}
		return nil
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var p *results.Previous
	if hasPrev {
		p = &prev
	}
	d.GradesChart, d.CategoryCharts = resultCharts(d.Categories, passMin, d.Decimals, p)
	d.ManySchemes = manySchemes(d.Categories)
	s.Render(c, status, "console/results.html", d)
}

// resultsAction runs fn for the office's form posts and redirects back
// with flash, or shows the page with the refusal.
func (s *Handlers) resultsAction(c *gin.Context, flash string, fn func(tx pgx.Tx, cycleID int64) error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, id) })
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Conflict || e.Code == apperr.Invalid {
			s.showResults(c, apperr.Status(e.Code), e.Message)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, resultsLink(id), flash)
}

func publishForm(c *gin.Context) results.PublishInput {
	show := c.PostForm("show_composite") == "1"
	return results.PublishInput{ShowComposite: &show, Note: c.PostForm("note"), ProvisionalReason: c.PostForm("provisional_reason")}
}

// PublishPreliminarySubmit publishes the preliminary results from the results
// page.
func (s *Handlers) PublishPreliminarySubmit(c *gin.Context) {
	s.resultsAction(c, "results_preliminary", func(tx pgx.Tx, id int64) error {
		_, err := results.PublishPreliminary(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories, publishForm(c))
		return err
	})
}

// PublishFinalSubmit publishes the final results from the results page.
func (s *Handlers) PublishFinalSubmit(c *gin.Context) {
	s.resultsAction(c, "results_final", func(tx pgx.Tx, id int64) error {
		_, err := results.PublishFinal(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories, publishForm(c))
		return err
	})
}

// ReopenResultsSubmit reopens the final results from the results page.
func (s *Handlers) ReopenResultsSubmit(c *gin.Context) {
	s.resultsAction(c, "results_reopened", func(tx pgx.Tx, id int64) error {
		_, err := results.Reopen(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, c.PostForm("reason"))
		return err
	})
}

// AnswerAppealSubmit answers an application for review from the results page.
func (s *Handlers) AnswerAppealSubmit(c *gin.Context) {
	appealID, err := httpx.IDParam(c, "appeal_id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.resultsAction(c, "appeal_answered", func(tx pgx.Tx, id int64) error {
		_, err := results.AnswerAppeal(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, appealID,
			results.AnswerInput{Status: c.PostForm("status"), Answer: c.PostForm("answer")})
		return err
	})
}

// StaffCountSubmit saves a unit's number of civil servants from the results
// page.
func (s *Handlers) StaffCountSubmit(c *gin.Context) {
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.resultsAction(c, "staff_count_saved", func(tx pgx.Tx, id int64) error {
		n, err := httpx.ParseInt(c.PostForm("staff_count"))
		if err != nil {
			return apperr.InvalidField("staff_count", "公务员人数须为0到100000之间的整数")
		}
		return results.SetStaffCount(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, n)
	})
}
