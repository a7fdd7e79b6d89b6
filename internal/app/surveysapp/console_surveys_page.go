package surveysapp

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/charts"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

type progressRow struct {
	surveys.GroupProgress
	Rate string
	Link string // the group's respondents who have not submitted
}

type surveyPageData struct {
	httpx.BasePage
	// SMS is whether SMS invitations can be sent (a gateway is configured).
	SMS           bool
	Survey        surveys.Survey
	Tab           string
	StatusLabel   string
	Expired       bool
	Aspects       []surveys.Question
	Progress      []progressRow
	Sum           progressRow
	ClosesAtValue string
	Errors        map[string]string
	Links         surveyLinks
	Respondents   respondentsTab
	// The overview's charts: the response rate per group over time and
	// the aspects' means per unit of one category (Category, chosen among
	// Categories with ?category=).
	RateChart    charts.Chart
	AspectsChart charts.Chart
	Categories   []string
	Category     string
}

// surveyLinks are the survey page's links.
type surveyLinks struct {
	Overview, Respondents, Edit, Responses, Agencies string
	Unsubmitted                                      string
}

func progressRowOf(surveyID int64, p surveys.GroupProgress) progressRow {
	r := progressRow{GroupProgress: p, Rate: "—",
		Link: surveyPath(surveyID) + "?tab=respondents&status=unsubmitted&group=" + p.Key}
	if p.Total > 0 {
		r.Rate = strconv.FormatFloat(float64(p.Submitted)*100/float64(p.Total), 'f', 1, 64) + "%"
	}
	return r
}

// loadSurveyPage reads what every tab of the survey page shows.
func (s *Handlers) loadSurveyPage(c *gin.Context, tab string) (surveyPageData, bool) {
	sv, err := s.surveyFromPath(c)
	var groups []surveys.GroupProgress
	var sum surveys.GroupProgress
	if err == nil {
		groups, sum, err = surveys.Progress(c, s.Pool, sv)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return surveyPageData{}, false
	}
	now := s.Now()
	d := surveyPageData{BasePage: s.Base(c, sv.Title, "surveys"), Survey: sv, Tab: tab, StatusLabel: statusLabel(sv, now),
		Expired: sv.Expired(now), Aspects: sv.Aspects(), Errors: map[string]string{}, SMS: s.SMS.Enabled}
	for _, g := range groups {
		d.Progress = append(d.Progress, progressRowOf(sv.ID, g))
	}
	d.Sum = progressRowOf(sv.ID, sum)
	d.Sum.Link = surveyPath(sv.ID) + "?tab=respondents&status=unsubmitted"
	if sv.ClosesAt != nil {
		d.ClosesAtValue = sv.ClosesAt.In(s.Config.Location).Format(localLayout)
	}
	p := surveyPath(sv.ID)
	d.Links = surveyLinks{Overview: p, Respondents: p + "?tab=respondents", Edit: p + "/edit", Agencies: p + "/agencies",
		Responses: "/console/responses?survey_id=" + strconv.FormatInt(sv.ID, 10), Unsubmitted: d.Sum.Link}
	return d, true
}

// SurveyPage shows a survey: its overview, or its respondents and
// invitations (tab=respondents).
func (s *Handlers) SurveyPage(c *gin.Context) {
	if c.Query("tab") == "respondents" {
		s.showRespondents(c, http.StatusOK, nil)
		return
	}
	if d, ok := s.loadSurveyPage(c, "overview"); ok {
		if err := s.loadSurveyCharts(c, &d); err != nil {
			s.ConsoleError(c, err)
			return
		}
		s.Render(c, http.StatusOK, "console/survey.html", d)
	}
}

// loadSurveyCharts reads the figures of the overview's charts: the
// submissions per group and day, and the aspects' means of the units of
// the category asked for (the cycle's first when none or an unknown one).
func (s *Handlers) loadSurveyCharts(c *gin.Context, d *surveyPageData) error {
	var progress []surveys.GroupProgress
	for _, p := range d.Progress {
		progress = append(progress, p.GroupProgress)
	}
	return db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		days, err := surveys.SubmissionsPerDay(c, tx, d.Survey.ID, s.Config.Location)
		if err != nil {
			return err
		}
		loc := s.Config.Location
		var opened, until string
		if sv := d.Survey; sv.OpenedAt != nil {
			opened = sv.OpenedAt.In(loc).Format(time.DateOnly)
		}
		if d.Survey.Status == surveys.StatusOpen && !d.Expired {
			until = s.Now().In(loc).Format(time.DateOnly)
		}
		d.RateChart = responseRateChart(progress, days, opened, until)
		if d.Categories, err = cycles.Categories(c, tx, d.Survey.CycleID, s.Config.UnitCategories); err != nil {
			return err
		}
		if len(d.Categories) > 0 {
			d.Category = d.Categories[0]
		}
		for _, name := range d.Categories {
			if name == c.Query("category") {
				d.Category = name
			}
		}
		var means []surveys.AspectMean
		if len(d.Aspects) > 0 {
			if means, err = surveys.AspectMeans(c, tx, d.Survey.ID, d.Category); err != nil {
				return err
			}
		}
		d.AspectsChart = aspectsHeatmap(d.Aspects, means, d.Category)
		return nil
	})
}

// showOverviewError shows the overview again with a message for field.
func (s *Handlers) showOverviewError(c *gin.Context, status int, field, msg string) {
	if d, ok := s.loadSurveyPage(c, "overview"); ok {
		d.Errors[field] = msg
		s.Render(c, status, "console/survey.html", d)
	}
}

// surveyAction runs a state change of the survey in a transaction and
// returns to its page with flash; a refusal shows the overview with the
// message under field.
func (s *Handlers) surveyAction(c *gin.Context, field, flash string, fn func(pgx.Tx, int64) error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "问卷不存在"))
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return fn(tx, id) })
	switch e := apperr.From(err); {
	case err == nil:
		httpx.Redirect(c, surveyPath(id), flash)
	case e.Code == apperr.Invalid || e.Code == apperr.Conflict:
		msg := e.Message
		for _, m := range e.Fields {
			msg = m
		}
		s.showOverviewError(c, apperr.Status(e.Code), field, msg)
	default:
		s.ConsoleError(c, err)
	}
}

// OpenSurveySubmit opens a survey from its overview.
func (s *Handlers) OpenSurveySubmit(c *gin.Context) {
	s.surveyAction(c, "open", "survey_opened", func(tx pgx.Tx, id int64) error {
		_, err := surveys.OpenSurvey(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
		return err
	})
}

// CloseSurveySubmit closes a survey from its overview, once the closing is
// confirmed.
func (s *Handlers) CloseSurveySubmit(c *gin.Context) {
	if c.PostForm("confirm") != "1" {
		s.showOverviewError(c, http.StatusUnprocessableEntity, "close", "请勾选确认后再结束问卷。")
		return
	}
	s.surveyAction(c, "close", "survey_closed", func(tx pgx.Tx, id int64) error {
		_, err := surveys.CloseSurvey(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
		return err
	})
}

// SurveyClosesAtSubmit sets or clears a survey's closing time.
func (s *Handlers) SurveyClosesAtSubmit(c *gin.Context) {
	var at *time.Time
	if v := strings.TrimSpace(c.PostForm("closes_at")); v != "" && c.PostForm("clear") == "" {
		t, err := time.ParseInLocation(localLayout, v, s.Config.Location)
		if err != nil {
			s.showOverviewError(c, http.StatusUnprocessableEntity, "closes_at", "截止时间格式应为“年-月-日 时:分”")
			return
		}
		at = &t
	}
	s.surveyAction(c, "closes_at", "survey_closes_at", func(tx pgx.Tx, id int64) error {
		_, err := surveys.SetClosesAt(c, tx, httpx.CurrentUser(c).Actor(), id, at, s.Now())
		return err
	})
}
