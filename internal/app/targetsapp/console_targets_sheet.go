package targetsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/approvals"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/targets"
	"minyi/internal/units"
)

// indicatorRow is one row of the indicator editor as typed.
type indicatorRow struct {
	Index                                       int
	ID, Name, Tasks, Points, Standard, Deadline string
	AssessorUnit, AssessorName, SchemeKey       string
	Remove                                      bool
	Comment                                     string
	Errors                                      map[string]string
}

// blankIndicatorRows is how many empty rows the editor offers.
const blankIndicatorRows = 3

// rowsOf fills editor rows from indicators, plus blank rows.
func rowsOf(list []targets.Indicator) []indicatorRow {
	out := make([]indicatorRow, 0, len(list)+blankIndicatorRows)
	for _, in := range list {
		r := indicatorRow{ID: strconv.FormatInt(in.ID, 10), Name: in.Name, Tasks: in.Tasks, Points: formatNum(in.Points),
			Standard: in.Standard, Deadline: in.Deadline, SchemeKey: in.SchemeKey, Comment: in.ReviewComment}
		if in.AssessorUnitID != nil {
			r.AssessorUnit = strconv.FormatInt(*in.AssessorUnitID, 10)
		} else {
			r.AssessorName = in.AssessorName
		}
		out = append(out, r)
	}
	return withBlankRows(out)
}

// withBlankRows appends the blank rows and numbers every row.
func withBlankRows(rows []indicatorRow) []indicatorRow {
	for range blankIndicatorRows {
		rows = append(rows, indicatorRow{})
	}
	for i := range rows {
		rows[i].Index = i
	}
	return rows
}

// formatNum writes a number without trailing zeros.
func formatNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// targetReportRow is one indicator's progress report as typed or stored.
type targetReportRow struct {
	Indicator                   targets.Indicator
	Progress, Percent, Evidence string
	UpdatedBy                   string
	Errors                      map[string]string
}

// targetSelfRow is one indicator's self-evaluation as typed or stored.
type targetSelfRow struct {
	Indicator     targets.Indicator
	Claimed, Note string
	UpdatedBy     string
	Errors        map[string]string
}

// targetPeriodLine is a reporting period with how many indicators reported.
type targetPeriodLine struct {
	targets.ReportPeriod
	Reported, Total int
	Started, Late   bool
	Selected        bool
	Link            string
}

// targetProgressCell is one indicator's percent in one period of the matrix.
type targetProgressCell struct {
	Percent string
	Missing bool
}

type targetProgressLine struct {
	Name  string
	Cells []targetProgressCell
}

// targetForms carries the typed input and messages of a refused form.
type targetForms struct {
	Editor      []indicatorRow
	Reason      string
	LockVersion int
	Errors      map[string]string
	Conflict    string

	ReviewComment     string
	IndicatorComments map[int64]string
	ReviewErrors      map[string]string

	DecideComment string
	DecideErrors  map[string]string

	Period       string
	Reports      map[int64]targetReportRow
	ReportErrors map[string]string

	Self       map[int64]targetSelfRow
	SelfErrors map[string]string

	EvidenceErrors map[string]string
}

type targetReviewRow struct {
	Indicator targets.Indicator
	Comment   string
}

type targetPageData struct {
	httpx.BasePage
	// Approvals are the leaders' approvals of the sheet and of its change
	// requests (timeline); Waiting is the one pending, if any.
	Approvals []approvals.Request
	Waiting   *approvals.Request
	// ChangeToLeaders: the office's approval of a change request sends it
	// to the cycle's approvers of target sheets.
	ChangeToLeaders bool
	Sheet           targets.Sheet
	StatusLabel     string
	Total           string
	Settings        targets.Settings
	Frequency       string
	Forms           targetForms
	CanEdit         bool
	CanReview       bool
	CanChange       bool
	CanReport       bool
	CanSelf         bool
	Editor          []indicatorRow
	Units           []units.Unit
	ReviewRows      []targetReviewRow
	Pending         *targetChangeView
	Requests        []targetChangeView
	Versions        []targetVersionView
	PublicLink      string
	Periods         []targetPeriodLine
	Period          targets.ReportPeriod
	ReportRows      []targetReportRow
	PeriodHeads     []string
	Progress        []targetProgressLine
	SelfRows        []targetSelfRow
	SelfTotal       string
	// EvidenceRows are the indicators with their evidence files.
	EvidenceRows []targetEvidenceRow
	Warnings     []targetWarningView
	Back         string
}

// TargetPage shows a sheet: status and the office's comments, the editor
// or the change-request form, review actions, versions, progress reports,
// self-evaluation and warnings.
func (s *Handlers) TargetPage(c *gin.Context) { s.showTarget(c, http.StatusOK, targetForms{}) }

func (s *Handlers) showTarget(c *gin.Context, status int, forms targetForms) {
	id, err := httpx.IDParam(c, "id")
	var sh targets.Sheet
	if err == nil {
		sh, err = s.visibleSheet(c, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d, err := s.targetPageData(c, sh, forms)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.Render(c, status, "console/target.html", d)
}

func (s *Handlers) targetPageData(c *gin.Context, sh targets.Sheet, forms targetForms) (targetPageData, error) {
	u := httpx.CurrentUser(c)
	office := u.UnitID == nil
	set, err := targets.FindSettings(c, s.Pool, sh.CycleID)
	if err != nil {
		return targetPageData{}, err
	}
	d := targetPageData{BasePage: s.Base(c, sh.UnitName+" · 目标责任书", "targets"), Sheet: sh,
		StatusLabel: targets.StatusLabel(sh.Status), Total: formatNum(targets.TotalPoints(sh.Indicators)),
		Settings: set, Frequency: targets.FrequencyLabel(set.Frequency), Forms: forms, Back: targetsListPath(sh.CycleID)}
	if forms.LockVersion == 0 {
		d.Forms.LockVersion = sh.LockVersion
	}
	if sh.PublishedVersion > 0 {
		d.PublicLink = "/targets/" + strconv.FormatInt(sh.CycleID, 10) + "/" + strconv.FormatInt(sh.UnitID, 10)
	}
	if d.Units, err = units.ListUnits(c, s.Pool, nil); err != nil {
		return d, err
	}
	requests, err := targets.ListChangeRequests(c, s.Pool, sh.ID)
	if err != nil {
		return d, err
	}
	for _, r := range requests {
		v := newChangeView(r, sh.Indicators)
		if r.Status == targets.RequestPending || r.Status == targets.RequestLeaderReview {
			d.Pending = &v
		} else {
			d.Requests = append(d.Requests, v)
		}
	}
	if d.Pending != nil && d.Pending.Status == targets.RequestPending && office {
		rel, err := cycles.LoadRelease(c, s.Pool, sh.CycleID)
		if err != nil {
			return d, err
		}
		d.ChangeToLeaders = len(rel.TargetApprovers) > 0
	}
	d.CanEdit = sh.Editable()
	d.CanReview = office && sh.Status == targets.StatusSubmitted
	d.CanChange = sh.Status == targets.StatusApproved && d.Pending == nil
	d.Editor = forms.Editor
	if d.Editor == nil && (d.CanEdit || d.CanChange) {
		d.Editor = rowsOf(sh.Indicators)
	}
	for _, in := range sh.Indicators {
		d.ReviewRows = append(d.ReviewRows, targetReviewRow{Indicator: in, Comment: forms.IndicatorComments[in.ID]})
	}
	versions, err := targets.ListVersions(c, s.Pool, sh.ID)
	if err != nil {
		return d, err
	}
	d.Versions = versionViews(versions)
	if d.Approvals, err = approvals.HistoryOf(c, s.Pool, sh.ID, approvals.SubjectTargetSheet, approvals.SubjectTargetChange); err != nil {
		return d, err
	}
	for i := range d.Approvals {
		if d.Approvals[i].State == approvals.StatePending {
			d.Waiting = &d.Approvals[i]
		}
	}
	if sh.Status == targets.StatusApproved {
		if err := s.fillProgress(c, &d, set); err != nil {
			return d, err
		}
		if err := s.fillEvidence(c, &d); err != nil {
			return d, err
		}
	}
	warns, err := targets.Warnings(c, s.Pool, sh.CycleID, targets.WarningFilter{UnitID: &sh.UnitID}, s.Now(), s.Config.Location)
	d.Warnings = warningViews(warns)
	return d, err
}

// fillProgress adds the reporting periods, the selected period's report
// form, the progress matrix and the self-evaluation form.
func (s *Handlers) fillProgress(c *gin.Context, d *targetPageData, set targets.Settings) error {
	sh := d.Sheet
	reports, err := targets.ListReports(c, s.Pool, sh.ID)
	if err != nil {
		return err
	}
	byKey := map[string]map[int64]targets.Report{}
	for _, r := range reports {
		if byKey[r.Period] == nil {
			byKey[r.Period] = map[int64]targets.Report{}
		}
		byKey[r.Period][r.IndicatorID] = r
	}
	today := s.targetToday()
	periods := targets.SheetPeriods(sh, set)
	selected := d.Forms.Period
	if selected == "" {
		selected = c.Query("period")
	}
	if _, ok := targets.FindPeriod(periods, selected); !ok {
		selected = ""
		for _, p := range periods {
			if p.Start <= today {
				selected = p.Key
			}
		}
	}
	d.CanReport = selected != ""
	for _, p := range periods {
		l := targetPeriodLine{ReportPeriod: p, Total: len(sh.Indicators), Started: p.Start <= today, Selected: p.Key == selected,
			Link: targetPath(sh.ID) + "?period=" + p.Key + "#reports"}
		for _, in := range sh.Indicators {
			if _, ok := byKey[p.Key][in.ID]; ok {
				l.Reported++
			}
		}
		l.Late = p.Due < today && l.Reported < l.Total
		if l.Selected {
			d.Period = p
		}
		d.Periods = append(d.Periods, l)
		if l.Started {
			d.PeriodHeads = append(d.PeriodHeads, p.Label)
		}
	}
	for _, in := range sh.Indicators {
		line := targetProgressLine{Name: in.Name}
		for _, p := range periods {
			if p.Start > today {
				continue
			}
			r, ok := byKey[p.Key][in.ID]
			cell := targetProgressCell{Percent: "—", Missing: !ok}
			if ok {
				cell.Percent = strconv.Itoa(r.Percent) + "%"
			}
			line.Cells = append(line.Cells, cell)
		}
		d.Progress = append(d.Progress, line)
		row, typed := d.Forms.Reports[in.ID]
		if !typed {
			row = targetReportRow{}
			if r, ok := byKey[selected][in.ID]; ok {
				row = targetReportRow{Progress: r.Progress, Percent: strconv.Itoa(r.Percent), Evidence: r.Evidence, UpdatedBy: httpx.Deref(r.UpdatedBy)}
			}
		}
		row.Indicator = in
		d.ReportRows = append(d.ReportRows, row)
	}
	evals, err := targets.ListSelfEvaluations(c, s.Pool, sh.ID)
	if err != nil {
		return err
	}
	byInd := map[int64]targets.SelfEvaluation{}
	var total float64
	for _, e := range evals {
		byInd[e.IndicatorID] = e
		total += e.Claimed
	}
	d.SelfTotal = formatNum(total)
	d.CanSelf = !set.SelfEvalLocked
	for _, in := range sh.Indicators {
		row, typed := d.Forms.Self[in.ID]
		if !typed {
			row = targetSelfRow{}
			if e, ok := byInd[in.ID]; ok {
				row = targetSelfRow{Claimed: formatNum(e.Claimed), Note: e.Note, UpdatedBy: httpx.Deref(e.UpdatedBy)}
			}
		}
		row.Indicator = in
		d.SelfRows = append(d.SelfRows, row)
	}
	return nil
}
