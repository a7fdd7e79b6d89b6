package selfevalapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/app/evidenceform"
	"minyi/internal/apperr"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/selfeval"
	"minyi/internal/targets"
)

type reportPageData struct {
	httpx.BasePage
	Cycle       cycles.Cycle
	Period      selfeval.Period
	UnitID      int64
	UnitName    string
	Report      *selfeval.Report
	Status      string
	StatusLabel string
	// CanWrite: the unit's own user; Assessor: an assessor unit reading.
	CanWrite bool
	Assessor bool
	SeesAll  bool
	Body     string
	Errors   map[string]string
	// Indicators are the target indicators the reader sees, with the
	// unit's self-evaluation (the annual period's claims or this period's
	// scores) and evidence files of each.
	Indicators []indicatorRow
	// ScoreForm: the unit enters this period's scores with its report (a
	// period other than the annual one, an approved sheet).
	ScoreForm bool
	// FileBase is where the reader downloads a file (its id appended).
	FileBase string
}

// ReportPage is a unit's report of a period: the unit writes and submits
// it (text and files); the office, leaders and the unit's assessor units
// read it with the indicators' self-evaluation and evidence (an assessor
// only the indicators it assesses).
func (s *Handlers) ReportPage(c *gin.Context) { s.showReport(c, http.StatusOK, nil, nil) }

// showReport renders the page; typed is the refused form as the user
// typed it (nil: as stored), errs the messages by field.
func (s *Handlers) showReport(c *gin.Context, status int, typed *reportForm, errs map[string]string) {
	p, err := s.periodOf(c)
	var unitID int64
	if err == nil {
		unitID, err = unitParam(c)
	}
	var a access
	if err == nil {
		a, err = s.reportAccess(c, p, unitID)
	}
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, p.CycleID)
	}
	var rep reportReply
	if err == nil {
		rep, err = s.reportReply(c, p, unitID, a)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := reportPageData{Cycle: cy, Period: p, UnitID: unitID, Report: rep.Report, Status: rep.Status,
		StatusLabel: selfeval.StatusLabel(rep.Status), CanWrite: a == accessOwn && !httpx.CurrentUser(c).ReadOnly(),
		Assessor: a == accessAssessor, SeesAll: a == accessAll, Errors: errs, FileBase: "/console/evidence/"}
	if err := s.Pool.QueryRow(c, `SELECT name FROM units WHERE id = $1`, unitID).Scan(&d.UnitName); err != nil {
		s.ConsoleError(c, db.Err(err))
		return
	}
	d.BasePage = s.Base(c, d.UnitName+" · "+p.Name, "cycles")
	if rep.Report != nil {
		d.Body = rep.Report.Body
	}
	if typed != nil {
		d.Body = typed.Body
	}
	var views []assessors.IndicatorView
	approved := false
	if d.Assessor {
		me := *httpx.CurrentUser(c).UnitID
		v, err := assessors.LoadUnitView(c, s.Pool, p.CycleID, me, unitID)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		views = v.Indicators
		d.FileBase = "/console/cycles/" + strconv.FormatInt(p.CycleID, 10) + "/assessor/units/" + strconv.FormatInt(unitID, 10) + "/evidence/"
	} else if views, approved, err = s.allIndicators(c, p.CycleID, unitID); err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.ScoreForm = d.CanWrite && !p.Annual && approved && len(views) > 0
	d.Indicators = indicatorRows(views, rep.Report, typed, errs)
	s.Render(c, status, "console/self_eval_report.html", d)
}

// allIndicators returns every current indicator of the unit's sheet with
// its self-evaluation and files (none without a sheet), and whether the
// sheet is approved.
func (s *Handlers) allIndicators(c *gin.Context, cycleID, unitID int64) ([]assessors.IndicatorView, bool, error) {
	sheet, err := targets.FindSheetFor(c, s.Pool, cycleID, unitID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	selfs, err := targets.ListSelfEvaluations(c, s.Pool, sheet.ID)
	if err != nil {
		return nil, false, err
	}
	files, err := targets.ListEvidence(c, s.Pool, sheet.ID)
	if err != nil {
		return nil, false, err
	}
	out := make([]assessors.IndicatorView, 0, len(sheet.Indicators))
	for _, in := range sheet.Indicators {
		iv := assessors.IndicatorView{Indicator: in}
		for _, f := range files {
			if f.IndicatorID == in.ID {
				iv.Files = append(iv.Files, f)
			}
		}
		for i := range selfs {
			if selfs[i].IndicatorID == in.ID {
				iv.SelfEvaluation = &selfs[i]
			}
		}
		out = append(out, iv)
	}
	return out, sheet.Status == targets.StatusApproved, nil
}

// SaveReportSubmit submits or changes the unit's report from its page:
// the text and, when chosen, one file to attach. A refused form is shown
// again with its text and the message beside the field.
func (s *Handlers) SaveReportSubmit(c *gin.Context) {
	p, err := s.periodOf(c)
	var unitID int64
	if err == nil {
		unitID, err = unitParam(c)
	}
	if err == nil {
		err = s.mustOwn(c, p, unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form, in := s.readReportForm(c, p)
	var late bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		actor := httpx.CurrentUser(c).Actor()
		r, err := selfeval.SaveReport(c, tx, actor, p, unitID, in, s.today(), s.Now())
		if err != nil {
			return err
		}
		late = r.Late
		ids, err := evidenceform.Save(c, tx, "file", &unitID)
		if err != nil || len(ids) == 0 {
			return err
		}
		_, err = selfeval.AddFile(c, tx, actor, p, unitID, ids[0], s.Now())
		return err
	})
	s.afterReportWrite(c, p, unitID, form, err, late)
}

// RemoveFileSubmit detaches a file (evidence_id) from the unit's report.
func (s *Handlers) RemoveFileSubmit(c *gin.Context) {
	p, err := s.periodOf(c)
	var unitID int64
	if err == nil {
		unitID, err = unitParam(c)
	}
	if err == nil {
		err = s.mustOwn(c, p, unitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return selfeval.RemoveFile(c, tx, httpx.CurrentUser(c).Actor(), p, unitID, c.PostForm("evidence_id"))
	})
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			s.showReport(c, http.StatusConflict, nil, map[string]string{"_": apperr.From(err).Message})
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, reportPath(p.ID, unitID)+"#files", "self_eval_file_removed")
}

func (s *Handlers) afterReportWrite(c *gin.Context, p selfeval.Period, unitID int64, form *reportForm, err error, late bool) {
	if err == nil {
		flash := "self_eval_report_saved"
		if late {
			flash = "self_eval_report_late"
		}
		httpx.Redirect(c, reportPath(p.ID, unitID), flash)
		return
	}
	fields, ok := s.formErrors(c, err)
	if !ok {
		return
	}
	s.showReport(c, apperr.Status(apperr.CodeOf(err)), form, fields)
}
