package citizensmsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/citizensms"
	"minyi/internal/httpx"
)

// APIList answers the citizen SMS newest first: ?state=, ?kind=, ?limit=
// (1 to 100, default 20) and ?before= (the next_before of the previous
// page). next_before is 0 on the last page.
func (s *Handlers) APIList(c *gin.Context) {
	f := citizensms.Filter{State: c.Query("state"), Kind: c.Query("kind")}
	e := apperr.Fields{}
	if v := c.Query("limit"); v != "" {
		n, err := httpx.ParseInt(v)
		if err != nil || n < 1 || n > 100 {
			e.Add("limit", "limit 须为 1 到 100 的整数")
		}
		f.Limit = n
	}
	if v := c.Query("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			e.Add("before", "before 须为正整数")
		}
		f.Before = n
	}
	if err := e.Err(); err != nil {
		s.APIError(c, err)
		return
	}
	items, next, err := citizensms.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_before": next, "enabled": s.SMS.Enabled})
}

// APIResend queues the :id message again (given up only).
func (s *Handlers) APIResend(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = s.SMS.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id, s.Now())
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "state": "pending"})
}

// APISettings answers the switches of the automatic kinds.
func (s *Handlers) APISettings(c *gin.Context) {
	st, err := citizensms.LoadSettings(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"enabled": s.SMS.Enabled, "case_followup": st.CaseFollowup, "callback_notice": st.CallbackNotice,
		"window_invite": st.WindowInvite})
}

// APISaveSettings stores the switches (both fields required).
func (s *Handlers) APISaveSettings(c *gin.Context) {
	var in struct {
		CaseFollowup   *bool `json:"case_followup"`
		CallbackNotice *bool `json:"callback_notice"`
		// WindowInvite may be left out (kept as it is), for clients older
		// than the window invitations.
		WindowInvite *bool `json:"window_invite"`
	}
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	if in.CaseFollowup == nil || in.CallbackNotice == nil {
		s.APIError(c, apperr.New(apperr.Invalid, "须同时给出 case_followup 和 callback_notice"))
		return
	}
	st := citizensms.Settings{CaseFollowup: *in.CaseFollowup, CallbackNotice: *in.CallbackNotice}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if in.WindowInvite != nil {
			st.WindowInvite = *in.WindowInvite
		} else if cur, err := citizensms.LoadSettings(c, tx); err != nil {
			return nil, err
		} else {
			st.WindowInvite = cur.WindowInvite
		}
		return gin.H{"enabled": s.SMS.Enabled, "case_followup": st.CaseFollowup, "callback_notice": st.CallbackNotice,
				"window_invite": st.WindowInvite},
			citizensms.SaveSettings(c, tx, httpx.CurrentUser(c).Actor(), st, s.Now())
	})
}

// apiSurveyRound runs an invitation or reminder round of the :id survey.
func (s *Handlers) apiSurveyRound(c *gin.Context, remind bool) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, apperr.New(apperr.NotFound, "问卷不存在"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		actor := httpx.CurrentUser(c).Actor()
		if remind {
			return s.SMS.Remind(c, tx, s.Config.PublicBaseURL, actor, id, s.Now())
		}
		return s.SMS.Invite(c, tx, s.Config.PublicBaseURL, actor, id, s.Now())
	})
}

// APISurveyInvite sends the survey's SMS invitations.
func (s *Handlers) APISurveyInvite(c *gin.Context) { s.apiSurveyRound(c, false) }

// APISurveyRemind sends the survey's SMS reminders.
func (s *Handlers) APISurveyRemind(c *gin.Context) { s.apiSurveyRound(c, true) }
