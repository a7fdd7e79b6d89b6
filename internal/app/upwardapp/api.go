package upwardapp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/upward"
)

// apiCounts is one kind of record's counts in the API.
type apiCounts struct {
	Source   string `json:"source"`
	Label    string `json:"label"`
	Sent     int64  `json:"sent"`
	Waiting  int64  `json:"waiting"`
	Retrying int64  `json:"retrying"`
	Failed   int64  `json:"failed"`
	// CollectedTo is how far collection has come (null before the first).
	CollectedTo *time.Time `json:"collected_to"`
}

// apiBatch is a failed batch in the API.
type apiBatch struct {
	ID         int64     `json:"id"`
	Source     string    `json:"source"`
	Records    int       `json:"records"`
	State      string    `json:"state"`
	StateLabel string    `json:"state_label"`
	Attempts   int       `json:"attempts"`
	Reason     string    `json:"reason"`
	Error      string    `json:"error"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// APIStatus answers the page's content: whether reporting is configured,
// the counts of each kind and the latest failed batches.
func (s *Handlers) APIStatus(c *gin.Context) {
	st, err := upward.ReadStatus(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	fails, err := upward.Failures(c, s.Pool, failuresShown)
	if err != nil {
		s.APIError(c, err)
		return
	}
	counts := make([]apiCounts, len(st.Counts))
	for i, n := range st.Counts {
		counts[i] = apiCounts{Source: n.Source, Label: n.SourceName(), Sent: n.Sent, Waiting: n.Waiting,
			Retrying: n.Retrying, Failed: n.GivenUp}
		if at, ok := st.CollectedTo[n.Source]; ok {
			counts[i].CollectedTo = &at
		}
	}
	items := make([]apiBatch, len(fails))
	for i, b := range fails {
		items[i] = apiBatch{ID: b.ID, Source: b.Source, Records: b.Records, State: b.State, StateLabel: b.StateName(),
			Attempts: b.Attempts, Reason: b.Reason(), Error: b.LastError, UpdatedAt: b.UpdatedAt}
	}
	c.JSON(http.StatusOK, gin.H{"configured": s.Config.UpwardOn(), "counts": counts, "failures": items})
}

// APIResend queues the :id batch again (it must have failed for good).
func (s *Handlers) APIResend(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = upward.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": id, "state": "pending"})
}
