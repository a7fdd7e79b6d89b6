package casesapp

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
)

// APIReminderSettings answers when deadlines are reminded and escalated.
func (s *Handlers) APIReminderSettings(c *gin.Context) {
	set, err := feedback.LoadReminderSettings(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, set)
}

// APISaveReminderSettings stores them (office).
func (s *Handlers) APISaveReminderSettings(c *gin.Context) {
	var in feedback.ReminderSettings
	if err := httpx.BindJSON(c, &in, 1<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return feedback.SaveReminderSettings(c, tx, httpx.CurrentUser(c).Actor(), in, s.Now())
	})
}

// ReminderSettingsSubmit saves the reminder form of the case settings page.
func (s *Handlers) ReminderSettingsSubmit(c *gin.Context) {
	var set feedback.ReminderSettings
	e := apperr.Fields{}
	var err error
	if set.DaysBefore, err = httpx.ParseInt(strings.TrimSpace(c.PostForm("days_before"))); err != nil {
		e.Add("days_before", "请填写0至10的整数")
	}
	if set.EscalateAfter, err = httpx.ParseInt(strings.TrimSpace(c.PostForm("escalate_after"))); err != nil {
		e.Add("escalate_after", "请填写0至30的整数")
	}
	err = e.Err()
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := feedback.SaveReminderSettings(c, tx, httpx.CurrentUser(c).Actor(), set, s.Now())
			return err
		})
	}
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showCaseSettings(c, http.StatusUnprocessableEntity, errs, &reminderForm{
			DaysBefore: c.PostForm("days_before"), EscalateAfter: c.PostForm("escalate_after")})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/cases/settings", "reminder_settings_saved")
}

// reminderForm is the reminder form as typed (or as stored).
type reminderForm struct{ DaysBefore, EscalateAfter string }
