package audit

import "strings"

// valueWords are the words for enum values, by field key.
var valueWords = map[string]map[string]string{
	"status": {
		"draft": "草稿", "submitted": "已提交", "returned": "已退回", "approved": "已批准", "pending": "待处理",
		"rejected": "已驳回", "open": "进行中", "closed": "已结束", "upheld": "成立", "partly": "部分成立",
		"dismissed": "已排除", "confirmed": "已确认", "sent": "已交办", "answered": "已答复",
		"done_reported": "已报告完成", "invited": "已邀请", "started": "已开始", "leader_review": "待领导审定",
	},
	"role":            {"office": "绩效办", "unit": "单位", "leader": "领导（只读）"},
	"state":           {"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败，将重试", "given_up": "已放弃"},
	"notify_channels": {"email": "邮件", "sms": "短信"},
	"approval_state":  {"pending": "审批中", "approved": "审批通过", "returned": "已退回", "withdrawn": "已撤回"},
	"subject":         {"results": "考核结果", "target_sheet": "目标责任书", "target_change": "目标调整申请"},
	"dingtalk_secret": {"none": "未设置", "set": "已设置", "changed": "已更换"},
	"level":           {"5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意"},
	"verdict":         {"valid": "有效", "invalid": "无效", "acknowledged": "自动确认"},
	"source_kind": {"rating": "评价", "response": "答卷", "target": "目标任务", "result": "考核结果",
		"assessor": "考评单位发现问题", "inspection": "绩效办检查发现问题"},
	"source_group": {"feedback": "群众评价反馈", "survey": "问卷调查", "monitoring": "日常监测", "assessment": "考核",
		"callback": "回访"},
	"reason_key": {"accountability": "行政问责", "targets_incomplete": "目标任务未完成", "false_self_evaluation": "自评不实",
		"standards_not_followed": "考评单位未按标准评分", "data_withheld": "瞒报、漏报、拒报数据", "serious_violation": "严重违纪违法"},
	"stage":   {"draft": "草稿", "preliminary": "初步结果已公布", "final": "最终结果已公布", "reopened": "已重新开启"},
	"preset":  {"jiangxi": "江西省省直机关绩效管理", "zhongshan": "中山市“三效一创”", "county": "县直部门绩效评估"},
	"purpose": {"leaders": "领导评价", "deputies": "代表委员评价", "peer": "部门互评", "grassroots": "基层评价", "custom": "其他评价"},
	"scale":   {"grades": "四档评价", "mark": "百分制打分"},
	"grade":   {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"},
	"outcome": {"satisfied": "满意", "unsatisfied": "不满意", "unreachable": "未联系上"},
	"content_type": {"image/png": "图片", "image/jpeg": "图片", "image/gif": "图片", "image/webp": "图片",
		"application/pdf": "PDF 文件", "application/msword": "Word 文件", "text/plain": "文本文件",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文件",
		"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       "Excel 文件"},
	"mode": {"amount": "按等次定额", "coefficient": "按系数"},
	"kind": {
		"burst_address": "同一地址集中评价", "burst_device": "同一设备集中评价", "phone_many_units": "同一电话评价多个单位",
		"top_run": "连续最高评价", "note": "备注", "answer": "答复", "progress": "进展", "done": "完成", "closed": "办结",
		"returned": "退回", "raise": "上调一个等次", "lower": "下调一个等次", "no_excellent": "不得评为优秀",
		"criticism": "通报批评", "commendation": "表彰",
		// The office's inspections (internal/inspections).
		"self_check": "月度自查", "spot_check": "季度抽查", "half_year": "半年督查", "evidence_check": "佐证核验",
		"on_site": "实地核查", "visit_verify": "察访核验",
	},
	"severity": {"general": "一般问题", "serious": "严重问题", "good": "工作亮点"},
}

// valueWord is the word for an enum value of the field at path.
func valueWord(path, v string) (string, bool) {
	key := path
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		key = path[i+1:]
	}
	w, ok := valueWords[key][v]
	return w, ok
}
