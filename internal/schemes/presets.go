package schemes

import (
	"slices"

	"minyi/internal/apperr"
)

// Preset names.
const (
	PresetJiangxi   = "jiangxi"
	PresetZhongshan = "zhongshan"
	PresetCounty    = "county"
)

// Preset is a scheme shipped with the product, computing as its source
// says.
type Preset struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Source string `json:"source"`
	// Formula states the composite in the source's words.
	Formula string `json:"formula"`
	Tree    Node   `json:"tree"`
}

func manual(key, name string, max float64, assessor string) Node {
	return Node{Key: key, Name: name, Kind: KindManual, Max: max, Assessor: &Assessor{Name: assessor}}
}

func public(key, name string, max float64, assessor string) Node {
	n := Node{Key: key, Name: name, Kind: KindAuto, Max: max, Source: SourcePublicEvaluation}
	if assessor != "" {
		n.Assessor = &Assessor{Name: assessor}
	}
	return n
}

// fed is an auto leaf fed by the cycle's evaluation instrument with the
// key.
func fed(key, name string, max float64, assessor, instrument string) Node {
	return Node{Key: key, Name: name, Kind: KindAuto, Max: max, Source: SourceInstrument(instrument),
		Assessor: &Assessor{Name: assessor}}
}

func group(kind, key, name string, kids ...Node) Node {
	return Node{Key: key, Name: name, Kind: kind, Children: kids}
}

func weight(n Node, w float64) Node {
	n.Weight = w
	return n
}

// jiangxi is 江西省省直机关绩效管理办法 § 19:
// composite = (indicator × 60 % + process × 40 %) × 60 % + evaluation × 40 %.
func jiangxi() Node {
	indicator := group(KindSum, "indicator", "绩效指标考核",
		manual("key_work", "重点工作和履职履责完成情况", 80, "省绩效办会同牵头单位"),
		manual("lead_assessment", "领导小组成员及牵头部门评估", 20, "领导小组成员及牵头部门"),
	)
	process := manual("process", "过程管理与日常考核", 100, "省绩效办会同有关部门")
	departmental := group(KindProrated, "departmental", "部门评价",
		manual("leadership", "省管领导班子和领导干部考核", 15, "有关部门"),
		manual("party_building", "省直机关党的建设", 10, "有关部门"),
		manual("public_security", "社会治安综合治理", 10, "有关部门"),
		manual("energy_saving", "公共机构节能情况", 10, "有关部门"),
		manual("budget_performance", "财政预算绩效", 5, "有关部门"),
	)
	evaluation := group(KindSum, "evaluation", "绩效评价",
		fed("provincial_leaders", "省领导评价", 20, "省领导", InstrumentLeaders),
		public("public", "公众评价", 30, "省绩效办（日常评价40%、年终评价60%）"),
		departmental,
	)
	work := group(KindWeighted, "performance", "绩效指标与过程管理",
		weight(indicator, 0.6), weight(process, 0.4))
	return group(KindWeighted, "composite", "年度综合绩效成绩", weight(work, 0.6), weight(evaluation, 0.4))
}

// zhongshan is 中山市政府部门绩效管理暂行办法 § 19 and annex 1 (三效一创):
// 100 points, ten first-level indicators, fourteen second-level items, each
// with the assessor (考评主体) the annex names.
func zhongshan() Node {
	return group(KindSum, "composite", "三效一创",
		group(KindSum, "duty_efficiency", "履职效率",
			group(KindSum, "duties", "职责任务",
				manual("statutory_duties", "履行法定职责", 5, "市编委办"),
				manual("key_tasks", "完成重点任务", 10, "市府督查室"),
			),
			group(KindSum, "rule_of_law", "依法行政",
				manual("administrative_conduct", "规范行政行为", 5, "市法制局"),
				manual("approval_reform", "深化行政审批制度改革", 5, "市编委办、市发展改革局"),
			),
		),
		group(KindSum, "efficiency_building", "效能建设",
			group(KindSum, "cost_benefit", "成本效益",
				manual("administrative_cost", "行政成本", 5, "市财政局"),
				manual("fund_benefit", "资金效益", 5, "市财政局"),
			),
			group(KindSum, "capacity", "能力建设",
				manual("efficiency_work", "效能建设", 5, "市监察局"),
				manual("integrity_risk", "廉政风险防控管理", 5, "市监察局"),
			),
		),
		group(KindSum, "service_effect", "服务效果",
			group(KindSum, "leader_evaluation", "领导评价",
				fed("leader_rating", "领导评价", 10, "市领导", InstrumentLeaders),
			),
			group(KindSum, "deputy_evaluation", "党代表、人大代表、政协委员评价",
				fed("deputy_rating", "党代表、人大代表、政协委员评价", 5, "党代表、人大代表、政协委员", InstrumentDeputies),
			),
			group(KindSum, "peer_evaluation", "部门互评",
				fed("peer_coordination", "协商沟通、协同配合情况", 5, "政府部门", InstrumentPeer),
			),
			group(KindSum, "grassroots_evaluation", "基层评价",
				fed("grassroots_service", "各单位服务基层效果", 10, "各镇区", InstrumentGrassroots),
			),
			group(KindSum, "public_evaluation", "公众评价",
				public("public_satisfaction", "服务对象满意度", 15, "第三方调查机构"),
			),
		),
		group(KindSum, "innovation_area", "创新创优",
			group(KindSum, "innovation", "创新创优",
				manual("innovation_awards", "重大工作创新成果及受表彰奖励情况", 10, "联席会议"),
			),
		),
	)
}

// county is the county scheme of the reference plans (003): indicator
// assessment 80 %, public appraisal 10 %, leaders' evaluation 10 %.
func county() Node {
	return group(KindWeighted, "composite", "绩效评估总分",
		weight(manual("indicators", "指标评估", 100, "绩效评估委员会办公室"), 0.8),
		weight(public("public", "公众评议", 100, ""), 0.1),
		weight(fed("leaders", "领导评价", 100, "县领导", InstrumentLeaders), 0.1),
	)
}

// Presets returns the shipped presets, normalized (derived maxima filled
// in); each call returns fresh trees.
func Presets() []Preset {
	return []Preset{
		{Key: PresetJiangxi, Name: "江西省省直机关绩效管理", Source: "江西省省直机关绩效管理办法 第十九条",
			Formula: "年度综合绩效成绩＝（绩效指标考核得分×60%＋过程管理与日常考核得分×40%）×60%＋绩效评价得分×40%；部门评价按已参加项目折算",
			Tree:    jiangxi().Normalized()},
		{Key: PresetZhongshan, Name: "中山市“三效一创”", Source: "中山市政府部门绩效管理暂行办法 第十九条及附件1",
			Formula: "百分制：10项一级指标、14项二级指标得分之和",
			Tree:    zhongshan().Normalized()},
		{Key: PresetCounty, Name: "县直部门绩效评估", Source: "县政府绩效评估实施方案",
			Formula: "指标评估80%＋公众评议10%＋领导评价10%",
			Tree:    county().Normalized()},
	}
}

// FindPreset returns the preset with the key, or an invalid error on field
// preset.
func FindPreset(key string) (Preset, error) {
	ps := Presets()
	i := slices.IndexFunc(ps, func(p Preset) bool { return p.Key == key })
	if i < 0 {
		return Preset{}, apperr.InvalidField("preset", "预置方案“"+key+"”不存在，可选 jiangxi、zhongshan、county")
	}
	return ps[i], nil
}
