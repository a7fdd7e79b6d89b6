package surveysapp

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

// fieldRE matches a survey form field: u<unit id>.<question key or opinion>.
var fieldRE = regexp.MustCompile(`^u([0-9]{1,18})\.([a-z][a-z0-9_]{0,29})$`)

// postedAnswers reads every unit's answers from a form post. A unit with
// nothing chosen or written is left out unless it is always, the unit
// whose save button was pressed. A level that is not a number is kept as
// -1, so the store refuses it by name.
func postedAnswers(c *gin.Context, always int64) ([]surveys.Answer, error) {
	if err := httpx.ReadForm(c); err != nil {
		return nil, err
	}
	byUnit := map[int64]*surveys.Answer{}
	var order []int64
	get := func(id int64) *surveys.Answer {
		a, ok := byUnit[id]
		if !ok {
			a = &surveys.Answer{UnitID: id, Answers: map[string]int{}}
			byUnit[id] = a
			order = append(order, id)
		}
		return a
	}
	if always != 0 {
		get(always)
	}
	for name, values := range c.Request.PostForm {
		m := fieldRE.FindStringSubmatch(name)
		if m == nil || len(values) == 0 {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		v := strings.TrimSpace(values[len(values)-1])
		if v == "" && id != always {
			continue
		}
		a := get(id)
		if m[2] == "opinion" {
			a.Opinion = values[len(values)-1]
			continue
		}
		if v == "" {
			continue
		}
		level, err := httpx.ParseInt(v)
		if err != nil {
			level = -1
		}
		a.Answers[m[2]] = level
	}
	out := make([]surveys.Answer, 0, len(order))
	for _, id := range order {
		a := byUnit[id]
		if id == always || len(a.Answers) > 0 || strings.TrimSpace(a.Opinion) != "" {
			out = append(out, *a)
		}
	}
	return out, nil
}

// InvitationSaveUnit saves one unit's answers. The page's script posts
// JSON and gets the unit's state back; a form post (no script) saves every
// unit filled in on the page and returns to the unit.
func (s *Handlers) InvitationSaveUnit(c *gin.Context) {
	token, ok := s.invitationToken(c)
	if !ok {
		return
	}
	unitID, err := strconv.ParseInt(c.Param("unit_id"), 10, 64)
	if err != nil || unitID <= 0 {
		unitID = -1
	}
	var list []surveys.Answer
	if httpx.WantsJSON(c) {
		var body struct {
			Answers map[string]int `json:"answers"`
			Opinion string         `json:"opinion"`
		}
		// The answers are checked by surveys, which names each field as
		// the page marks it (u<unit>.opinion).
		if err := httpx.DecodeJSON(c, &body, 16<<10); err != nil {
			s.APIError(c, err)
			return
		}
		list = []surveys.Answer{{UnitID: unitID, Answers: body.Answers, Opinion: body.Opinion}}
	} else if list, err = postedAnswers(c, unitID); err != nil {
		s.Refuse(c, err)
		return
	}
	var inv surveys.Invitation
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		inv, err = surveys.SaveAnswers(c, tx, token, list, s.Now())
		return err
	})
	if err != nil {
		s.invitationFailed(c, token, list, err)
		return
	}
	if httpx.WantsJSON(c) {
		c.JSON(http.StatusOK, gin.H{"unit_id": unitID, "complete": inv.Complete(unitID), "done": inv.Done(), "total": len(inv.Units)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/s/"+token+"?saved="+strconv.FormatInt(unitID, 10)+"#u"+strconv.FormatInt(unitID, 10))
}

// InvitationSubmit submits the survey. A form post first saves what the
// page shows, so nothing typed is lost; then, in one transaction, the
// drafts become responses.
func (s *Handlers) InvitationSubmit(c *gin.Context) {
	token, ok := s.invitationToken(c)
	if !ok {
		return
	}
	var list []surveys.Answer
	if httpx.WantsJSON(c) {
		var body struct{}
		if c.Request.ContentLength != 0 {
			if err := httpx.BindJSON(c, &body, 1<<10); err != nil {
				s.APIError(c, err)
				return
			}
		}
	} else {
		var err error
		if list, err = postedAnswers(c, 0); err != nil {
			s.Refuse(c, err)
			return
		}
	}
	var inv surveys.Invitation
	var err error
	if len(list) > 0 {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			_, err = surveys.SaveAnswers(c, tx, token, list, s.Now())
			return err
		})
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			inv, err = surveys.Submit(c, tx, token, s.Now(), s.Config.Location)
			return err
		})
	}
	if err != nil {
		s.invitationFailed(c, token, list, err)
		return
	}
	if httpx.WantsJSON(c) {
		c.JSON(http.StatusOK, gin.H{"submitted": true, "units": len(inv.Units)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/s/"+token+"?done=1")
}

// invitationFailed answers a refused save or submission: JSON for the
// script; for a form, what became of the link, or the page again with what
// was posted and the messages.
func (s *Handlers) invitationFailed(c *gin.Context, token string, posted []surveys.Answer, err error) {
	e := apperr.From(err)
	switch {
	case e.Code == apperr.NotFound:
		s.invalidInvitation(c)
		return
	case httpx.WantsJSON(c):
		s.APIError(c, err)
		return
	case e.Code == apperr.Unavailable || e.Code == apperr.Internal:
		s.invitationUnavailable(c, err)
		return
	}
	inv, lerr := surveys.OpenInvitation(c, s.Pool, token)
	if lerr != nil {
		s.invitationUnavailable(c, lerr)
		return
	}
	status := apperr.Status(e.Code)
	if e.Code != apperr.Invalid && s.invitationState(c, inv, status) {
		return
	}
	byUnit := map[int64]surveys.Answer{}
	for _, a := range posted {
		byUnit[a.UnitID] = a
	}
	d := s.invitationView(token, inv, byUnit, e.Fields)
	d.Message = e.Message
	s.Render(c, status, "public/survey.html", d)
}
