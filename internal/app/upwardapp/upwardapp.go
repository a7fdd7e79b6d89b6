// Package upwardapp is the office's page of the upward reporting to the
// provincial 好差评 platform (issue 18, internal/upward): how many records
// are delivered, waiting and failed, the latest failures in words with a
// 重新上报 button, and the bulk export of a period's records for
// platforms that take files.
package upwardapp

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/upward"
)

// Handlers serve the upward reporting routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the page may show after a redirect.
var Flashes = map[string]string{
	"upward_resent": "已重新排队上报，稍后可在本页查看结果。",
}

// failuresShown is how many failed batches the page lists.
const failuresShown = 20

type page struct {
	httpx.BasePage
	// On is whether reporting is configured (UPWARD_URL).
	On       bool
	Counts   []upward.Counts
	Total    upward.Counts
	Failures []upward.Batch
	// CollectedTo is how far collection has come, in words.
	CollectedTo string
	// From and To are the export form's default period: this month.
	From, To string
}

// Page shows the state of upward reporting.
func (s *Handlers) Page(c *gin.Context) {
	st, err := upward.ReadStatus(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	fails, err := upward.Failures(c, s.Pool, failuresShown)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	p := page{BasePage: s.Base(c, "数据上报", "ratings"), On: s.Config.UpwardOn(), Counts: st.Counts, Failures: fails}
	for _, n := range st.Counts {
		p.Total.Sent += n.Sent
		p.Total.Waiting += n.Waiting
		p.Total.Retrying += n.Retrying
		p.Total.GivenUp += n.GivenUp
	}
	if at, ok := st.CollectedTo[upward.SourceRating]; ok {
		p.CollectedTo = at.In(s.Config.Location).Format("2006年1月2日 15:04:05")
	}
	today := s.Today()
	p.From = time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	p.To = today.Format(time.DateOnly)
	s.Render(c, http.StatusOK, "console/upward.html", p)
}

// ResendSubmit queues the :id batch again.
func (s *Handlers) ResendSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "上报批次不存在"))
		return
	}
	if err := upward.Resend(c, s.Pool, httpx.CurrentUser(c).Actor(), id); err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/upward", "upward_resent")
}
