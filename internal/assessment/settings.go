// Package assessment holds the full annual assessment's inputs: each
// cycle's settings, the entries assessor units (考评单位) give on the
// scheme's leaves, bonus claims, deductions, grade adjustments and evidence.
package assessment

import (
	"context"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Grades (等次), best first.
const (
	GradeExcellent = "excellent" // 优秀
	GradeGood      = "good"      // 良好
	GradePass      = "pass"      // 合格
	GradeFail      = "fail"      // 不合格
)

// GradeLabel is a grade's Chinese name.
func GradeLabel(g string) string {
	switch g {
	case GradeExcellent:
		return "优秀"
	case GradeGood:
		return "良好"
	case GradePass:
		return "合格"
	case GradeFail:
		return "不合格"
	}
	return g
}

// Tie rules for the last place of a grade's quota.
const (
	// TieExclude: when units tied at the quota's edge would exceed the
	// quota, none of them gets the grade (the quota is a maximum).
	TieExclude = "exclude"
	// TieInclude: all units tied at the edge get the grade, even beyond
	// the quota.
	TieInclude = "include"
)

// DeductionReason is a listed reason a deduction may be filed against.
type DeductionReason struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Points is the deduction per item (e.g. 2); MaxTotal caps the sum of
	// this reason's items (0 = no cap of its own).
	Points   float64 `json:"points"`
	MaxTotal float64 `json:"max_total,omitempty"`
	// SetsFail: an item of this reason sets the result to 不合格 directly.
	SetsFail bool `json:"sets_fail,omitempty"`
	// Proposer names, by its role, the assessor unit (考评单位) the
	// regulation has propose items of this reason (Zhongshan: 监察局 for
	// 廉政问题); "" for none. ProposerUnitID is the unit the office chose
	// for that role when it applied the preset: only that unit may propose
	// items of the reason without assessing the unit (nil: none may).
	Proposer       string `json:"proposer,omitempty"`
	ProposerUnitID *int64 `json:"proposer_unit_id,omitempty"`
	// Group is the key of the deduction group (DeductionGroup) whose cap
	// this reason's items count under together; "" for none.
	Group string `json:"group,omitempty"`
}

// DeductionGroup is a set of deduction reasons capped together (Zhongshan's
// five 行政问责 items: at most 10 points in all). The group's counted points
// then count under the overall DeductionCap with the other deductions.
type DeductionGroup struct {
	Key  string  `json:"key"`
	Name string  `json:"name"`
	Cap  float64 `json:"cap"`
}

// Settings are a cycle's assessment rules.
type Settings struct {
	// BonusCap is the most bonus points a unit may get in all.
	BonusCap float64 `json:"bonus_cap"`
	// DeductionCap is the most points deducted from a unit in all (e.g. 10).
	DeductionCap     float64           `json:"deduction_cap"`
	DeductionReasons []DeductionReason `json:"deduction_reasons"`
	// DeductionGroups are the groups of reasons with a cap of their own.
	DeductionGroups []DeductionGroup `json:"deduction_groups,omitempty"`
	// DeductionPreset is the key of the preset the reasons were taken from
	// (see DeductionPresets); "" when the office edited them by hand.
	DeductionPreset string `json:"deduction_preset,omitempty"`
	// Grading per category: at most ExcellentShare of a category's units
	// get 优秀, at most GoodShare 良好; the rest 合格 when the composite is
	// at least PassMin, else 不合格.
	ExcellentShare float64 `json:"excellent_share"`
	GoodShare      float64 `json:"good_share"`
	PassMin        float64 `json:"pass_min"`
	// Decimals the composite is rounded to (half up) before ranking.
	Decimals int `json:"decimals"`
	// TieRule: TieExclude or TieInclude.
	TieRule string `json:"tie_rule"`
	// Working days: a unit may apply for review within AppealDays after
	// the preliminary result is sent; the office answers within AnswerDays.
	AppealDays int `json:"appeal_days"`
	AnswerDays int `json:"answer_days"`
	// ReceiptDays: a unit that has neither signed for (签收) its
	// preliminary result nor had its delivery recorded within this many
	// working days of the notification has its review window counted from
	// the notification; 0 means AppealDays (see ReceiptDaysInForce).
	ReceiptDays int `json:"receipt_days,omitempty"`
	// QuotaShares is next year's civil-servant 优秀 quota by grade, as a
	// share of the unit's staff (0.20 / 0.18 / 0.15 / 0.10).
	QuotaShares map[string]float64 `json:"quota_shares"`
}

// DefaultSettings are the rules the sources describe: 优秀 ≤ 40 %, 良好 ≤ 50 %,
// 合格 ≥ 70; bonus cap 3; deductions −2 per 行政问责 item, at most −10; a
// review may be applied for within 5 working days and is answered within 15.
func DefaultSettings() Settings {
	return Settings{
		BonusCap:     3,
		DeductionCap: 10,
		DeductionReasons: []DeductionReason{
			{Key: "accountability", Name: "行政问责", Points: 2, MaxTotal: 10},
			{Key: "targets_incomplete", Name: "目标任务未完成", Points: 2},
			{Key: "false_self_evaluation", Name: "自评不实", Points: 2},
			{Key: "standards_not_followed", Name: "考评单位未按标准评分", Points: 2},
			{Key: "data_withheld", Name: "瞒报、漏报、拒报数据", Points: 2},
			{Key: "serious_violation", Name: "严重违纪违法（直接定为不合格）", Points: 0, SetsFail: true},
		},
		ExcellentShare: 0.40,
		GoodShare:      0.50,
		PassMin:        70,
		Decimals:       2,
		TieRule:        TieExclude,
		AppealDays:     5,
		AnswerDays:     15,
		QuotaShares:    map[string]float64{GradeExcellent: 0.20, GradeGood: 0.18, GradePass: 0.15, GradeFail: 0.10},
	}
}

// ReceiptDaysInForce is ReceiptDays, or AppealDays when it is not set.
func (s Settings) ReceiptDaysInForce() int {
	if s.ReceiptDays > 0 {
		return s.ReceiptDays
	}
	return s.AppealDays
}

// Reason returns the deduction reason with the key.
func (s Settings) Reason(key string) (DeductionReason, bool) {
	for _, r := range s.DeductionReasons {
		if r.Key == key {
			return r, true
		}
	}
	return DeductionReason{}, false
}

// Group returns the deduction group with the key.
func (s Settings) Group(key string) (DeductionGroup, bool) {
	for _, g := range s.DeductionGroups {
		if g.Key == key {
			return g, true
		}
	}
	return DeductionGroup{}, false
}

// validateGroups adds an error for each bad group and each reason naming
// a group the settings do not have.
func (s Settings) validateGroups(f apperr.Fields) {
	seen := map[string]bool{}
	for i, g := range s.DeductionGroups {
		p := "deduction_groups[" + strconv.Itoa(i) + "]"
		if !keyOK(g.Key) || g.Key == "" || seen[g.Key] {
			f.Add(p+".key", "扣分分组代码须为不重复的小写字母、数字和下划线")
		}
		seen[g.Key] = true
		if n := utf8.RuneCountInString(g.Name); n == 0 || n > 50 {
			f.Add(p+".name", "请填写扣分分组名称（不超过50字）")
		}
		if g.Cap < 0 || g.Cap > 100 {
			f.Add(p+".cap", "扣分分组上限须在0到100之间")
		}
	}
	for i, r := range s.DeductionReasons {
		if r.Group != "" && !seen[r.Group] {
			f.Add("deduction_reasons["+strconv.Itoa(i)+"].group", "扣分事由“"+r.Name+"”所属的扣分分组不存在")
		}
	}
}

// Validate returns an invalid error naming each bad setting.
func (s Settings) Validate() error {
	f := apperr.Fields{}
	s.validateGroups(f)
	if s.BonusCap < 0 || s.BonusCap > 100 {
		f.Add("bonus_cap", "加分上限须在0到100之间")
	}
	if s.DeductionCap < 0 || s.DeductionCap > 100 {
		f.Add("deduction_cap", "扣分上限须在0到100之间")
	}
	seen := map[string]bool{}
	for i, r := range s.DeductionReasons {
		p := "deduction_reasons[" + strconv.Itoa(i) + "]"
		if r.Key == "" || !keyOK(r.Key) {
			f.Add(p+".key", "扣分事由代码须为小写字母、数字和下划线")
		} else if seen[r.Key] {
			f.Add(p+".key", "扣分事由代码“"+r.Key+"”重复")
		}
		seen[r.Key] = true
		if n := utf8.RuneCountInString(r.Name); n == 0 || n > 50 {
			f.Add(p+".name", "请填写扣分事由名称（不超过50字）")
		}
		if r.Points < 0 || r.Points > 100 || r.MaxTotal < 0 || r.MaxTotal > 100 {
			f.Add(p+".points", "扣分分值须在0到100之间")
		}
		if utf8.RuneCountInString(r.Proposer) > 50 {
			f.Add(p+".proposer", "提出单位名称不能超过50字")
		}
	}
	if s.ExcellentShare < 0 || s.ExcellentShare > 1 {
		f.Add("excellent_share", "优秀比例须在0到100%之间")
	}
	if s.GoodShare < 0 || s.GoodShare > 1 || s.ExcellentShare+s.GoodShare > 1 {
		f.Add("good_share", "良好比例须在0到100%之间，且与优秀比例之和不超过100%")
	}
	if s.PassMin < 0 || s.PassMin > 100 {
		f.Add("pass_min", "合格分数线须在0到100之间")
	}
	if s.Decimals < 0 || s.Decimals > 4 {
		f.Add("decimals", "保留小数位数须在0到4之间")
	}
	if s.TieRule != TieExclude && s.TieRule != TieInclude {
		f.Add("tie_rule", "并列规则须为 exclude 或 include")
	}
	if s.AppealDays < 1 || s.AppealDays > 60 {
		f.Add("appeal_days", "申请复核期限须在1到60个工作日之间")
	}
	if s.ReceiptDays < 0 || s.ReceiptDays > 60 {
		f.Add("receipt_days", "签收期限须在0到60个工作日之间（0表示与申请复核期限相同）")
	}
	if s.AnswerDays < 1 || s.AnswerDays > 60 {
		f.Add("answer_days", "答复期限须在1到60个工作日之间")
	}
	for _, g := range []string{GradeExcellent, GradeGood, GradePass, GradeFail} {
		if v, ok := s.QuotaShares[g]; !ok || v < 0 || v > 1 {
			f.Add("quota_shares."+g, GradeLabel(g)+"单位的公务员优秀名额比例须在0到100%之间")
		}
	}
	return f.Err()
}

func keyOK(k string) bool {
	if len(k) > 40 {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// SettingsVersion is one stored version of a cycle's settings.
type SettingsVersion struct {
	CycleID  int64    `json:"cycle_id"`
	Version  int      `json:"version"`
	Settings Settings `json:"settings"`
	Note     string   `json:"note"`
}

// LoadSettings returns the cycle's newest settings, or the defaults as
// version 0 when none were saved.
func LoadSettings(ctx context.Context, q db.DBTX, cycleID int64) (SettingsVersion, error) {
	v := SettingsVersion{CycleID: cycleID}
	var raw []byte
	err := q.QueryRow(ctx, `SELECT version, settings, note FROM assessment_settings
		WHERE cycle_id = $1 ORDER BY version DESC LIMIT 1`, cycleID).Scan(&v.Version, &raw, &v.Note)
	if err == pgx.ErrNoRows {
		v.Settings = DefaultSettings()
		return v, nil
	}
	if err != nil {
		return v, db.Err(err)
	}
	v.Settings, err = decodeSettings(raw)
	return v, err
}

// decodeSettings reads stored settings over the defaults. The defaults'
// lists are left out first: encoding/json decodes a list into the
// elements already there, so a stored reason would keep a default
// reason's fields it omits (max_total, group).
func decodeSettings(raw []byte) (Settings, error) {
	s := DefaultSettings()
	reasons := s.DeductionReasons
	s.DeductionReasons = nil
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, err
	}
	if s.DeductionReasons == nil {
		s.DeductionReasons = reasons
	}
	return s, nil
}

// LoadSettingsVersion returns version n of the cycle's settings (the
// newest when n is 0; the defaults are version 0 of a cycle that never
// saved any); not_found for a version that does not exist.
func LoadSettingsVersion(ctx context.Context, q db.DBTX, cycleID int64, n int) (SettingsVersion, error) {
	newest, err := LoadSettings(ctx, q, cycleID)
	if err != nil || n == 0 || n == newest.Version {
		return newest, err
	}
	v := SettingsVersion{CycleID: cycleID, Version: n}
	var raw []byte
	err = q.QueryRow(ctx, `SELECT settings, note FROM assessment_settings WHERE cycle_id = $1 AND version = $2`,
		cycleID, n).Scan(&raw, &v.Note)
	if err == pgx.ErrNoRows {
		return v, apperr.New(apperr.NotFound, "考核设置版本不存在")
	}
	if err != nil {
		return v, db.Err(err)
	}
	v.Settings, err = decodeSettings(raw)
	return v, err
}

// SaveSettings stores s as the cycle's next settings version under the
// cycle's row lock and records it in the audit log. Saving settings equal
// to the newest stores nothing and returns the newest.
func SaveSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, s Settings, note string) (SettingsVersion, error) {
	if err := s.Validate(); err != nil {
		return SettingsVersion{}, err
	}
	var one int
	if err := tx.QueryRow(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&one); err != nil {
		if err == pgx.ErrNoRows {
			return SettingsVersion{}, apperr.New(apperr.NotFound, "考核年度不存在")
		}
		return SettingsVersion{}, db.Err(err)
	}
	before, err := LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return SettingsVersion{}, err
	}
	a, _ := json.Marshal(before.Settings)
	b, _ := json.Marshal(s)
	if before.Version > 0 && string(a) == string(b) {
		return before, nil
	}
	after := SettingsVersion{CycleID: cycleID, Version: before.Version + 1, Settings: s, Note: note}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_settings (cycle_id, version, settings, created_by, note)
		VALUES ($1, $2, $3, $4, $5)`, cycleID, after.Version, b, by, note); err != nil {
		return SettingsVersion{}, db.Err(err)
	}
	return after, audit.Record(ctx, tx, actor, "assessment.settings", "cycle", strconv.FormatInt(cycleID, 10), before, after)
}
