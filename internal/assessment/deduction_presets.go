package assessment

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// DeductionPreset is a regulation's list of deduction reasons (扣分事由),
// its groups of reasons capped together and its cap on the points
// deducted from a unit in all (0: the preset keeps the cycle's overall
// cap).
type DeductionPreset struct {
	Key     string            `json:"key"`
	Name    string            `json:"name"`
	Source  string            `json:"source"`
	Cap     float64           `json:"deduction_cap"`
	Groups  []DeductionGroup  `json:"deduction_groups,omitempty"`
	Reasons []DeductionReason `json:"deduction_reasons"`
}

// Deduction preset keys.
const (
	PresetQinzhou   = "qinzhou"
	PresetZhongshan = "zhongshan"
	// GroupZhongshanAccountability is the group of Zhongshan's five
	// 行政问责 items (at most 10 points together).
	GroupZhongshanAccountability = "zs_accountability"
)

// DeductionPresets are the regulations' lists, in the order offered.
//
// Qinzhou (000 § 23) is the list the product has always shipped (the
// defaults): incomplete targets, false self-evaluation, an assessor not
// following the standards, data withheld, 行政问责, and the worst cases set
// the result to 不合格 directly; at most 10 points in all.
//
// Zhongshan (001 § 20 and annex 1, 附加项目 行政问责 −10): five items of
// −2 each, at most −10 together (their own group's cap; the cycle's
// overall cap still applies over all deductions), each proposed by the
// assessor whose role the annex names (廉政问题 and 社会负面影响: 监察局;
// 安全事故: 安监局; 预算支出绩效: 财政局; 审计结果: 审计局). The office
// chooses the unit of each role when it applies the preset.
func DeductionPresets() []DeductionPreset {
	return []DeductionPreset{
		{Key: PresetQinzhou, Name: "钦州市扣分事由", Source: "钦州市绩效管理办法第二十三条",
			Cap: DefaultSettings().DeductionCap, Reasons: DefaultSettings().DeductionReasons},
		{Key: PresetZhongshan, Name: "中山市行政问责扣分（每项扣2分，最多扣10分）", Source: "中山市政府部门绩效管理办法第二十条及附件1",
			Groups: []DeductionGroup{{Key: GroupZhongshanAccountability, Name: "行政问责", Cap: 10}},
			Reasons: []DeductionReason{
				{Key: "zs_integrity", Name: "廉政问题：政府部门发生重大违纪违法问题", Points: 2, Proposer: "监察局", Group: GroupZhongshanAccountability},
				{Key: "zs_safety", Name: "安全事故：发生安全责任事故，政府部门负有一定责任", Points: 2, Proposer: "安监局", Group: GroupZhongshanAccountability},
				{Key: "zs_public_impact", Name: "社会负面影响：因失职行为造成重大社会负面影响", Points: 2, Proposer: "监察局", Group: GroupZhongshanAccountability},
				{Key: "zs_budget", Name: "预算支出绩效出现重大问题", Points: 2, Proposer: "财政局", Group: GroupZhongshanAccountability},
				{Key: "zs_audit", Name: "审计结果出现重大问题", Points: 2, Proposer: "审计局", Group: GroupZhongshanAccountability},
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

// Apply returns s with the preset's reasons, groups and cap (when the
// preset has one), marked as taken from it. Reasons of s that deductions
// were already filed against stay at the end (kept lists the keys to
// keep), with their groups, so those deductions keep their name and their
// own cap. proposers gives the unit chosen for each reason of the preset
// that names a proposer (reason key → unit id; absent: none).
func (p DeductionPreset) Apply(s Settings, kept []string, proposers map[string]int64) Settings {
	reasons := slices.Clone(p.Reasons)
	for i, r := range reasons {
		if id, ok := proposers[r.Key]; ok && r.Proposer != "" && id > 0 {
			reasons[i].ProposerUnitID = &id
		}
	}
	groups := slices.Clone(p.Groups)
	for _, k := range kept {
		if _, ok := p.reason(k); ok {
			continue
		}
		if r, ok := s.Reason(k); ok {
			reasons = append(reasons, r)
			if g, ok := s.Group(r.Group); ok && !slices.ContainsFunc(groups, func(o DeductionGroup) bool { return o.Key == g.Key }) {
				groups = append(groups, g)
			}
		}
	}
	s.DeductionReasons, s.DeductionGroups, s.DeductionPreset = reasons, groups, p.Key
	if p.Cap > 0 {
		s.DeductionCap = p.Cap
	}
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

// MatchDeductionPreset returns the key of the preset whose reasons,
// groups and cap (when it has one) s has exactly, whichever units were
// chosen as proposers, or "".
func MatchDeductionPreset(s Settings) string {
	plain := func(rs []DeductionReason) []DeductionReason {
		out := slices.Clone(rs)
		for i := range out {
			out[i].ProposerUnitID = nil
		}
		return out
	}
	for _, p := range DeductionPresets() {
		if (p.Cap == 0 || p.Cap == s.DeductionCap) && slices.Equal(p.Reasons, plain(s.DeductionReasons)) &&
			slices.Equal(p.Groups, s.DeductionGroups) {
			return p.Key
		}
	}
	return ""
}

// ApplyDeductionPreset stores the cycle's next settings version with the
// preset's reasons, groups and cap (SaveSettings: audited; the same
// settings again store nothing). Reasons deductions or proposals were
// already filed against stay, so the record keeps its names. proposers
// maps each reason naming a proposer's role to the unit the office chose
// for it (0: none); a reason left out of the map gets the unit its role
// matches by name, if any (ProposerCandidates). It returns invalid for an
// unknown preset or a unit that does not exist (field proposers.<key>)
// and SaveSettings's errors.
func ApplyDeductionPreset(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, key string, proposers map[string]int64) (SettingsVersion, error) {
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
	chosen, err := resolveProposers(ctx, tx, p, proposers)
	if err != nil {
		return SettingsVersion{}, err
	}
	rows, _ := tx.Query(ctx, `SELECT DISTINCT reason_key FROM assessment_deductions WHERE cycle_id = $1
		UNION SELECT DISTINCT reason_key FROM deduction_proposals WHERE cycle_id = $1 ORDER BY 1`, cycleID)
	kept, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return SettingsVersion{}, db.Err(err)
	}
	return SaveSettings(ctx, tx, actor, cycleID, p.Apply(cur.Settings, kept, chosen), "选用扣分事由预设："+p.Name)
}
