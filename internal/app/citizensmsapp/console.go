// Package citizensmsapp serves the SMS to citizens (internal/citizensms):
// the office's list of messages with filters, keyset pages, resend and the
// switches of the automatic kinds (/console/citizen-sms, linked from
// /console/deliveries), the survey invitation and reminder actions, the
// citizens' opt-out page (/sms/stop/:token) and the API equivalents. Only
// the office sees messages, and only masked numbers.
package citizensmsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/citizensms"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// Handlers serve the citizen SMS routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the pages may show after a redirect.
var Flashes = map[string]string{
	"citizen_sms_resent":     "已重新排队发送，将在允许发送的时段内发出。",
	"citizen_sms_settings":   "短信设置已保存。",
	"survey_sms_invited":     "已安排短信邀请：有手机号且未提交的受访人每人一条，已邀请过的不再重复。",
	"survey_sms_reminded":    "已安排提醒短信：有手机号且未提交的受访人每人一条，同一天内不再重复提醒。",
	"instrument_sms_invited": "已安排短信邀请：有手机号且尚未评价的评价人每人一条，已邀请过的不再重复。",
}

const pageSize = 30

type option struct{ Value, Label string }

type listPage struct {
	httpx.BasePage
	Enabled  bool
	Quiet    string
	Settings citizensms.Settings
	Items    []citizensms.Message
	State    string
	Kind     string
	States   []option
	Kinds    []option
	Next     string
	First    string
	Paged    bool
}

var stateOrder = []string{"pending", "sent", "failed", "given_up", "opted_out", "sending"}

// quietText describes the allowed hours for the page.
func (s *Handlers) quietText() string {
	q := s.SMS.Quiet
	if q.Start == q.End {
		return "全天均可发送"
	}
	hm := func(d interface{ Minutes() float64 }) string {
		m := int(d.Minutes())
		return strconv.Itoa(m/60) + ":" + strconv.Itoa(m%60/10) + strconv.Itoa(m%10)
	}
	return "每天" + hm(q.End) + "至" + hm(q.Start) + "之间发送，其余时间产生的短信顺延到" + hm(q.End) + "后发出"
}

// ListPage lists the citizen SMS newest first, filtered by state and kind,
// a page after ?before= (keyset).
func (s *Handlers) ListPage(c *gin.Context) {
	f := citizensms.Filter{State: c.Query("state"), Kind: c.Query("kind"), Limit: pageSize}
	if v := c.Query("before"); v != "" {
		f.Before, _ = strconv.ParseInt(v, 10, 64)
	}
	if f.Validate() != nil {
		f.State, f.Kind = "", ""
	}
	items, next, err := citizensms.List(c, s.Pool, f)
	var st citizensms.Settings
	if err == nil {
		st, err = citizensms.LoadSettings(c, s.Pool)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := listPage{BasePage: s.Base(c, "群众短信", "notifications"), Enabled: s.SMS.Enabled, Quiet: s.quietText(),
		Settings: st, Items: items, State: f.State, Kind: f.Kind, Paged: f.Before > 0}
	for _, k := range stateOrder {
		d.States = append(d.States, option{k, citizensms.StateNames[k]})
	}
	for _, t := range citizensms.Catalogue {
		d.Kinds = append(d.Kinds, option{t.Kind, t.Name})
	}
	q := url.Values{}
	if f.State != "" {
		q.Set("state", f.State)
	}
	if f.Kind != "" {
		q.Set("kind", f.Kind)
	}
	d.First = "/console/citizen-sms"
	if len(q) > 0 {
		d.First += "?" + q.Encode()
	}
	if next > 0 {
		q.Set("before", strconv.FormatInt(next, 10))
		d.Next = "/console/citizen-sms?" + q.Encode()
	}
	s.Render(c, http.StatusOK, "console/citizen_sms.html", d)
}

// ResendSubmit queues the :id message again (given up only).
func (s *Handlers) ResendSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "短信记录不存在"))
		return
	}
	if err := s.SMS.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id, s.Now()); err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/citizen-sms", "citizen_sms_resent")
}

// SettingsSubmit saves the switches of the automatic kinds. An unticked
// box sends nothing, so the form's hidden settings=1 tells a saved form
// (both off) from a post without the form.
func (s *Handlers) SettingsSubmit(c *gin.Context) {
	if c.PostForm("settings") != "1" {
		s.ConsoleError(c, apperr.New(apperr.Invalid, "请在短信设置表单中选择后保存"))
		return
	}
	st := citizensms.Settings{CaseFollowup: c.PostForm("case_followup") == "1",
		CallbackNotice: c.PostForm("callback_notice") == "1", WindowInvite: c.PostForm("window_invite") == "1"}
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return citizensms.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), st, s.Now())
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/citizen-sms#settings", "citizen_sms_settings")
}

// surveyRound runs an invitation or reminder round from the survey's
// respondents page.
func (s *Handlers) surveyRound(c *gin.Context, remind bool) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "问卷不存在"))
		return
	}
	flash := "survey_sms_invited"
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		actor := httpx.CurrentUser(c).Actor()
		if remind {
			flash = "survey_sms_reminded"
			_, err := s.SMS.Remind(c, tx, s.Config.PublicBaseURL, actor, id, s.Now())
			return err
		}
		_, err := s.SMS.Invite(c, tx, s.Config.PublicBaseURL, actor, id, s.Now())
		return err
	})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/surveys/"+strconv.FormatInt(id, 10)+"?tab=respondents#sms", flash)
}

// SurveyInviteSubmit sends the survey's SMS invitations.
func (s *Handlers) SurveyInviteSubmit(c *gin.Context) { s.surveyRound(c, false) }

// SurveyRemindSubmit sends the survey's SMS reminders.
func (s *Handlers) SurveyRemindSubmit(c *gin.Context) { s.surveyRound(c, true) }
