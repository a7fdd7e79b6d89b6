// Package inspectionsapp serves the office's own checks (检查记录) over
// HTTP: the JSON API and the console pages that list a cycle's
// inspections, record one with its units, findings and files, and turn a
// finding into a rectification case or a deduction proposal in one step.
// The office writes; a leader reads everything; a unit reads the
// inspections of its unit and only its own findings. The rules are
// internal/inspections.
package inspectionsapp

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/inspections"
	"minyi/internal/users"
)

// Handlers serve the inspections' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the pages may show after a redirect.
var Flashes = map[string]string{
	"inspection_created":       "检查记录已登记。",
	"finding_added":            "发现的问题已登记。",
	"inspection_files":         "检查材料已添加。",
	"inspection_file_removed":  "检查材料已删除。",
	"inspection_file_shared":   "该材料已提供给被检查单位下载。",
	"inspection_file_unshared": "该材料已不再提供给被检查单位。",
	"inspection_items":         "涉及指标已保存。",
	"finding_case":             "已转为整改案件并交办被检查单位。",
	"finding_case_exists":      "该问题已转为整改案件，未重复立案。",
	"finding_prop":             "已转为扣分建议，请在扣分建议中审核确认。",
	"finding_prop_exists":      "该问题已转为扣分建议，未重复提出。",
}

// pageSize is how many inspections a page lists.
const pageSize = 50

// viewer is what the signed-in user may see: everything (office, leader)
// or one unit's.
func viewer(c *gin.Context) inspections.Viewer {
	u := httpx.CurrentUser(c)
	if u.SeesAll() {
		return inspections.Viewer{}
	}
	if u.Role == users.RoleUnit && u.UnitID != nil {
		return inspections.Viewer{UnitID: u.UnitID}
	}
	none := int64(0) // an account without a unit sees nothing
	return inspections.Viewer{UnitID: &none}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func listPath(cycleID int64) string { return "/console/cycles/" + itoa(cycleID) + "/inspections" }

func inspectionPath(id int64) string { return "/console/inspections/" + itoa(id) }
