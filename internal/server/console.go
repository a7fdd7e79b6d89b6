package server

// flashes are the messages a httpx.Redirect may ask for with ?msg=; only these
// fixed texts can appear, so a link cannot put words on the page.
var flashes = map[string]string{
	"unit_created":     "单位已创建。",
	"unit_updated":     "单位信息已保存。",
	"qr_rotated":       "二维码已更换，旧二维码已停止接收评价，请重新打印张贴。",
	"point_created":    "服务点已创建。",
	"terminal_revoked": "评价器已吊销，其令牌立即失效。",
	"rating_excluded":  "该评价已剔除，不再计入得分。",
	"rating_restored":  "该评价已恢复，重新计入得分。",
	// The daily cap on counted QR ratings (console_dailycap.go).
	"network_created": "大厅网络已登记，来自该网络的扫码评价按其每日上限计分。",
	"network_updated": "大厅网络已保存。",
	"network_deleted": "大厅网络已删除，来自这些地址的评价重新按同一地址每日上限计分。",
	// Surveys (console_surveys*.go).
	"survey_created":     "问卷已创建。请导入受访人，确认无误后开始问卷。",
	"survey_updated":     "问卷已保存。",
	"survey_frozen":      "问卷已开始，题目和设置不能再修改。",
	"survey_opened":      "问卷已开始，受访人现在可以通过邀请链接作答。",
	"survey_closed":      "问卷已结束并冻结，不再接受答卷。",
	"survey_closes_at":   "截止时间已保存。",
	"respondent_added":   "受访人已添加，已生成专属邀请链接。",
	"respondent_exists":  "该受访人已在名单中，未重复添加。",
	"respondent_deleted": "受访人已删除，其邀请链接已失效。",
	// Survey agencies (console_agencies.go).
	"agency_created":       "机构已创建。请签发接口令牌并设置目标样本量。",
	"agency_updated":       "机构信息已保存。",
	"agency_disabled":      "机构已停用，其令牌均不能再使用。",
	"agency_enabled":       "机构已启用。",
	"agency_token_revoked": "令牌已吊销，立即失效。",
	"agency_quota_set":     "目标样本量已设置。",
	"agency_upload_done":   "文件已上传并逐行校验，结果见下方报告。",
}

// mergeFlashes joins the flash messages of the console and of each
// handler package into one table; a key defined twice is a programming
// error caught at start-up.
func mergeFlashes(tables ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, t := range tables {
		for k, v := range t {
			if _, dup := out[k]; dup {
				panic("flash message " + k + " is defined twice")
			}
			out[k] = v
		}
	}
	return out
}
