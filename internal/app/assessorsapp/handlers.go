// Package assessorsapp serves assessor units (考评单位) and lead units (牵头
// 单位) as full actors over HTTP: an assessor's read-only view of the units
// it assesses, its deduction proposals (扣分建议) and the office's
// decisions on them, the cycle's deduction-reason preset, the cases an
// assessor opens and follows, and key tasks (重点任务) with their lead
// unit's view of progress. The rules are internal/assessors.
package assessorsapp

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/assessors"
	"minyi/internal/cycles"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// Handlers serve the assessors' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the pages may show after a redirect.
var Flashes = map[string]string{
	"proposal_sent":      "扣分建议已提交，等待绩效办审核。",
	"proposal_confirmed": "扣分建议已确认，扣分已记入考核。",
	"proposal_rejected":  "已不予采纳该扣分建议，提出单位可以看到理由。",
	"assessor_case_open": "整改案件已立案交办，可在本页跟踪整改进展。",
	"preset_applied":     "扣分事由已按所选规定更新。",
	"key_task_created":   "重点任务已设立。",
	"key_task_lead":      "牵头单位已更新。",
	"key_task_members":   "承担单位已更新。",
	"key_task_indicator": "关联指标已更新。",
}

// pageSize is how many rows a page of the lists shows.
const pageSize = 50

// assessorUnit is the signed-in unit user's unit; forbidden for the
// office, a leader or an account without a unit.
func assessorUnit(c *gin.Context) (int64, error) {
	u := httpx.CurrentUser(c)
	if u.Role != users.RoleUnit || u.UnitID == nil {
		return 0, apperr.New(apperr.Forbidden, assessors.MsgUnitRoleOnly)
	}
	return *u.UnitID, nil
}

// seesAll: the office, or a leader's read-only account.
func seesAll(c *gin.Context) bool { return httpx.CurrentUser(c).SeesAll() }

// cycleOf loads the :id cycle.
func (s *Handlers) cycleOf(c *gin.Context) (cycles.Cycle, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return cycles.Cycle{}, err
	}
	return cycles.FindCycle(c, s.Pool, id)
}

// unitParam parses :unit_id.
func unitParam(c *gin.Context) (int64, error) { return httpx.IDParam(c, "unit_id") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func cyclePath(id int64) string { return "/console/cycles/" + itoa(id) }

// pageOffset is the offset of ?page= for pageSize rows a page.
func pageOffset(c *gin.Context) (int, int) {
	p := httpx.PageParam(c)
	return p, (p - 1) * pageSize
}
