package notifyapp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/notify"
	"minyi/internal/units"
	"minyi/internal/users"
)

// A unit's own notification channels (notify.UnitChannels): the page
// /console/units/:id/notify, reached from the unit's page, where a unit
// account sets its own unit's and the office any unit's, with a 发送测试消息
// button per channel; and GET/PUT /api/v1/units/:id/notify-channels with
// POST …/test. Leaders read every unit but change nothing, so they are
// refused here like another unit's account.

// UnitChannelFlashes are the messages after saving or a test that arrived.
var UnitChannelFlashes = map[string]string{
	"unit_channels_saved": "本单位的通知渠道已保存。",
	"probe_wecom":         "测试消息已发送到企业微信群，请在群里查看。",
	"probe_dingtalk":      "测试消息已发送到钉钉群，请在群里查看。",
	"probe_email":         "测试邮件已发出，请到值班邮箱查收。",
	"probe_sms":           "测试短信已发出，请在值班手机上查收。",
}

func unitNotifyPath(id int64) string {
	return "/console/units/" + strconv.FormatInt(id, 10) + "/notify"
}

// manageableUnit is the unit named in the path if the user may set its
// channels: the office any unit, a unit account its own.
func (s *Handlers) manageableUnit(c *gin.Context) (units.Unit, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return units.Unit{}, apperr.New(apperr.NotFound, "单位不存在")
	}
	u := httpx.CurrentUser(c)
	own := u.Role == users.RoleUnit && u.UnitID != nil && *u.UnitID == id
	if u.Role != users.RoleOffice && !own {
		return units.Unit{}, apperr.New(apperr.Forbidden, "只能设置本单位的通知渠道")
	}
	return units.FindUnit(c, s.Pool, id)
}

// loadUnitChannels reads the settings of the unit named in the path, if
// the user may set them.
func (s *Handlers) loadUnitChannels(c *gin.Context) (units.Unit, notify.UnitChannels, error) {
	unit, err := s.manageableUnit(c)
	if err != nil {
		return unit, notify.UnitChannels{}, err
	}
	out, err := notify.LoadUnitChannels(c, s.Pool, unit.ID)
	return unit, out, err
}

type unitChannelsPage struct {
	httpx.BasePage
	Unit     units.Unit
	Settings notify.UnitChannels
	// Form refills the fields after a refusal (never the secret).
	Form   map[string]string
	Errors map[string]string
	// Probe is a test message the receiver refused, and on which channel.
	Probe        *notify.ProbeResult
	ProbeChannel string
	EmailReady   bool
	SMSReady     bool
	Hosts        []string
}

// UnitChannelsPage shows the unit's channels with their form.
func (s *Handlers) UnitChannelsPage(c *gin.Context) {
	s.showUnitChannels(c, http.StatusOK, nil, nil, "")
}

func (s *Handlers) showUnitChannels(c *gin.Context, status int, errs map[string]string, probe *notify.ProbeResult,
	probeChannel string) {
	unit, settings, err := s.loadUnitChannels(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := unitChannelsPage{BasePage: s.Base(c, unit.Name+" · 通知渠道", "units"), Unit: unit, Settings: settings,
		Errors: errs, Probe: probe, ProbeChannel: probeChannel, EmailReady: s.Senders[channels.Email] != nil,
		SMSReady: s.Senders[channels.SMS] != nil, Hosts: s.RobotHosts.Origins()}
	d.Form = map[string]string{"duty_email": settings.DutyEmail, "duty_mobile": settings.DutyMobile}
	if c.Request.Method == http.MethodPost {
		d.Form = httpx.PostedForm(c, "channels", "wecom_url", "dingtalk_url", "duty_email", "duty_mobile")
		d.Settings.WeComOn, d.Settings.DingTalkOn = c.PostForm("wecom_on") == "1", c.PostForm("dingtalk_on") == "1"
		d.Settings.EmailOn, d.Settings.SMSOn = c.PostForm("email_on") == "1", c.PostForm("sms_on") == "1"
	}
	s.Render(c, status, "console/unit_notify.html", d)
}

// unitChannelsForm reads the form: a robot address left empty keeps the
// saved one (the page shows it masked), 删除 removes it; the secret
// likewise; the duty addresses are shown in full and taken as posted.
func unitChannelsForm(c *gin.Context) notify.UnitChannelsInput {
	on := func(name string) *bool { v := c.PostForm(name) == "1"; return &v }
	kept := func(name, clear string) *string {
		v := c.PostForm(name)
		switch {
		case c.PostForm(clear) == "1":
			v = ""
		case v == "":
			return nil
		}
		return &v
	}
	email, mobile := c.PostForm("duty_email"), c.PostForm("duty_mobile")
	return notify.UnitChannelsInput{WeComOn: on("wecom_on"), DingTalkOn: on("dingtalk_on"), EmailOn: on("email_on"),
		SMSOn: on("sms_on"), WeComURL: kept("wecom_url", "wecom_clear"), DingTalkURL: kept("dingtalk_url", "dingtalk_clear"),
		DingTalkSecret: kept("dingtalk_secret", "dingtalk_clear"), DutyEmail: &email, DutyMobile: &mobile}
}

// saveUnitChannels stores in for the unit named in the path.
func (s *Handlers) saveUnitChannels(c *gin.Context, in notify.UnitChannelsInput) (units.Unit, notify.UnitChannels, error) {
	unit, err := s.manageableUnit(c)
	if err != nil {
		return unit, notify.UnitChannels{}, err
	}
	var out notify.UnitChannels
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = notify.SaveUnitChannels(c, tx, s.Keys, s.RobotHosts, httpx.CurrentUser(c).Actor(), unit.ID, in, s.Now())
		return err
	})
	return unit, out, err
}

// UnitChannelsSubmit saves the form.
func (s *Handlers) UnitChannelsSubmit(c *gin.Context) { s.submitUnitChannels(c, "") }

// UnitChannelsProbeSubmit saves the form, then sends a test message on the
// channel its button names, and shows whether it arrived.
func (s *Handlers) UnitChannelsProbeSubmit(c *gin.Context) {
	channel := c.PostForm("probe")
	if notify.ChannelNames[channel] == "" || channel == channels.Webhook {
		s.ConsoleError(c, apperr.InvalidField("probe", "请在页面上选择要测试的渠道"))
		return
	}
	s.submitUnitChannels(c, channel)
}

// submitUnitChannels saves the form and, with a probe channel, tests it:
// a refusal by the receiver shows the page again with the reason.
func (s *Handlers) submitUnitChannels(c *gin.Context, probe string) {
	if c.PostForm("channels_form") != "1" {
		s.ConsoleError(c, apperr.InvalidField("channels_form", "请在页面上填写通知渠道后保存"))
		return
	}
	unit, _, err := s.saveUnitChannels(c, unitChannelsForm(c))
	var res notify.ProbeResult
	if err == nil && probe != "" {
		res, err = s.sendProbe(c, unit.ID, unit.Name, probe)
	}
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showUnitChannels(c, http.StatusUnprocessableEntity, errs, nil, "")
		return
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Code == apperr.RateLimited {
		// Saved; the test waits: said beside the channel's button.
		s.showUnitChannels(c, http.StatusTooManyRequests, nil, &notify.ProbeResult{Message: ae.Message}, probe)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	switch {
	case probe == "":
		httpx.Redirect(c, unitNotifyPath(unit.ID), "unit_channels_saved")
	case res.OK:
		httpx.Redirect(c, unitNotifyPath(unit.ID), "probe_"+probe)
	default:
		s.Log.Info("unit channel test refused", "unit", unit.ID, "channel", probe, "err", res.Detail)
		s.showUnitChannels(c, http.StatusOK, nil, &res, probe)
	}
}

// sendProbe sends a test message on the unit's channel, at most
// RATE_PROBE of them per unit and channel (counted in Redis, so across
// every instance): each one reaches a real group, mailbox or phone, and
// a button pressed in a loop must not flood them or the SMS bill.
func (s *Handlers) sendProbe(c *gin.Context, unitID int64, unitName, channel string) (notify.ProbeResult, error) {
	if d := s.Limiter.Allow(c, s.Config.Limits.Probe, "probe:"+strconv.FormatInt(unitID, 10)+":"+channel); d.Limited {
		wait := max(1, int(d.RetryAfter.Round(time.Minute).Minutes()))
		c.Header("Retry-After", strconv.Itoa(max(1, int(d.RetryAfter.Seconds()))))
		return notify.ProbeResult{}, apperr.New(apperr.RateLimited,
			"测试消息发送过于频繁，请 "+strconv.Itoa(wait)+" 分钟后再试")
	}
	return notify.ProbeUnitChannel(c, s.Pool, s.probe(unitID), unitID, unitName, channel)
}

func (s *Handlers) probe(unitID int64) notify.Probe {
	return notify.Probe{Keys: s.Keys, Hosts: s.RobotHosts, Senders: s.Senders, Link: s.Config.PublicBaseURL + unitNotifyPath(unitID)}
}

// unitChannelsBody is the body of PUT /api/v1/units/:id/notify-channels:
// each field left out is kept.
type unitChannelsBody struct {
	WeComEnabled    *bool   `json:"wecom_enabled"`
	WeComURL        *string `json:"wecom_url"`
	DingTalkEnabled *bool   `json:"dingtalk_enabled"`
	DingTalkURL     *string `json:"dingtalk_url"`
	DingTalkSecret  *string `json:"dingtalk_secret"`
	EmailEnabled    *bool   `json:"email_enabled"`
	DutyEmail       *string `json:"duty_email"`
	SMSEnabled      *bool   `json:"sms_enabled"`
	DutyMobile      *string `json:"duty_mobile"`
}

// APIUnitChannels answers the unit's channels.
func (s *Handlers) APIUnitChannels(c *gin.Context) {
	_, out, err := s.loadUnitChannels(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APISetUnitChannels changes the unit's channels and answers them.
func (s *Handlers) APISetUnitChannels(c *gin.Context) {
	var b unitChannelsBody
	if err := httpx.BindJSON(c, &b, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	_, out, err := s.saveUnitChannels(c, notify.UnitChannelsInput{WeComOn: b.WeComEnabled, WeComURL: b.WeComURL,
		DingTalkOn: b.DingTalkEnabled, DingTalkURL: b.DingTalkURL, DingTalkSecret: b.DingTalkSecret,
		EmailOn: b.EmailEnabled, DutyEmail: b.DutyEmail, SMSOn: b.SMSEnabled, DutyMobile: b.DutyMobile})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APIProbeUnitChannel sends a test message on one saved channel of the
// unit ({"channel": "wecom" | "dingtalk" | "email" | "sms"}) and answers
// whether the receiver took it.
func (s *Handlers) APIProbeUnitChannel(c *gin.Context) {
	var b struct {
		Channel string `json:"channel"`
	}
	if err := httpx.BindJSON(c, &b, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	unit, err := s.manageableUnit(c)
	var res notify.ProbeResult
	if err == nil {
		res, err = s.sendProbe(c, unit.ID, unit.Name, b.Channel)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
