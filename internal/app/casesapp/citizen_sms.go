package casesapp

import (
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/feedback"
	"minyi/internal/httpx"
)

// The hooks of the SMS to citizens (internal/citizensms) on the case
// events, in the event's own transaction; each does nothing when no SMS
// gateway is configured or the office switched the kind off.

// markValid opens a case from feedback items and tells the citizens of a
// real-name complaint that it was accepted and when they will be called
// back.
func (s *Handlers) markValid(c *gin.Context, tx pgx.Tx, in feedback.ValidInput) (feedback.Case, error) {
	cs, err := feedback.MarkValid(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
	if err == nil {
		err = s.SMS.CaseOpened(c, tx, s.Config.PublicBaseURL, cs.ID, s.Now())
	}
	return cs, err
}

// closeCase closes a case and sends its citizens their 追评 links.
func (s *Handlers) closeCase(c *gin.Context, tx pgx.Tx, id int64, in feedback.CaseAction) (feedback.Case, error) {
	who := caseActor(c)
	cs, err := feedback.CloseCase(c, tx, who, id, in, s.Now())
	if err == nil {
		err = s.SMS.CaseClosed(c, tx, s.Config.PublicBaseURL, who.Actor, id, s.Now())
	}
	return cs, err
}
