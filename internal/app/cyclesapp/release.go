package cyclesapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
)

// releaseInput is the API's body: approvers by account id in order (absent:
// none), results_public (absent: true, 向社会公开) and publish_completion
// (absent: false).
type releaseInput struct {
	TargetApprovers   []int64 `json:"target_approvers"`
	ResultApprovers   []int64 `json:"result_approvers"`
	ResultsPublic     *bool   `json:"results_public"`
	PublishCompletion *bool   `json:"publish_completion"`
}

func (in releaseInput) release() cycles.Release {
	r := cycles.DefaultRelease()
	if in.TargetApprovers != nil {
		r.TargetApprovers = in.TargetApprovers
	}
	if in.ResultApprovers != nil {
		r.ResultApprovers = in.ResultApprovers
	}
	if in.ResultsPublic != nil {
		r.ResultsPublic = *in.ResultsPublic
	}
	if in.PublishCompletion != nil {
		r.PublishCompletion = *in.PublishCompletion
	}
	return r
}

// APIGetRelease returns the cycle's approvals and publication settings.
func (s *Handlers) APIGetRelease(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	if _, err := cycles.FindCycle(c, s.Pool, id); err != nil {
		s.APIError(c, err)
		return
	}
	r, err := cycles.LoadRelease(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// APISaveRelease replaces the cycle's approvals and publication settings
// (office only).
func (s *Handlers) APISaveRelease(c *gin.Context) {
	var in releaseInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		r, _, err := cycles.SaveRelease(c, tx, httpx.CurrentUser(c).Actor(), id, in.release())
		return r, err
	})
}

// leader is a leader account offered as an approver.
type leader struct {
	ID   int64
	Name string
}

type releasePage struct {
	httpx.BasePage
	Cycle   cycles.Cycle
	Release cycles.Release
	Leaders []leader
	// Slots numbers the approver choices of a step (1 to MaxApprovers).
	Slots  []int
	Errors map[string]string
}

// Approver is the account chosen in slot i (from 0) of ids, 0 when none.
func (releasePage) Approver(ids []int64, i int) int64 {
	if i < len(ids) {
		return ids[i]
	}
	return 0
}

// activeLeaders lists the active leader accounts, by name (a city has a
// handful; the list is capped).
func (s *Handlers) activeLeaders(c *gin.Context, q db.DBTX) ([]leader, error) {
	rows, _ := q.Query(c, `SELECT id, coalesce(nullif(name, ''), username) FROM users
		WHERE role = 'leader' AND disabled_at IS NULL ORDER BY name, id LIMIT 200`)
	return pgx.CollectRows(rows, pgx.RowToStructByPos[leader])
}

// ReleasePage shows the cycle's approvals and publication settings form.
func (s *Handlers) ReleasePage(c *gin.Context) { s.showRelease(c, http.StatusOK, nil, nil) }

func (s *Handlers) showRelease(c *gin.Context, status int, form *cycles.Release, errs map[string]string) {
	id, err := httpx.IDParam(c, "id")
	d := releasePage{Errors: errs}
	for i := 1; i <= cycles.MaxApprovers; i++ {
		d.Slots = append(d.Slots, i)
	}
	if err == nil {
		err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
			var err error
			if d.Cycle, err = cycles.FindCycle(c, tx, id); err != nil {
				return err
			}
			if d.Release, err = cycles.LoadRelease(c, tx, id); err != nil {
				return err
			}
			d.Leaders, err = s.activeLeaders(c, tx)
			return db.Err(err)
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if form != nil {
		d.Release = *form
	}
	d.BasePage = s.Base(c, d.Cycle.Name+" · 审批与公开", "cycles")
	s.Render(c, status, "console/cycle_release.html", d)
}

// approversForm reads a step's chosen approvers in slot order, skipping
// empty slots; a value that is no account id is refused.
func approversForm(c *gin.Context, field string, f apperr.Fields) []int64 {
	out := []int64{}
	for i := 1; i <= cycles.MaxApprovers; i++ {
		v := c.PostForm(field + "." + strconv.Itoa(i))
		if v == "" {
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			f.Add(field, "请从列表中选择审批人")
			continue
		}
		out = append(out, id)
	}
	return out
}

// ReleaseSubmit saves the settings from the form; a refusal shows the form
// again with the choices kept and the message beside the step.
func (s *Handlers) ReleaseSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	f := apperr.Fields{}
	in := cycles.Release{TargetApprovers: approversForm(c, "target_approvers", f),
		ResultApprovers: approversForm(c, "result_approvers", f),
		ResultsPublic:   c.PostForm("results_public") != "0", PublishCompletion: c.PostForm("publish_completion") == "1"}
	changed := false
	err = f.Err()
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			var err error
			_, changed, err = cycles.SaveRelease(c, tx, httpx.CurrentUser(c).Actor(), id, in)
			return err
		})
	}
	if err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			s.showRelease(c, http.StatusUnprocessableEntity, &in, errs)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	flash := "release_saved"
	if !changed {
		flash = "release_unchanged"
	}
	httpx.Redirect(c, cyclePath(id)+"/release", flash)
}
