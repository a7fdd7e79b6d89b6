package casesapp

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/callbacks"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// todayString is today's date in the configured time zone (YYYY-MM-DD).
func (s *Handlers) todayString() string { return s.Today().Format("2006-01-02") }

// fullPhones reports whether the user's role may see full phone numbers
// (CALLBACK_ROLES).
func (s *Handlers) fullPhones(u users.User) bool {
	return slices.Contains(s.Config.CallbackRoles, u.Role)
}

// callbackView is a case's call-back page: its phones (full or masked by
// role), the call-backs, the 追评 links and the 追评 received.
type callbackView struct {
	Case      callbacks.Case       `json:"case"`
	Phones    []callbacks.Phone    `json:"phones"`
	Calls     []callbacks.Call     `json:"calls"`
	Links     []callbacks.Link     `json:"followup_links"`
	Followups []callbacks.Followup `json:"followups"`
}

// callbackCase loads the case named by the id path parameter: not_found
// when missing, forbidden unless the user is office staff or of its unit.
func (s *Handlers) callbackCase(c *gin.Context, q db.DBTX) (callbacks.Case, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return callbacks.Case{}, apperr.New(apperr.NotFound, "整改案件不存在")
	}
	k, err := callbacks.FindCase(c, q, id, s.todayString())
	if err != nil {
		return k, err
	}
	if !httpx.CurrentUser(c).CanSeeUnit(k.UnitID) {
		return k, apperr.New(apperr.Forbidden, "无权查看该单位的整改案件")
	}
	return k, nil
}

// loadCallbackView reads everything the call-back page shows.
func (s *Handlers) loadCallbackView(c *gin.Context) (callbackView, error) {
	var v callbackView
	var err error
	if v.Case, err = s.callbackCase(c, s.Pool); err != nil {
		return v, err
	}
	if v.Phones, err = callbacks.Phones(c, s.Pool, s.Keys, v.Case.ID, s.fullPhones(httpx.CurrentUser(c))); err != nil {
		return v, err
	}
	if v.Calls, err = callbacks.ListCalls(c, s.Pool, v.Case.ID); err != nil {
		return v, err
	}
	if v.Links, err = callbacks.ListLinks(c, s.Pool, v.Case.ID); err != nil {
		return v, err
	}
	v.Followups, err = callbacks.ListFollowups(c, s.Pool, v.Case.ID)
	return v, err
}

// APIListCallbacks lists the real-name cases to call back: all for the
// office, a unit its own; state picks 待回访 (pending, the default),
// 已回访 (called) or all; q narrows to the cases whose texts hold its
// terms; limit (1–500, default 50) and offset page through them.
func (s *Handlers) APIListCallbacks(c *gin.Context) {
	f, err := s.callbackFilter(c.Request.URL.Query(), httpx.CurrentUser(c).UnitID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := callbacks.ListCallbackCases(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if list == nil {
		list = []callbacks.Case{}
	}
	c.JSON(http.StatusOK, gin.H{"state": f.State, "total": total, "items": list})
}

// APIGetCallbacks answers a case's call-back view: phones (full or masked by
// role), call-backs, 追评 links and 追评.
func (s *Handlers) APIGetCallbacks(c *gin.Context) {
	v, err := s.loadCallbackView(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APIRecordCallback records a call-back of a case: 201 when new, 200 when
// retried with the same client key.
func (s *Handlers) APIRecordCallback(c *gin.Context) {
	var in callbacks.CallInput
	if err := httpx.BindJSON(c, &in, 16<<10); err != nil {
		s.APIError(c, err)
		return
	}
	var out callbacks.Call
	var created bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		k, err := s.callbackCase(c, tx)
		if err != nil {
			return err
		}
		out, created, err = callbacks.RecordCall(c, tx, httpx.CurrentUser(c).Actor(), k.ID, in, s.Now(), s.Config.Location)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(map[bool]int{true: http.StatusCreated, false: http.StatusOK}[created], out)
}

// followupLinkJSON is an issued link: the token appears only here.
type followupLinkJSON struct {
	callbacks.Link
	URL string `json:"url"`
	PNG string `json:"qr_png"`
}

func (s *Handlers) followupURL(token string) string { return s.Config.PublicBaseURL + "/f/" + token }

// issueFollowupLink issues a 追评 link for the case named by the path.
func (s *Handlers) issueFollowupLink(c *gin.Context, days int) (followupLinkJSON, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return followupLinkJSON{}, apperr.New(apperr.NotFound, "整改案件不存在")
	}
	var l callbacks.Link
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		l, err = callbacks.IssueLink(c, tx, httpx.CurrentUser(c).Actor(), id, days, s.Now())
		return err
	})
	u := s.followupURL(l.Token)
	return followupLinkJSON{Link: l, URL: u, PNG: u + "/qr.png"}, err
}

// APIIssueFollowupLink issues a one-time 追评 link for a case (optionally valid
// for days), shown with its URL and QR code once.
func (s *Handlers) APIIssueFollowupLink(c *gin.Context) {
	var in struct {
		Days int `json:"days"`
	}
	if c.Request.ContentLength != 0 {
		if err := httpx.BindJSON(c, &in, 1<<10); err != nil {
			s.APIError(c, err)
			return
		}
	}
	out, err := s.issueFollowupLink(c, in.Days)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusCreated, out)
}

// APIMarkCarry marks or unmarks a case to carry into next year's targets.
func (s *Handlers) APIMarkCarry(c *gin.Context) {
	var in struct {
		Carry *bool `json:"carry_to_targets"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.Carry == nil {
		s.APIError(c, apperr.InvalidField("carry_to_targets", "请说明是否转入下一年度目标"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if err := callbacks.MarkCarry(c, tx, httpx.CurrentUser(c).Actor(), id, *in.Carry, s.Now()); err != nil {
			return nil, err
		}
		return callbacks.FindCase(c, tx, id, s.todayString())
	})
}

// APICaseDeductions lists the deduction proposals from the cycle's overdue
// cases.
func (s *Handlers) APICaseDeductions(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, apperr.New(apperr.NotFound, "考核年度不存在"))
		return
	}
	list, err := callbacks.Proposals(c, s.Pool, id, c.Query("reason_key"), s.todayString(), s.Config.Location, nil)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// confirmInput is the office's confirmation of a unit's proposal.
type confirmInput struct {
	UnitID    int64  `json:"unit_id"`
	ReasonKey string `json:"reason_key"`
}

// APIConfirmCaseDeduction confirms a unit's deduction proposal, recording the
// deductions.
func (s *Handlers) APIConfirmCaseDeduction(c *gin.Context) {
	var in confirmInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		list, err := callbacks.ConfirmProposal(c, tx, httpx.CurrentUser(c).Actor(), id, in.UnitID, in.ReasonKey, s.todayString(), s.Config.Location)
		return gin.H{"created": list}, err
	})
}

// APICarryCases lists the cycle's cases marked to carry into next year's
// targets.
func (s *Handlers) APICarryCases(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, apperr.New(apperr.NotFound, "考核年度不存在"))
		return
	}
	list, err := callbacks.MarkedCases(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": len(list), "items": list})
}

// APICarry carries the marked cases into the next cycle's target drafts.
func (s *Handlers) APICarry(c *gin.Context) {
	var in callbacks.CarryInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		list, err := callbacks.Carry(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Now())
		return gin.H{"carried": list}, err
	})
}
