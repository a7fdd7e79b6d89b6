package surveysapp

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

func surveyPath(id int64) string { return "/console/surveys/" + strconv.FormatInt(id, 10) }

// localLayout is the layout of a datetime-local input.
const localLayout = "2006-01-02T15:04"

type surveyRow struct {
	surveys.Summary
	Link        string
	StatusLabel string
	Expired     bool
}

type surveysPageData struct {
	httpx.BasePage
	Cycles  []cycles.Cycle
	CycleID int64
	Rows    []surveyRow
	Pager   httpx.Pager
}

const surveysPageSize = 50

// SurveysPage lists the surveys, newest first, filtered by cycle.
func (s *Handlers) SurveysPage(c *gin.Context) {
	d := surveysPageData{BasePage: s.Base(c, "年度问卷", "surveys")}
	d.CycleID, _ = strconv.ParseInt(c.Query("cycle_id"), 10, 64)
	page := httpx.PageParam(c)
	list, total, err := surveys.ListSurveys(c, s.Pool, surveys.Filter{CycleID: d.CycleID, Limit: surveysPageSize,
		Offset: (page - 1) * surveysPageSize})
	if err == nil {
		d.Cycles, _, err = cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 500})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	now := s.Now()
	for _, sv := range list {
		d.Rows = append(d.Rows, surveyRow{Summary: sv, Link: surveyPath(sv.ID), StatusLabel: statusLabel(sv.Survey, now),
			Expired: sv.Expired(now)})
	}
	d.Pager = httpx.NewPager(page, surveysPageSize, total, func(n int) string {
		return "/console/surveys?cycle_id=" + strconv.FormatInt(d.CycleID, 10) + "&page=" + strconv.Itoa(n)
	})
	s.Render(c, http.StatusOK, "console/surveys.html", d)
}

// statusLabel names the survey's state, counting an open survey past its
// closing time as closed for answers.
func statusLabel(sv surveys.Survey, now time.Time) string {
	if sv.Expired(now) {
		return "已截止"
	}
	return surveys.StatusLabel(sv.Status)
}

// surveyForm is the questionnaire form as typed.
type surveyForm struct {
	CycleID      int64
	Title        string
	Intro        string
	Anonymous    bool
	AllowOpinion bool
	ClosesAt     string
	OverallText  string
	Presets      []presetChoice
	Custom       string
	Groups       []groupChoice
}

type presetChoice struct {
	Key, Text string
	Checked   bool
}

// groupChoice is a group of the cycle and how it takes part: "" not at
// all, "all" rating every unit, "list" a list per respondent.
type groupChoice struct {
	Key, Name string
	Mode      string
}

type surveyFormPage struct {
	httpx.BasePage
	Editing  bool
	Survey   surveys.Survey
	Cycles   []cycles.Cycle
	Cycle    cycles.Cycle
	NoCycles bool
	Form     surveyForm
	Errors   map[string]string
	Action   string
}

// formFromSurvey fills the form from a survey, or with the defaults for a
// new one when sv is nil: anonymous, opinions allowed, every group rating
// all units, efficiency and attitude asked.
func formFromSurvey(cy cycles.Cycle, sv *surveys.Survey, loc *time.Location) surveyForm {
	f := surveyForm{CycleID: cy.ID, Anonymous: true, AllowOpinion: true, OverallText: surveys.DefaultOverallText}
	picked := map[string]bool{"efficiency": true, "attitude": true}
	modes := map[string]string{}
	for _, g := range cy.Config.Score.Groups {
		modes[g.Key] = "all"
	}
	if sv != nil {
		f.Title, f.Intro, f.Anonymous, f.AllowOpinion = sv.Title, sv.Intro, sv.Anonymous, sv.AllowOpinion
		f.OverallText = sv.Overall().Text
		if sv.ClosesAt != nil {
			f.ClosesAt = sv.ClosesAt.In(loc).Format(localLayout)
		}
		picked, modes = map[string]bool{}, map[string]string{}
		var custom []string
		for _, q := range sv.Aspects() {
			if isPreset(q.Key) {
				picked[q.Key] = true
			} else {
				custom = append(custom, q.Text)
			}
		}
		f.Custom = strings.Join(custom, "\n")
		for _, g := range sv.Groups {
			modes[g.Key] = groupMode(g.AllUnits)
		}
	}
	for _, p := range surveys.AspectPresets() {
		f.Presets = append(f.Presets, presetChoice{Key: p.Key, Text: p.Text, Checked: picked[p.Key]})
	}
	for _, g := range cy.Config.Score.Groups {
		f.Groups = append(f.Groups, groupChoice{Key: g.Key, Name: g.Name, Mode: modes[g.Key]})
	}
	return f
}

func groupMode(all bool) string {
	if all {
		return "all"
	}
	return "list"
}

func isPreset(key string) bool {
	return slices.ContainsFunc(surveys.AspectPresets(), func(q surveys.Question) bool { return q.Key == key })
}

// readSurveyForm reads the posted form against the cycle's groups and
// turns it into the store's input; a malformed closing time is reported
// in errs.
func (s *Handlers) readSurveyForm(c *gin.Context, cy cycles.Cycle) (surveyForm, surveys.Input, map[string]string) {
	f := surveyForm{CycleID: cy.ID, Title: c.PostForm("title"), Intro: c.PostForm("intro"),
		Anonymous: c.PostForm("anonymous") == "1", AllowOpinion: c.PostForm("allow_opinion") == "1",
		ClosesAt: strings.TrimSpace(c.PostForm("closes_at")), OverallText: c.PostForm("overall_text"),
		Custom: c.PostForm("custom")}
	in := surveys.Input{CycleID: cy.ID, Title: f.Title, Intro: f.Intro, Anonymous: f.Anonymous, AllowOpinion: f.AllowOpinion}
	in.Questions = append(in.Questions, surveys.Question{Key: surveys.OverallKey, Text: f.OverallText, Kind: surveys.KindOverall})
	picked := c.PostFormArray("aspects")
	for _, p := range surveys.AspectPresets() {
		on := slices.Contains(picked, p.Key)
		f.Presets = append(f.Presets, presetChoice{Key: p.Key, Text: p.Text, Checked: on})
		if on {
			in.Questions = append(in.Questions, p)
		}
	}
	n := 0
	for _, line := range strings.Split(f.Custom, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			n++
			in.Questions = append(in.Questions, surveys.Question{Key: "custom_" + strconv.Itoa(n), Text: line, Kind: surveys.KindAspect})
		}
	}
	for _, g := range cy.Config.Score.Groups {
		mode := c.PostForm("group_" + g.Key)
		if mode != "all" && mode != "list" {
			mode = ""
		}
		f.Groups = append(f.Groups, groupChoice{Key: g.Key, Name: g.Name, Mode: mode})
		if mode != "" {
			in.Groups = append(in.Groups, surveys.Group{Key: g.Key, AllUnits: mode == "all"})
		}
	}
	var errs map[string]string
	if f.ClosesAt != "" {
		t, err := time.ParseInLocation(localLayout, f.ClosesAt, s.Config.Location)
		if err != nil {
			errs = map[string]string{"closes_at": "截止时间格式应为“年-月-日 时:分”"}
		}
		in.ClosesAt = &t
	}
	return f, in, errs
}

// sectionErrors folds field errors such as questions[2].text into their
// section (questions), keeping the first message of each in field order.
func sectionErrors(fields map[string]string) map[string]string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := map[string]string{}
	for _, k := range keys {
		section := k
		if i := strings.IndexAny(k, "[."); i > 0 {
			section = k[:i]
		}
		if _, ok := out[section]; !ok {
			out[section] = fields[k]
		}
	}
	return out
}

// formCycle picks the cycle of a new survey: the one asked for, or the
// newest. ok is false when no cycle exists.
func formCycle(list []cycles.Cycle, want int64) (cycles.Cycle, bool) {
	for _, cy := range list {
		if cy.ID == want {
			return cy, true
		}
	}
	if len(list) == 0 {
		return cycles.Cycle{}, false
	}
	return list[0], true
}

// NewSurveyPage shows the form for a new survey of a cycle.
func (s *Handlers) NewSurveyPage(c *gin.Context) {
	want, _ := strconv.ParseInt(c.Query("cycle_id"), 10, 64)
	s.showNewSurvey(c, http.StatusOK, want, nil, nil)
}

// showNewSurvey shows the form for a new survey, with a posted form and
// its errors when given.
func (s *Handlers) showNewSurvey(c *gin.Context, status int, cycleID int64, form *surveyForm, errs map[string]string) {
	list, _, err := cycles.ListCycles(c, s.Pool, cycles.Page{Limit: 500})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := surveyFormPage{BasePage: s.Base(c, "新建问卷", "surveys"), Cycles: list, Errors: errs, Action: "/console/surveys"}
	var ok bool
	if d.Cycle, ok = formCycle(list, cycleID); !ok {
		d.NoCycles = true
	} else if form != nil {
		d.Form = *form
	} else {
		d.Form = formFromSurvey(d.Cycle, nil, s.Config.Location)
	}
	s.Render(c, status, "console/survey_form.html", d)
}

// CreateSurveySubmit creates a survey from the new survey form.
func (s *Handlers) CreateSurveySubmit(c *gin.Context) {
	cycleID, _ := strconv.ParseInt(c.PostForm("cycle_id"), 10, 64)
	cy, err := cycles.FindCycle(c, s.Pool, cycleID)
	if apperr.Is(err, apperr.NotFound) {
		s.showNewSurvey(c, http.StatusUnprocessableEntity, 0, nil, map[string]string{"cycle_id": "请选择考核年度"})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	form, in, errs := s.readSurveyForm(c, cy)
	if errs != nil {
		s.showNewSurvey(c, http.StatusUnprocessableEntity, cy.ID, &form, errs)
		return
	}
	var sv surveys.Survey
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		sv, err = surveys.CreateSurvey(c, tx, httpx.CurrentUser(c).Actor(), in, s.Now())
		return err
	})
	if fields, ok := httpx.FieldErrors(err); ok {
		s.showNewSurvey(c, http.StatusUnprocessableEntity, cy.ID, &form, sectionErrors(fields))
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, surveyPath(sv.ID)+"?tab=respondents", "survey_created")
}

// surveyFromPath loads the survey named by the id path parameter.
func (s *Handlers) surveyFromPath(c *gin.Context) (surveys.Survey, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return surveys.Survey{}, apperr.New(apperr.NotFound, "问卷不存在")
	}
	return surveys.FindSurvey(c, s.Pool, id)
}

// EditSurveyPage shows a draft survey's form.
func (s *Handlers) EditSurveyPage(c *gin.Context) {
	s.showEditSurvey(c, http.StatusOK, nil, nil)
}

// surveyAndCycle loads the survey of the path and its cycle, showing the
// error page when it cannot.
func (s *Handlers) surveyAndCycle(c *gin.Context) (surveys.Survey, cycles.Cycle, bool) {
	sv, err := s.surveyFromPath(c)
	var cy cycles.Cycle
	if err == nil {
		cy, err = cycles.FindCycle(c, s.Pool, sv.CycleID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return sv, cy, false
	}
	return sv, cy, true
}

func (s *Handlers) showEditSurvey(c *gin.Context, status int, form *surveyForm, errs map[string]string) {
	sv, cy, ok := s.surveyAndCycle(c)
	if !ok {
		return
	}
	if sv.Status != surveys.StatusDraft {
		httpx.Redirect(c, surveyPath(sv.ID), "survey_frozen")
		return
	}
	d := surveyFormPage{BasePage: s.Base(c, "编辑问卷 - "+sv.Title, "surveys"), Editing: true, Survey: sv, Cycle: cy,
		Errors: errs, Action: surveyPath(sv.ID)}
	if form != nil {
		d.Form = *form
	} else {
		d.Form = formFromSurvey(cy, &sv, s.Config.Location)
	}
	s.Render(c, status, "console/survey_form.html", d)
}

// UpdateSurveySubmit saves a draft survey's form.
func (s *Handlers) UpdateSurveySubmit(c *gin.Context) {
	sv, cy, ok := s.surveyAndCycle(c)
	if !ok {
		return
	}
	form, in, errs := s.readSurveyForm(c, cy)
	var err error
	if errs == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := surveys.UpdateSurvey(c, tx, httpx.CurrentUser(c).Actor(), sv.ID, in, s.Now())
			return err
		})
		if fields, ok := httpx.FieldErrors(err); ok {
			errs = sectionErrors(fields)
		}
	}
	if errs != nil {
		s.showEditSurvey(c, http.StatusUnprocessableEntity, &form, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, surveyPath(sv.ID), "survey_updated")
}
