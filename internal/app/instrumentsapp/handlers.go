// Package instrumentsapp serves evaluation instruments (评价项目) over
// HTTP: the office's API (`/api/v1/cycles/:id/instruments`,
// `/api/v1/instruments/…`) and console pages (`/console/cycles/:id/
// instruments`, `/console/instruments/…`) to create, configure, open and
// close an instrument, invite raters and read its results down to each
// answer; the unit accounts' API and pages (`/api/v1/evaluations`,
// `/console/evaluations/…`) to answer 部门互评 and 基层评价; and the
// invitees' link page (`/e/:token`). The instruments are
// internal/instruments.
package instrumentsapp

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

// Handlers serve the instruments' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the instruments' pages may show after a
// redirect.
var Flashes = map[string]string{
	"instrument_created": "评价项目已创建。请确认评分方式和评价范围后开始评价。",
	"instrument_updated": "评价项目已保存。",
	"instrument_opened":  "评价项目已开始，评价人现在可以作答。",
	"instrument_closed":  "评价项目已结束，不再接受评价。",
	"invitee_added":      "评价人已添加，已生成专属邀请链接。",
	"invitee_exists":     "该评价人已在名单中，未重复添加。",
	"evaluations_saved":  "评价已保存，结束前可以修改。",
	"partners_saved":     "协作单位已保存。",
}

func instrumentPath(id int64) string { return "/console/instruments/" + strconv.FormatInt(id, 10) }

func evaluationPath(id int64) string { return "/console/evaluations/" + strconv.FormatInt(id, 10) }

// unitRater is the signed-in unit account as a rater, or forbidden for an
// office account.
func unitRater(c *gin.Context) (instruments.Rater, error) {
	u := httpx.CurrentUser(c)
	if u.UnitID == nil {
		return instruments.Rater{}, apperr.New(apperr.Forbidden, "部门互评和基层评价由各单位通过单位账号作答")
	}
	return instruments.Rater{UnitID: *u.UnitID, UserID: u.ID, Name: u.Username}, nil
}
