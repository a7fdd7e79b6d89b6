package targetsapp

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
)

// maxEditorRows caps the rows an editor post may carry.
const maxEditorRows = targets.MaxIndicators + blankIndicatorRows

// readIndicatorRows reads the editor's rows (ind[i].field, i < rows).
func readIndicatorRows(c *gin.Context) []indicatorRow {
	n, _ := httpx.ParseInt(c.PostForm("rows"))
	n = max(0, min(n, maxEditorRows))
	out := make([]indicatorRow, 0, n)
	for i := range n {
		f := func(name string) string { return c.PostForm("ind[" + strconv.Itoa(i) + "]." + name) }
		out = append(out, indicatorRow{Index: i, ID: f("id"), Name: f("name"), Tasks: f("tasks"), Points: strings.TrimSpace(f("points")),
			Standard: f("standard"), Deadline: strings.TrimSpace(f("deadline")), AssessorUnit: f("assessor_unit"),
			AssessorName: f("assessor_name"), SchemeKey: f("scheme_key"), Remove: f("remove") == "1"})
	}
	return out
}

// blank reports whether a new row was left empty.
func (r indicatorRow) blank() bool {
	return r.ID == "" && strings.TrimSpace(r.Name+r.Tasks+r.Points+r.Standard+r.Deadline+r.AssessorName+r.SchemeKey) == "" &&
		(r.AssessorUnit == "" || r.AssessorUnit == "0")
}

// indicatorInputs turns the rows into input, leaving out blank and removed
// rows; rowOf maps an input's index to its row. A points value that is
// not a number becomes NaN, which validation refuses.
func indicatorInputs(rows []indicatorRow) (list []targets.IndicatorInput, rowOf []int) {
	for i, r := range rows {
		if r.Remove || r.blank() {
			continue
		}
		in := targets.IndicatorInput{Name: r.Name, Tasks: r.Tasks, Standard: r.Standard, Deadline: r.Deadline,
			AssessorName: r.AssessorName, SchemeKey: r.SchemeKey}
		in.ID, _ = strconv.ParseInt(r.ID, 10, 64)
		if r.Points == "" {
			in.Points = 0
		} else if p, err := strconv.ParseFloat(r.Points, 64); err == nil && !math.IsInf(p, 0) {
			in.Points = p
		} else {
			in.Points = math.NaN()
		}
		if id, err := strconv.ParseInt(r.AssessorUnit, 10, 64); err == nil && id > 0 {
			in.AssessorUnitID = &id
		}
		list = append(list, in)
		rowOf = append(rowOf, i)
	}
	return list, rowOf
}

var indexedField = regexp.MustCompile(`^(indicators|items)\[(\d+)\]\.(\w+)$`)

// splitIndexed splits a field like indicators[2].points into its index
// and name.
func splitIndexed(key string) (int, string, bool) {
	m := indexedField.FindStringSubmatch(key)
	if m == nil {
		return 0, "", false
	}
	i, _ := httpx.ParseInt(m[2])
	return i, m[3], true
}

// attachRowErrors puts per-indicator messages on their rows and returns
// the others.
func attachRowErrors(rows []indicatorRow, rowOf []int, errs map[string]string) map[string]string {
	rest := map[string]string{}
	for k, v := range errs {
		i, name, ok := splitIndexed(k)
		if !ok || i >= len(rowOf) {
			rest[k] = v
			continue
		}
		r := &rows[rowOf[i]]
		if r.Errors == nil {
			r.Errors = map[string]string{}
		}
		r.Errors[name] = v
	}
	return rest
}

// lockVersionOf reads the form's lock_version.
func lockVersionOf(c *gin.Context) int {
	n, _ := httpx.ParseInt(c.PostForm("lock_version"))
	return n
}

// editorRefused shows the sheet again with the typed rows and the
// messages of err, an invalid or conflict error. It reports false for any
// other error, which the caller shows as an error page.
func (s *Handlers) editorRefused(c *gin.Context, rows []indicatorRow, rowOf []int, reason string, err error) bool {
	forms := targetForms{Reason: reason}
	switch {
	case apperr.Is(err, apperr.Conflict):
		forms.Conflict = apperr.From(err).Message
		// The typed input stays; the form now carries the current version,
		// so saving again is a deliberate overwrite.
		forms.LockVersion = 0
	case apperr.Is(err, apperr.Invalid):
		errs, _ := httpx.FieldErrors(err)
		forms.Errors = attachRowErrors(rows, rowOf, errs)
		forms.LockVersion = lockVersionOf(c)
	default:
		return false
	}
	forms.Editor = withBlankRows(keepTyped(rows))
	s.showTarget(c, statusOf(err), forms)
	return true
}

// keepTyped drops blank rows so they are not doubled by withBlankRows.
func keepTyped(rows []indicatorRow) []indicatorRow {
	var out []indicatorRow
	for _, r := range rows {
		if !r.blank() {
			out = append(out, r)
		}
	}
	return out
}

func statusOf(err error) int { return apperr.Status(apperr.CodeOf(err)) }

// sheetForWrite loads the sheet of the :id path for a write.
func (s *Handlers) sheetForWrite(c *gin.Context) (targets.Sheet, bool) {
	id, err := httpx.IDParam(c, "id")
	var sh targets.Sheet
	if err == nil {
		sh, err = s.visibleSheet(c, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return targets.Sheet{}, false
	}
	return sh, true
}

// SaveTargetSubmit saves the indicators of a sheet's editor form.
func (s *Handlers) SaveTargetSubmit(c *gin.Context) {
	sh, ok := s.sheetForWrite(c)
	if !ok {
		return
	}
	rows := readIndicatorRows(c)
	list, rowOf := indicatorInputs(rows)
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := targets.SaveDraft(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, lockVersionOf(c), list, s.Now())
		return err
	})
	if err != nil && !s.editorRefused(c, rows, rowOf, "", err) {
		s.ConsoleError(c, err)
		return
	}
	if err == nil {
		httpx.Redirect(c, targetPath(sh.ID)+"#editor", "target_saved")
	}
}

// RequestChangeSubmit files a change request from the sheet page's change form.
func (s *Handlers) RequestChangeSubmit(c *gin.Context) {
	sh, ok := s.sheetForWrite(c)
	if !ok {
		return
	}
	rows := readIndicatorRows(c)
	list, rowOf := indicatorInputs(rows)
	reason := c.PostForm("reason")
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := targets.RequestChange(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, lockVersionOf(c), reason, list, s.Now())
		return err
	})
	if err != nil && !s.editorRefused(c, rows, rowOf, reason, err) {
		s.ConsoleError(c, err)
		return
	}
	if err == nil {
		httpx.Redirect(c, targetPath(sh.ID)+"#changes", "target_change_requested")
	}
}

// sheetAction runs a status change and redirects with flash, or shows the
// page again with the message of a refused change.
func (s *Handlers) sheetAction(c *gin.Context, flash string, fn func(tx pgx.Tx, sh targets.Sheet) error, refused func(err error) targetForms) {
	s.sheetActionFlash(c, &flash, fn, refused)
}

// sheetActionFlash is sheetAction with a flash fn may change.
func (s *Handlers) sheetActionFlash(c *gin.Context, flash *string, fn func(tx pgx.Tx, sh targets.Sheet) error, refused func(err error) targetForms) {
	sh, ok := s.sheetForWrite(c)
	if !ok {
		return
	}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, sh) })
	if err == nil {
		httpx.Redirect(c, targetPath(sh.ID), *flash)
		return
	}
	if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
		s.showTarget(c, statusOf(err), refused(err))
		return
	}
	s.ConsoleError(c, err)
}

// actionMessage shows a refused action's message at the top of the page.
func actionMessage(err error) targetForms {
	return targetForms{Conflict: apperr.From(err).Message}
}

// SubmitTargetSubmit submits a sheet for review from its page.
func (s *Handlers) SubmitTargetSubmit(c *gin.Context) {
	s.sheetAction(c, "target_submitted", func(tx pgx.Tx, sh targets.Sheet) error {
		_, err := targets.Submit(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, lockVersionOf(c), s.Now())
		return err
	}, actionMessage)
}

// ApproveTargetSubmit approves a sheet from its page (the office's).
func (s *Handlers) ApproveTargetSubmit(c *gin.Context) {
	// Where the cycle names approvers of target sheets, the office's
	// approval sends the sheet to the leaders instead of publishing it.
	flash := "target_approved"
	s.sheetActionFlash(c, &flash, func(tx pgx.Tx, sh targets.Sheet) error {
		out, err := targets.Approve(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, lockVersionOf(c), s.Now())
		if err == nil && out.Status == targets.StatusLeaderReview {
			flash = "target_to_leaders"
		}
		return err
	}, actionMessage)
}

// ReturnTargetSubmit returns a sheet to its unit with the office's comments.
func (s *Handlers) ReturnTargetSubmit(c *gin.Context) {
	comment := c.PostForm("comment")
	per := map[int64]string{}
	for key, vals := range c.Request.PostForm {
		if id, ok := strings.CutPrefix(key, "comment_"); ok && len(vals) > 0 && strings.TrimSpace(vals[0]) != "" {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				per[n] = vals[0]
			}
		}
	}
	s.sheetAction(c, "target_returned", func(tx pgx.Tx, sh targets.Sheet) error {
		_, err := targets.Return(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, lockVersionOf(c), comment, per, s.Now())
		return err
	}, func(err error) targetForms {
		f := targetForms{ReviewComment: comment, IndicatorComments: per}
		if errs, ok := httpx.FieldErrors(err); ok {
			f.ReviewErrors = errs
		} else {
			f.Conflict = apperr.From(err).Message
		}
		return f
	})
}

// DecideChangeSubmit approves or rejects a sheet's change request (the
// office's).
func (s *Handlers) DecideChangeSubmit(c *gin.Context) {
	crID, err := httpx.IDParam(c, "cr")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	approve := c.PostForm("decision") == "approve"
	comment := c.PostForm("comment")
	flash := "target_change_rejected"
	if approve {
		flash = "target_change_approved"
	}
	s.sheetActionFlash(c, &flash, func(tx pgx.Tx, sh targets.Sheet) error {
		r, err := targets.FindChangeRequest(c, tx, crID)
		if err == nil && r.SheetID != sh.ID {
			err = httpx.ErrNotFound
		}
		if err == nil {
			r, err = targets.DecideChange(c, tx, httpx.CurrentUser(c).Actor(), crID, approve, comment, s.Now())
		}
		if err == nil && r.Status == targets.RequestLeaderReview {
			flash = "target_change_to_leaders"
		}
		return err
	}, func(err error) targetForms {
		f := targetForms{DecideComment: comment}
		if errs, ok := httpx.FieldErrors(err); ok {
			f.DecideErrors = errs
		} else {
			f.Conflict = apperr.From(err).Message
		}
		return f
	})
}

// SaveReportsSubmit saves a period's progress reports from the sheet page.
func (s *Handlers) SaveReportsSubmit(c *gin.Context) {
	period := c.PostForm("period")
	typed := map[int64]targetReportRow{}
	var items []targets.ReportInput
	var ids []int64
	s.sheetAction(c, "target_report_saved", func(tx pgx.Tx, sh targets.Sheet) error {
		for _, in := range sh.Indicators {
			k := "r[" + strconv.FormatInt(in.ID, 10) + "]."
			row := targetReportRow{Progress: c.PostForm(k + "progress"), Percent: strings.TrimSpace(c.PostForm(k + "percent")),
				Evidence: c.PostForm(k + "evidence")}
			typed[in.ID] = row
			if strings.TrimSpace(row.Progress+row.Percent+row.Evidence) == "" {
				continue
			}
			it := targets.ReportInput{IndicatorID: in.ID, Progress: row.Progress, Evidence: row.Evidence}
			if n, err := httpx.ParseInt(row.Percent); err == nil {
				it.Percent = &n
			}
			items = append(items, it)
			ids = append(ids, in.ID)
		}
		set, err := targets.FindSettings(c, tx, sh.CycleID)
		if err != nil {
			return err
		}
		_, err = targets.SaveReports(c, tx, httpx.CurrentUser(c).Actor(), sh, set, period, items, s.targetToday(), s.Now())
		return err
	}, func(err error) targetForms {
		f := targetForms{Period: period, Reports: typed}
		f.ReportErrors = itemErrors(err, ids, func(id int64, name, msg string) {
			r := typed[id]
			r.Errors = addErr(r.Errors, name, msg)
			typed[id] = r
		})
		return f
	})
}

// SaveSelfEvaluationSubmit saves the self-evaluation from the sheet page.
func (s *Handlers) SaveSelfEvaluationSubmit(c *gin.Context) {
	typed := map[int64]targetSelfRow{}
	var items []targets.SelfEvaluationInput
	var ids []int64
	s.sheetAction(c, "target_self_saved", func(tx pgx.Tx, sh targets.Sheet) error {
		for _, in := range sh.Indicators {
			k := "e[" + strconv.FormatInt(in.ID, 10) + "]."
			row := targetSelfRow{Claimed: strings.TrimSpace(c.PostForm(k + "claimed")), Note: c.PostForm(k + "note")}
			typed[in.ID] = row
			if strings.TrimSpace(row.Claimed+row.Note) == "" {
				continue
			}
			it := targets.SelfEvaluationInput{IndicatorID: in.ID, Note: row.Note}
			if v, err := strconv.ParseFloat(row.Claimed, 64); err == nil {
				it.Claimed = &v
			}
			items = append(items, it)
			ids = append(ids, in.ID)
		}
		set, err := targets.FindSettings(c, tx, sh.CycleID)
		if err != nil {
			return err
		}
		_, err = targets.SaveSelfEvaluation(c, tx, httpx.CurrentUser(c).Actor(), sh, set, items, s.Now())
		return err
	}, func(err error) targetForms {
		f := targetForms{Self: typed}
		f.SelfErrors = itemErrors(err, ids, func(id int64, name, msg string) {
			r := typed[id]
			r.Errors = addErr(r.Errors, name, msg)
			typed[id] = r
		})
		return f
	})
}

// itemErrors hands each items[i].field message of err to set with the
// indicator id of item i and returns the other messages under "_" (a
// conflict's message included).
func itemErrors(err error, ids []int64, set func(id int64, name, msg string)) map[string]string {
	out := map[string]string{}
	errs, ok := httpx.FieldErrors(err)
	if !ok {
		out["_"] = apperr.From(err).Message
		return out
	}
	for k, v := range errs {
		if i, name, ok := splitIndexed(k); ok && i < len(ids) {
			set(ids[i], name, v)
		} else {
			out["_"] = v
		}
	}
	return out
}

// addErr adds a message to a possibly nil map.
func addErr(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}
