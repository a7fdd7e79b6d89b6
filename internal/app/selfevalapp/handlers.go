// Package selfevalapp serves self-evaluation periods and reports (自评期次
// 与自评报告) over HTTP: the office defines a cycle's periods
// (`/api/v1/cycles/:id/self-eval-periods`, `/console/cycles/:id/self-eval-periods`),
// a unit writes its report per period with attached files, and the office,
// leaders and the unit's assessor units read the reports and the
// indicators' evidence (`/api/v1/self-eval-periods…`,
// `/console/self-eval-periods…`). The rules are internal/selfeval.
package selfevalapp

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/selfeval"
	"minyi/internal/users"
)

// Handlers serve the self-evaluation routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the pages may show after a redirect.
var Flashes = map[string]string{
	"self_eval_period_saved":   "自评期次已保存。",
	"self_eval_period_deleted": "自评期次已删除。",
	"self_eval_report_saved":   "自评报告已提交。",
	"self_eval_report_late":    "自评报告已提交（逾期提交）。",
	"self_eval_file_removed":   "附件已移除。",
}

// MsgNotYours refuses a unit writing or reading another unit's report.
const MsgNotYours = "只能查看和填写本单位的自评报告"

// periodsPath is the console page of a cycle's periods.
func periodsPath(cycleID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/self-eval-periods"
}

// periodPath is the office's overview of a period.
func periodPath(id int64) string { return "/console/self-eval-periods/" + strconv.FormatInt(id, 10) }

// reportPath is the page of a unit's report of a period.
func reportPath(periodID, unitID int64) string {
	return periodPath(periodID) + "/units/" + strconv.FormatInt(unitID, 10)
}

// today is the local date (YYYY-MM-DD).
func (s *Handlers) today() string { return s.Today().Format("2006-01-02") }

// cycleOf loads the :id cycle.
func (s *Handlers) cycleOf(c *gin.Context) (cycles.Cycle, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return cycles.Cycle{}, err
	}
	return cycles.FindCycle(c, s.Pool, id)
}

// periodOf loads the :id period.
func (s *Handlers) periodOf(c *gin.Context) (selfeval.Period, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return selfeval.Period{}, apperr.New(apperr.NotFound, "自评期次不存在")
	}
	return selfeval.FindPeriod(c, s.Pool, id)
}

// access is how the signed-in user may see a unit's report.
type access int

const (
	accessAll      access = iota + 1 // office or leader: every unit
	accessOwn                        // the unit's own user: may write
	accessAssessor                   // an assessor unit of the unit: reads
)

// reportAccess says how the user may see the unit's report of the
// period: forbidden (in Chinese) for a unit user neither the unit nor one
// of its assessor units in the cycle, not_found for an unknown unit.
func (s *Handlers) reportAccess(c *gin.Context, p selfeval.Period, unitID int64) (access, error) {
	u := httpx.CurrentUser(c)
	switch {
	case u.SeesAll():
		var ok bool
		if err := s.Pool.QueryRow(c, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unitID).Scan(&ok); err != nil || !ok {
			return 0, apperr.New(apperr.NotFound, "单位不存在")
		}
		return accessAll, nil
	case u.Role == users.RoleUnit && u.UnitID != nil && *u.UnitID == unitID:
		return accessOwn, nil
	case u.Role == users.RoleUnit && u.UnitID != nil:
		if _, err := assessors.CheckAssesses(c, s.Pool, p.CycleID, *u.UnitID, unitID); err != nil {
			if apperr.Is(err, apperr.Forbidden) {
				return 0, apperr.New(apperr.Forbidden, MsgNotYours+"；考评单位只能查看所考评单位的自评报告")
			}
			return 0, err
		}
		return accessAssessor, nil
	}
	return 0, apperr.New(apperr.Forbidden, MsgNotYours)
}

// unitParam reads :unit_id.
func unitParam(c *gin.Context) (int64, error) {
	id, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		return 0, apperr.New(apperr.NotFound, "单位不存在")
	}
	return id, nil
}

// formErrors returns the messages a refused form shows: by field, or
// under "_" for a conflict. Any other error is answered with the error
// page, and ok is false.
func (s *Handlers) formErrors(c *gin.Context, err error) (fields map[string]string, ok bool) {
	if fields, ok = httpx.FieldErrors(err); ok {
		return fields, true
	}
	if !apperr.Is(err, apperr.Conflict) {
		s.ConsoleError(c, err)
		return nil, false
	}
	return map[string]string{"_": apperr.From(err).Message}, true
}
