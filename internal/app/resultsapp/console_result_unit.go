package resultsapp

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
	"minyi/internal/units"
	"minyi/internal/users"
)

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
	// Receipt is the unit's receipt of the preliminary result and its
	// review window (nil before the preliminary results or when they do
	// not list the unit); CanSign: the unit may sign for it;
	// CanRecordDelivery: the office may record its paper delivery.
	Receipt           *results.UnitReceipt
	ReceiptState      string
	CanSign           bool
	CanRecordDelivery bool
	Today             string
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

// UnitResultPage shows one unit's result page.
func (s *Handlers) UnitResultPage(c *gin.Context) { s.showUnitResult(c, http.StatusOK, "", nil) }

func (s *Handlers) showUnitResult(c *gin.Context, status int, errMsg string, form map[string]string) {
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
		MaxFiles: results.MaxUploads, Link: resultsLink(cy.ID), ScoreLink: cyclePath(cy.ID) + "/scores/" + strconv.FormatInt(unitID, 10)}
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
			a, err := results.ComputeRanking(c, tx, s.Config.Location, s.Now(), cy.ID, s.Config.UnitCategories, unitID)
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
		if d.Unit.ID == 0 { // a unit's own page before anything is published
			un, err := units.FindUnit(c, tx, unitID)
			if err != nil {
				return err
			}
			d.Unit = results.Unit{ID: un.ID, Name: un.Name, ShortCode: un.ShortCode, Category: un.Category}
		}
		if d.Status.Preliminary != nil {
			r, err := results.FindReceipt(c, tx, s.Config.Location, s.Now(), cy.ID, unitID)
			if err == nil {
				d.Receipt = &r
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
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
	if u.Role != users.RoleOffice { // the answers behind a result are the office's
		for _, v := range []*resultLineView{d.PublishedView, d.DraftView} {
			for i := range nodesOf(v) {
				v.Nodes[i].Link = ""
			}
		}
	}
	if d.Unit.ID == 0 {
		d.Unit.ID = unitID
	}
	d.Today = s.Now().In(s.Config.Location).Format("2006-01-02")
	if r := d.Receipt; r != nil {
		d.ReceiptState = results.ReceiptLabel(r.Basis)
		open := d.Status.Final == nil
		d.CanSign = open && r.Kind == nil && u.Role == users.RoleUnit && u.UnitID != nil && *u.UnitID == unitID
		d.CanRecordDelivery = open && r.Kind == nil && u.Role == users.RoleOffice
		if d.Appeal == nil && u.Role == users.RoleUnit && d.Published != nil && !d.Status.IsFinal() {
			d.CanApply = r.WindowOpen
		}
	}
	d.CanReport = d.OwesReport && u.Role == users.RoleUnit && (d.Report == nil || d.Report.ReceivedAt == nil)
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
func (s *Handlers) unitResultSubmit(c *gin.Context, form map[string]string, flash string, check func(u users.User, unitID int64) error,
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

// ApplySubmit files the unit's application for review from its result page,
// with its evidence files.
func (s *Handlers) ApplySubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "appeal", "grounds", "evidence_note")
	s.unitResultSubmit(c, form, "appeal_filed", checkAppealer, func(tx pgx.Tx, id, unitID int64, files []results.Upload) error {
		in := results.AppealInput{Grounds: c.PostForm("grounds"), EvidenceNote: c.PostForm("evidence_note"), Files: files}
		_, err := results.Apply(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
		return err
	})
}

// RectificationSubmit submits the unit's written rectification report from
// its result page.
func (s *Handlers) RectificationSubmit(c *gin.Context) {
	form := httpx.PostedForm(c, "rectification", "content")
	s.unitResultSubmit(c, form, "rectification_submitted", checkReporter, func(tx pgx.Tx, id, unitID int64, files []results.Upload) error {
		_, _, err := results.SubmitReport(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID,
			results.ReportInput{Content: c.PostForm("content"), Files: files})
		return err
	})
}

// ReceiveRectificationSubmit records the office's receipt of a unit's
// rectification report; a refusal shows the page with its message.
func (s *Handlers) ReceiveRectificationSubmit(c *gin.Context) {
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
	// Link leads the office to the answers behind a leaf fed by an
	// evaluation instrument; Short flags a result below the instrument's
	// minimum number of answers.
	Link  string
	Short bool
}

func nodesOf(v *resultLineView) []resultNodeView {
	if v == nil {
		return nil
	}
	return v.Nodes
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
		if f := l.Feed(n.Key); f != nil {
			nv.Link = "/console/instruments/" + strconv.FormatInt(f.InstrumentID, 10) + "/units/" + strconv.FormatInt(l.Unit.ID, 10)
			nv.Short = f.Short
		}
		v.Nodes = append(v.Nodes, nv)
	}
	return v
}
