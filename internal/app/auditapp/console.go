package auditapp

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/audit"
	"minyi/internal/httpx"
)

// auditPageSize is how many audit entries a page shows.
const auditPageSize = 50

var auditActions = map[string]string{
	"unit.create":                   "创建单位",
	"unit.update":                   "修改单位",
	"point.create":                  "新增服务点",
	"qr.rotate":                     "更换二维码",
	"terminal.create":               "注册评价器",
	"terminal.revoke":               "吊销评价器",
	"rating.exclude":                "剔除评价",
	"rating.restore":                "恢复评价",
	"user.create":                   "创建账号",
	"cycle.create":                  "创建考核年度",
	"cycle.config":                  "修改考核配置",
	"cycle.scheme":                  "保存考核方案",
	"survey.create":                 "创建问卷",
	"survey.update":                 "修改问卷",
	"survey.open":                   "开始问卷",
	"survey.close":                  "结束问卷",
	"survey.closes_at":              "修改问卷截止时间",
	"survey.respondent_add":         "添加受访人",
	"survey.respondent_delete":      "删除受访人",
	"survey.respondents_import":     "导入受访人",
	"survey_response.exclude":       "剔除答卷",
	"survey_response.restore":       "恢复答卷",
	"agency.create":                 "创建调查机构",
	"agency.update":                 "修改调查机构",
	"agency.disable":                "停用调查机构",
	"agency.enable":                 "启用调查机构",
	"agency.quotas":                 "设置目标样本量",
	"agency_token.issue":            "签发机构令牌",
	"agency_token.revoke":           "吊销机构令牌",
	"agency_upload.create":          "上传答卷",
	"workdays.create":               "录入工作日历",
	"workdays.update":               "修改工作日历",
	"deadline.recompute":            "按工作日历重新计算暂定期限",
	"target_sheet.create":           "创建目标责任书",
	"target_sheet.save":             "保存目标",
	"target_sheet.submit":           "提交目标审核",
	"target_sheet.return":           "退回目标",
	"target_sheet.approve":          "批准目标",
	"target_change.request":         "申请调整目标",
	"target_change.approve":         "批准目标调整",
	"target_change.reject":          "驳回目标调整",
	"target_report.save":            "报送进度",
	"target_self_evaluation.save":   "保存自评",
	"target_settings.save":          "修改过程管理设置",
	"assessment.settings":           "修改考核规则",
	"assessment.entry":              "评分",
	"assessment.bonus_claim":        "申报加分",
	"assessment.bonus_approved":     "批准加分",
	"assessment.bonus_rejected":     "驳回加分",
	"assessment.deduction":          "登记扣分",
	"assessment.deduction_revoke":   "撤销扣分",
	"assessment.adjustment":         "调整等次",
	"assessment.adjustment_revoke":  "撤销等次调整",
	"evidence.upload":               "上传证明材料",
	"results.publish_preliminary":   "公布初步结果",
	"results.publish_final":         "公布最终结果",
	"results.reopen":                "重新开启考核结果",
	"results.appeal":                "申请复核",
	"results.appeal_answer":         "答复复核申请",
	"results.staff_count":           "登记公务员人数",
	"results.rectification_submit":  "提交书面整改报告",
	"results.rectification_receive": "签收书面整改报告",
	"feedback.valid":                "认定有效反馈",
	"feedback.invalid":              "认定无效反馈",
	"feedback.reopen":               "重新核查反馈",
	"case.open":                     "交办整改案件",
	"case.answer":                   "答复整改案件",
	"case.progress":                 "填报整改进展",
	"case.done":                     "报告整改完成",
	"case.close":                    "办结整改案件",
	"case.return":                   "退回整改案件",
	"case.release":                  "公开整改案件",
	"case.unrelease":                "撤回公开整改案件",
	"case.settings":                 "修改整改期限设置",
	"appeal.file":                   "提交评价申诉",
	"appeal.upheld":                 "申诉成立",
	"appeal.rejected":               "申诉不成立",
	"flag.confirmed":                "确认可疑模式",
	"flag.dismissed":                "排除可疑模式",
	"network.create":                "登记大厅网络",
	"network.update":                "修改大厅网络",
	"network.delete":                "删除大厅网络",
	"rating_hold.count":             "暂不计分的评价计入得分",
	"rating_hold.not_count":         "暂不计分的评价不计入",
}

// auditEntities are the kinds of records the log names, in filter order.
var auditEntities = []struct{ Key, Label string }{
	{"unit", "单位"}, {"service_point", "服务点"}, {"terminal", "评价器"}, {"rating", "评价"}, {"user", "账号"},
	{"cycle", "考核年度"}, {"survey", "问卷"}, {"survey_respondent", "受访人"}, {"survey_response", "答卷"},
	{"agency", "调查机构"}, {"agency_upload", "机构上传"}, {"workday_year", "工作日历"}, {"target_sheet", "目标责任书"},
	{"assessment_entry", "评分"}, {"bonus_claim", "加分申报"}, {"deduction", "扣分"}, {"grade_adjustment", "等次调整"},
	{"evidence_file", "证明材料"}, {"appeal", "复核申请"}, {"feedback_rating", "评价核查"}, {"feedback_response", "答卷意见核查"},
	{"feedback_appeal", "评价申诉"}, {"feedback_flag", "可疑模式"}, {"rectification_case", "整改案件"}, {"case_settings", "整改期限设置"},
	{"rating_network", "大厅网络"}, {"rating_hold", "暂不计分的评价"},
}

func entityLabel(key string) string {
	for _, e := range auditEntities {
		if e.Key == key {
			return e.Label
		}
	}
	return key
}

type auditRow struct {
	audit.Entry
	ActionLabel string
	EntityLabel string
	Link        string
	Before      string
	After       string
}

type auditPageData struct {
	httpx.BasePage
	Entity   string
	Entities []struct{ Key, Label string }
	Rows     []auditRow
	Pager    httpx.Pager
}

// compactJSON returns raw as one line of JSON, "" for none.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// AuditPage shows the audit log, newest first, for the office.
func (s *Handlers) AuditPage(c *gin.Context) {
	d := auditPageData{BasePage: s.Base(c, "审计日志", "audit"), Entities: auditEntities}
	for _, e := range auditEntities {
		if c.Query("entity") == e.Key {
			d.Entity = e.Key
		}
	}
	page := httpx.PageParam(c)
	list, total, err := audit.List(c, s.Pool, audit.Filter{Entity: d.Entity, Limit: auditPageSize,
		Offset: (page - 1) * auditPageSize})
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Pager = httpx.NewPager(page, auditPageSize, total, func(n int) string {
		v := url.Values{}
		if d.Entity != "" {
			v.Set("entity", d.Entity)
		}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/console/audit"
		}
		return "/console/audit?" + v.Encode()
	})
	for _, e := range list {
		row := auditRow{Entry: e, ActionLabel: auditActions[e.Action], EntityLabel: entityLabel(e.Entity),
			Before: compactJSON(e.Before), After: compactJSON(e.After)}
		if row.ActionLabel == "" {
			row.ActionLabel = e.Action
		}
		if _, err := strconv.ParseInt(e.EntityID, 10, 64); err == nil {
			switch e.Entity {
			case "unit":
				row.Link = "/console/units/" + e.EntityID
			case "service_point":
				row.Link = "/console/points/" + e.EntityID + "/poster"
			}
		}
		d.Rows = append(d.Rows, row)
	}
	s.Render(c, http.StatusOK, "console/audit.html", d)
}
