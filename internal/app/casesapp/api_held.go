package casesapp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
)

// APIHoldGroups lists the groups of held ratings with the queue's filter
// (status "pending" by default, "all" for every group).
func (s *Handlers) APIHoldGroups(c *gin.Context) {
	status := c.DefaultQuery("status", "pending")
	if status == "all" {
		status = ""
	}
	apiQueueList(s, c, status, feedback.HoldGroups)
}

// holdBody is a decision on a group: the reason for not counting, and the
// time of the last held rating the decision covers (the group's last_at
// as listed), or none for all held now.
type holdBody struct {
	Reason string     `json:"reason"`
	Until  *time.Time `json:"until"`
}

// APIDecideHold counts a group of held ratings, or keeps it out of the score
// with a reason.
func (s *Handlers) APIDecideHold(count bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in holdBody
		if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
			s.APIError(c, err)
			return
		}
		d := ratings.HoldDecision{Key: c.Param("key"), Count: count, Reason: in.Reason}
		if in.Until != nil {
			d.Until = *in.Until
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			n, err := ratings.DecideHoldGroup(c, tx, httpx.CurrentUser(c).Actor(), d)
			return gin.H{"settled": n, "counted": count}, err
		})
	}
}
