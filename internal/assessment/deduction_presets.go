package assessment

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// DeductionPreset is a regulation's list of deduction reasons (扣分事由)
// and its cap on the points deducted from a unit in all.
type DeductionPreset struct {
	Key     string            `json:"key"`
	Name    string            `json:"name"`
	Source  string            `json:"source"`
	Cap     float64           `json:"deduction_cap"`
	Reasons []DeductionReason `json:"deduction_reasons"`
}

// Deduction preset keys.
const (
	PresetQinzhou   = "qinzhou"
	PresetZhongshan = "zhongshan"
)

// DeductionPresets are the regulations' lists, in the order offered.
//
// Qinzhou (000 § 23) is the list the product has always shipped (the
// defaults): incomplete targets, false self-evaluation, an assessor not
// following the standards, data withheld, 行政问责, and the worst cases set
// the result to 不合格 directly; at most 10 points in all.
//
// Zhongshan (001 § 20 and annex 1, 附加项目 行政问责 −10): five items of
// −2 each, at most −10 in all, each proposed by the assessor the annex
// names (廉政问题 and 社会负面影响: 市监察局; 安全事故: 市安监局; 预算支出
// 绩效: 市财政局; 审计结果: 市审计局).
func DeductionPresets() []DeductionPreset {
	return []DeductionPreset{
		{Key: PresetQinzhou, Name: "钦州市扣分事由", Source: "钦州市绩效管理办法第二十三条",
			Cap: DefaultSettings().DeductionCap, Reasons: DefaultSettings().DeductionReasons},
		{Key: PresetZhongshan, Name: "中山市行政问责扣分（每项扣2分，最多扣10分）", Source: "中山市政府部门绩效管理办法第二十条及附件1",
			Cap: 10, Reasons: []DeductionReason{
				{Key: "zs_integrity", Name: "廉政问题：政府部门发生重大违纪违法问题", Points: 2, Proposer: "市监察局"},
				{Key: "zs_safety", Name: "安全事故：发生安全责任事故，政府部门负有一定责任", Points: 2, Proposer: "市安监局"},
				{Key: "zs_public_impact", Name: "社会负面影响：因失职行为造成重大社会负面影响", Points: 2, Proposer: "市监察局"},
				{Key: "zs_budget", Name: "预算支出绩效出现重大问题", Points: 2, Proposer: "市财政局"},
				{Key: "zs_audit", Name: "审计结果出现重大问题", Points: 2, Proposer: "市审计局"},
			}},
	}
}

// FindDeductionPreset returns the preset with the key.
func FindDeductionPreset(key string) (DeductionPreset, bool) {
	for _, p := range DeductionPresets() {
		if p.Key == key {
			return p, true
		}
	}
	return DeductionPreset{}, false
}

// Apply returns s with the preset's reasons and cap, marked as taken
// from it. Reasons of s that deductions were already filed against stay
// at the end (kept lists the keys to keep), so those deductions keep
// their name and their own cap.
func (p DeductionPreset) Apply(s Settings, kept []string) Settings {
	reasons := slices.Clone(p.Reasons)
	for _, k := range kept {
		if _, ok := p.reason(k); ok {
			continue
		}
		if r, ok := s.Reason(k); ok {
			reasons = append(reasons, r)
		}
	}
	s.DeductionReasons, s.DeductionCap, s.DeductionPreset = reasons, p.Cap, p.Key
	return s
}

func (p DeductionPreset) reason(key string) (DeductionReason, bool) {
	for _, r := range p.Reasons {
		if r.Key == key {
			return r, true
		}
	}
	return DeductionReason{}, false
}

// MatchDeductionPreset returns the key of the preset whose reasons and
// cap s has exactly, or "".
func MatchDeductionPreset(s Settings) string {
	for _, p := range DeductionPresets() {
		if p.Cap == s.DeductionCap && slices.Equal(p.Reasons, s.DeductionReasons) {
			return p.Key
		}
	}
	return ""
}

// ApplyDeductionPreset stores the cycle's next settings version with the
// preset's reasons and cap (SaveSettings: audited; the same settings
// again store nothing). Reasons deductions or proposals were already
// filed against stay, so the record keeps its names. It returns invalid
// for an unknown preset and SaveSettings's errors.
func ApplyDeductionPreset(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, key string) (SettingsVersion, error) {
	p, ok := FindDeductionPreset(key)
	if !ok {
		return SettingsVersion{}, apperr.InvalidField("preset", "请选择扣分事由预设")
	}
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return SettingsVersion{}, err
	}
	cur, err := LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return SettingsVersion{}, err
	}
	rows, _ := tx.Query(ctx, `SELECT DISTINCT reason_key FROM assessment_deductions WHERE cycle_id = $1
		UNION SELECT DISTINCT reason_key FROM deduction_proposals WHERE cycle_id = $1 ORDER BY 1`, cycleID)
	kept, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return SettingsVersion{}, db.Err(err)
	}
	return SaveSettings(ctx, tx, actor, cycleID, p.Apply(cur.Settings, kept), "选用扣分事由预设："+p.Name)
}
