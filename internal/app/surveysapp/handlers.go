// Package surveysapp serves the annual evaluation surveys (满意度测评) over
// HTTP: the office's API (`/api/v1/surveys…`, `/api/v1/responses`) and
// console pages (`/console/surveys…`, `/console/responses`) that create,
// open and close a survey, manage its respondents and their invitations
// (letters, QR codes, link lists), and list the responses; and the
// respondents' invitation pages (`/s/…`). The surveys themselves are
// internal/surveys.
package surveysapp

import "minyi/internal/httpx"

// Handlers serve the surveys' routes; internal/server routes to them.
type Handlers struct{ *httpx.App }

// New returns the handlers over app.
func New(app *httpx.App) *Handlers { return &Handlers{App: app} }

// Flashes are the messages the surveys' pages may show after a redirect.
var Flashes = map[string]string{
	"survey_created":     "问卷已创建。请导入受访人，确认无误后开始问卷。",
	"survey_updated":     "问卷已保存。",
	"survey_frozen":      "问卷已开始，题目和设置不能再修改。",
	"survey_opened":      "问卷已开始，受访人现在可以通过邀请链接作答。",
	"survey_closed":      "问卷已结束并冻结，不再接受答卷。",
	"survey_closes_at":   "截止时间已保存。",
	"respondent_added":   "受访人已添加，已生成专属邀请链接。",
	"respondent_exists":  "该受访人已在名单中，未重复添加。",
	"respondent_deleted": "受访人已删除，其邀请链接已失效。",
}
