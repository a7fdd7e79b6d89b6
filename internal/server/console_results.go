package server

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
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
}

func (s *Server) cycleFromPath(c *gin.Context) (cycles.Cycle, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return cycles.Cycle{}, err
	}
	return cycles.FindCycle(c, s.Pool, id)
}

func resultsLink(cycleID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/results"
}

// resultsPage: a unit-role user is sent to the own unit's result.
func (s *Server) resultsPage(c *gin.Context) {
	u := httpx.CurrentUser(c)
	if u.Role != users.RoleOffice {
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

func (s *Server) showResults(c *gin.Context, status int, errMsg string) {
	cy, err := s.cycleFromPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := resultsPageData{BasePage: s.Base(c, cy.Name+" · 考核结果", "cycles"), Cycle: cy, View: "draft", Error: errMsg,
		Link: resultsLink(cy.ID)}
	if c.Query("view") == "published" {
		d.View = "published"
	}
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if d.Status, err = results.LoadStatus(c, tx, cy.ID); err != nil {
			return err
		}
		a, err := results.ComputeAll(c, tx, s.Config.Location, s.Now(), cy.ID, s.Config.UnitCategories)
		if err != nil {
			return err
		}
		d.Draft, d.Decimals = &a, a.Settings.Decimals
		d.Categories = a.Categories
		if p := newestPublication(d.Status); p != nil && d.View == "published" {
			cats, err := results.Published(c, tx, p.ID, nil)
			if err != nil {
				return err
			}
			d.Categories = orderCategories(cats, s.Config.UnitCategories)
		} else {
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
	s.Render(c, status, "console/results.html", d)
}

// resultsAction runs fn for the office's form posts and redirects back
// with flash, or shows the page with the refusal.
func (s *Server) resultsAction(c *gin.Context, flash string, fn func(tx pgx.Tx, cycleID int64) error) {
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
	return results.PublishInput{ShowComposite: &show, Note: c.PostForm("note")}
}

func (s *Server) publishPreliminarySubmit(c *gin.Context) {
	s.resultsAction(c, "results_preliminary", func(tx pgx.Tx, id int64) error {
		_, err := results.PublishPreliminary(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories, publishForm(c))
		return err
	})
}

func (s *Server) publishFinalSubmit(c *gin.Context) {
	s.resultsAction(c, "results_final", func(tx pgx.Tx, id int64) error {
		_, err := results.PublishFinal(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, s.Config.UnitCategories, publishForm(c))
		return err
	})
}

func (s *Server) reopenResultsSubmit(c *gin.Context) {
	s.resultsAction(c, "results_reopened", func(tx pgx.Tx, id int64) error {
		_, err := results.Reopen(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, c.PostForm("reason"))
		return err
	})
}

func (s *Server) answerAppealSubmit(c *gin.Context) {
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

func (s *Server) staffCountSubmit(c *gin.Context) {
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

// unitResultData is one unit's result page: the published line (and for
// the office the draft recomputed now) down to every entry, and the
// application for review.
type unitResultData struct {
	httpx.BasePage
	Cycle     cycles.Cycle
	Unit      results.Unit
	Status    results.Status
	Published *results.Line
	Draft     *results.Line
	// PublishedView and DraftView are the lines as shown.
	PublishedView *resultLineView
	DraftView     *resultLineView
	Appeal        *results.Appeal
	CanApply      bool
	// Form holds the posted fields of a refused form, shown again.
	Form map[string]string
	// OwesReport: the final results make three 合格 in a row for the
	// unit, which owes a written rectification report (Report, nil
	// before it is submitted); CanReport: the unit may (re)submit it.
	OwesReport bool
	Report     *results.Report
	CanReport  bool
	Decimals   int
	Error      string
	Link       string
	ScoreLink  string
	MaxFiles   int
}

func (s *Server) unitResultPage(c *gin.Context) { s.showUnitResult(c, http.StatusOK, "", nil) }

func (s *Server) showUnitResult(c *gin.Context, status int, errMsg string, form map[string]string) {
	cy, err := s.cycleFromPath(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	d := unitResultData{BasePage: s.Base(c, cy.Name+" · 考核结果", "cycles"), Cycle: cy, Error: errMsg, Form: form,
		MaxFiles: results.MaxUploads, Link: resultsLink(cy.ID), ScoreLink: "/console/cycles/" + strconv.FormatInt(cy.ID, 10) + "/scores/" + strconv.FormatInt(unitID, 10)}
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if d.Status, err = results.LoadStatus(c, tx, cy.ID); err != nil {
			return err
		}
		sv, err := assessment.LoadSettings(c, tx, cy.ID)
		if err != nil {
			return err
		}
		d.Decimals = sv.Settings.Decimals
		if u.Role == users.RoleOffice {
			a, err := results.ComputeAll(c, tx, s.Config.Location, s.Now(), cy.ID, s.Config.UnitCategories)
			if err != nil {
				return err
			}
			if d.Draft = a.Line(unitID); d.Draft == nil {
				return apperr.New(apperr.NotFound, "单位不存在")
			}
			d.Unit = d.Draft.Unit
		}
		if p := newestPublication(d.Status); p != nil {
			cats, err := results.Published(c, tx, p.ID, &unitID)
			if err != nil {
				return err
			}
			if len(cats) > 0 {
				d.Published = cats[0].Lines[0]
				d.Unit = d.Published.Unit
			}
		}
		list, err := results.ListAppeals(c, tx, cy.ID, &unitID)
		if err != nil {
			return err
		}
		if len(list) > 0 {
			d.Appeal = &list[0]
		}
		if d.Status.IsFinal() {
			if d.OwesReport, err = results.ThreePass(c, tx, cy.ID, unitID); err != nil {
				return err
			}
		}
		d.Report, err = results.FindReport(c, tx, cy.ID, unitID)
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.PublishedView, d.DraftView = lineView(d.Published, d.Decimals), lineView(d.Draft, d.Decimals)
	if d.Unit.ID == 0 {
		d.Unit.ID = unitID
	}
	if pre := d.Status.Preliminary; pre != nil && d.Appeal == nil && u.Role != users.RoleOffice && d.Published != nil && !d.Status.IsFinal() {
		d.CanApply = s.Now().In(s.Config.Location).Format("2006-01-02") <= *pre.AppealDeadline
	}
	d.CanReport = d.OwesReport && u.Role != users.RoleOffice && (d.Report == nil || d.Report.ReceivedAt == nil)
	if d.Form == nil {
		d.Form = map[string]string{}
	}
	if d.Form["form"] != "rectification" && d.Report != nil {
		d.Form["content"] = d.Report.Content
	}
	s.Render(c, status, "console/result_unit.html", d)
}

// formFiles reads the files chosen in a multipart form's field (at most
// results.MaxUploads; larger files are refused with the size message).
func formFiles(c *gin.Context, field string) ([]results.Upload, error) {
	out := []results.Upload{}
	form, err := c.MultipartForm()
	if err != nil {
		return out, nil
	}
	for _, fh := range form.File[field] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if len(out) == results.MaxUploads {
			return nil, apperr.InvalidField(field, "证明材料最多"+strconv.Itoa(results.MaxUploads)+"个文件")
		}
		data, err := httpx.ReadFormFile(fh, field, assessment.MaxEvidenceBytes, assessment.MsgEvidenceSize)
		if err != nil {
			return nil, apperr.InvalidField(field, "“"+fh.Filename+"”："+apperr.From(err).Message)
		}
		out = append(out, results.Upload{Filename: fh.Filename, Content: data})
	}
	return out, nil
}

// unitResultSubmit handles a unit's form on its result page: check may
// refuse the user; save runs in a transaction with the form's files. A
// refused form is shown again with its fields (form); success redirects
// back with flash.
func (s *Server) unitResultSubmit(c *gin.Context, form map[string]string, flash string, check func(u users.User, unitID int64) error,
	save func(tx pgx.Tx, cycleID, unitID int64, files []results.Upload) error) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = check(httpx.CurrentUser(c), unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	files, err := formFiles(c, "files")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return save(tx, id, unitID, files) })
	}
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Conflict || e.Code == apperr.Invalid {
			s.showUnitResult(c, apperr.Status(e.Code), refusalText(err), form)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, resultsLink(id)+"/"+strconv.FormatInt(unitID, 10), flash)
}

// refusalText is a refusal as one line: an invalid error's field
// messages (in field order), else its message.
func refusalText(err error) string {
	fields, ok := httpx.FieldErrors(err)
	if !ok {
		return apperr.From(err).Message
	}
	keys := slices.Sorted(maps.Keys(fields))
	msgs := make([]string, len(keys))
	for i, k := range keys {
		msgs[i] = fields[k]
	}
	return strings.Join(msgs, "；")
}

func (s *Server) applySubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "appeal", "grounds", "evidence_note")
	s.unitResultSubmit(c, form, "appeal_filed", checkAppealer, func(tx pgx.Tx, id, unitID int64, files []results.Upload) error {
		in := results.AppealInput{Grounds: c.PostForm("grounds"), EvidenceNote: c.PostForm("evidence_note"), Files: files}
		_, err := results.Apply(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
		return err
	})
}

func (s *Server) rectificationSubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "rectification", "content")
	s.unitResultSubmit(c, form, "rectification_submitted", checkReporter, func(tx pgx.Tx, id, unitID int64, files []results.Upload) error {
		_, _, err := results.SubmitReport(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID,
			results.ReportInput{Content: c.PostForm("content"), Files: files})
		return err
	})
}

func (s *Server) receiveRectificationSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := results.ReceiveReport(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, c.PostForm("note"))
			return err
		})
	}
	if err != nil {
		if e := apperr.From(err); e.Code == apperr.Invalid {
			s.showUnitResult(c, apperr.Status(e.Code), refusalText(err), nil)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, resultsLink(id)+"/"+strconv.FormatInt(unitID, 10)+"#rectification", "rectification_received")
}

// resultLineView is a line as the unit result page shows it.
type resultLineView struct {
	Line        *results.Line
	Decimals    int
	Nodes       []resultNodeView
	PublicScore string
}

// resultNodeView is one node of the computed scheme, indented by depth.
type resultNodeView struct {
	Key, Name, Assessor, Rule, Max, Value, Formula string
	Indent                                         int
	NA                                             bool
}

func lineView(l *results.Line, decimals int) *resultLineView {
	if l == nil {
		return nil
	}
	v := &resultLineView{Line: l, Decimals: decimals, PublicScore: "尚无"}
	if l.PublicScore != nil {
		v.PublicScore = results.FormatPoints(*l.PublicScore, 2)
	}
	for _, n := range l.Scheme.Nodes {
		nv := resultNodeView{Key: n.Key, Name: n.Name, Rule: n.Rule, Max: strconv.FormatFloat(n.Max, 'f', -1, 64), Value: "—", Formula: n.Formula,
			Indent: 8 + 18*n.Depth, NA: n.NotApplicable}
		if n.Assessor != nil {
			nv.Assessor = n.Assessor.Name
		}
		if n.Value != nil {
			nv.Value = results.FormatPoints(*n.Value, 2)
		}
		v.Nodes = append(v.Nodes, nv)
	}
	return v
}
