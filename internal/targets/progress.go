package targets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Reporting frequencies.
const (
	Monthly   = "monthly"
	Quarterly = "quarterly"
)

// DefaultDueDays is how many days after a period ends its report is due
// when the office has not set it.
const DefaultDueDays = 10

// Settings are a cycle's process-management settings.
type Settings struct {
	CycleID int64 `json:"cycle_id" db:"cycle_id"`
	// Frequency of progress reports: monthly or quarterly.
	Frequency string `json:"frequency" db:"frequency"`
	// DueDays: a period's report is due this many calendar days after it ends.
	DueDays int `json:"due_days" db:"due_days"`
	// SelfEvalLocked freezes self-evaluation.
	SelfEvalLocked bool `json:"self_eval_locked" db:"self_eval_locked"`
}

// FrequencyLabel returns a frequency in Chinese.
func FrequencyLabel(f string) string {
	if f == Monthly {
		return "按月"
	}
	return "按季度"
}

// Validate returns an invalid error for a bad frequency or due_days
// outside 0–90.
func (s Settings) Validate() error {
	f := apperr.Fields{}
	if s.Frequency != Monthly && s.Frequency != Quarterly {
		f.Add("frequency", "报告频次须为按月（monthly）或按季度（quarterly）")
	}
	if s.DueDays < 0 || s.DueDays > 90 {
		f.Add("due_days", "报送期限须为报告期结束后0到90天")
	}
	return f.Err()
}

// FindSettings returns the cycle's settings, the defaults when none were
// saved. It does not check that the cycle exists.
func FindSettings(ctx context.Context, q db.DBTX, cycleID int64) (Settings, error) {
	rows, _ := q.Query(ctx, `SELECT cycle_id, frequency, due_days, self_eval_locked FROM target_settings WHERE cycle_id = $1`, cycleID)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Settings])
	if err == pgx.ErrNoRows {
		return Settings{CycleID: cycleID, Frequency: Quarterly, DueDays: DefaultDueDays}, nil
	}
	return s, db.Err(err)
}

// SaveSettings stores the cycle's settings and records the change. It
// returns invalid for bad settings and not_found for an unknown cycle.
func SaveSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Settings, now time.Time) (Settings, error) {
	s.Frequency = strings.TrimSpace(s.Frequency)
	if err := s.Validate(); err != nil {
		return Settings{}, err
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)`, s.CycleID).Scan(&ok); err != nil {
		return Settings{}, db.Err(err)
	}
	if !ok {
		return Settings{}, apperr.New(apperr.NotFound, "考核年度不存在")
	}
	before, err := FindSettings(ctx, tx, s.CycleID)
	if err != nil {
		return Settings{}, err
	}
	_, err = tx.Exec(ctx, `INSERT INTO target_settings (cycle_id, frequency, due_days, self_eval_locked, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cycle_id) DO UPDATE
		SET frequency = $2, due_days = $3, self_eval_locked = $4, updated_at = $5`,
		s.CycleID, s.Frequency, s.DueDays, s.SelfEvalLocked, now)
	if err != nil {
		return Settings{}, db.Err(err)
	}
	return s, audit.Record(ctx, tx, actor, "target_settings.save", "cycle", idStr(s.CycleID), before, s)
}

// ReportPeriod is one reporting period of a cycle.
type ReportPeriod struct {
	// Key is "2025-03" (monthly) or "2025-Q1" (quarterly).
	Key   string `json:"key"`
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end"`
	// Due is the last day the report may be filed without a warning.
	Due string `json:"due"`
}

// Periods splits the cycle's period (dates YYYY-MM-DD) into calendar
// months or quarters, each cut to the cycle's period, with due dates
// dueDays after their ends.
func Periods(start, end, frequency string, dueDays int) []ReportPeriod {
	s, err1 := time.Parse(dateLayout, start)
	e, err2 := time.Parse(dateLayout, end)
	if err1 != nil || err2 != nil || e.Before(s) {
		return nil
	}
	step := 1
	if frequency != Monthly {
		step = 3
	}
	first := time.Date(s.Year(), s.Month()-time.Month((int(s.Month())-1)%step), 1, 0, 0, 0, 0, time.UTC)
	var out []ReportPeriod
	for p := first; !p.After(e); p = p.AddDate(0, step, 0) {
		pEnd := p.AddDate(0, step, -1)
		from, to := maxTime(p, s), minTime(pEnd, e)
		var key, label string
		if step == 1 {
			key, label = p.Format("2006-01"), fmt.Sprintf("%d年%d月", p.Year(), p.Month())
		} else {
			q := (int(p.Month())-1)/3 + 1
			key, label = fmt.Sprintf("%d-Q%d", p.Year(), q), fmt.Sprintf("%d年第%d季度", p.Year(), q)
		}
		out = append(out, ReportPeriod{Key: key, Label: label, Start: from.Format(dateLayout), End: to.Format(dateLayout),
			Due: to.AddDate(0, 0, dueDays).Format(dateLayout)})
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// FindPeriod returns the period with the key, or false.
func FindPeriod(list []ReportPeriod, key string) (ReportPeriod, bool) {
	for _, p := range list {
		if p.Key == key {
			return p, true
		}
	}
	return ReportPeriod{}, false
}

// SheetPeriods returns the reporting periods of the sheet's cycle.
func SheetPeriods(s Sheet, set Settings) []ReportPeriod {
	return Periods(s.PeriodStart, s.PeriodEnd, set.Frequency, set.DueDays)
}

// Report is a progress report (进度报告) on one indicator for one period.
type Report struct {
	IndicatorID int64     `json:"indicator_id" db:"indicator_id"`
	Period      string    `json:"period" db:"period"`
	Progress    string    `json:"progress" db:"progress"`
	Percent     int       `json:"percent" db:"percent"`
	Evidence    string    `json:"evidence" db:"evidence"`
	UpdatedBy   *string   `json:"updated_by" db:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

// ReportInput is one indicator's report as entered.
type ReportInput struct {
	IndicatorID int64  `json:"indicator_id"`
	Progress    string `json:"progress"`
	Percent     *int   `json:"percent"`
	Evidence    string `json:"evidence"`
}

// ListReports returns the sheet's reports by period then indicator.
func ListReports(ctx context.Context, q db.DBTX, sheetID int64) ([]Report, error) {
	rows, _ := q.Query(ctx, `SELECT r.indicator_id, r.period, r.progress, r.percent, r.evidence, u.username AS updated_by, r.updated_at
		FROM target_reports r LEFT JOIN users u ON u.id = r.updated_by WHERE r.sheet_id = $1 ORDER BY r.period, r.indicator_id`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Report])
	return list, db.Err(err)
}

// SaveReports stores the reports of one period for indicators of an
// approved sheet, replacing earlier ones of the same indicator and period
// (so a retry does no harm). today is the local date (YYYY-MM-DD). It
// returns conflict for a sheet not approved, invalid for an unknown
// period or one not yet started (field period), an indicator not current
// (items[i].indicator_id), an empty text (items[i].progress), a percent
// outside 0–100 (items[i].percent) or evidence over 2000 characters.
func SaveReports(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, set Settings, period string, items []ReportInput,
	today string, now time.Time) ([]Report, error) {
	if s.Status != StatusApproved {
		return nil, apperr.New(apperr.Conflict, "目标责任书批准后才能填报进度")
	}
	p, ok := FindPeriod(SheetPeriods(s, set), period)
	if !ok {
		return nil, apperr.InvalidField("period", "报告期不存在")
	}
	if p.Start > today {
		return nil, apperr.InvalidField("period", p.Label+"尚未开始，不能填报")
	}
	current := map[int64]bool{}
	for _, in := range s.Indicators {
		current[in.ID] = true
	}
	f := apperr.Fields{}
	if len(items) == 0 {
		f.Add("items", "请至少填报一项指标的进度")
	}
	for i, it := range items {
		items[i].Progress = strings.TrimSpace(it.Progress)
		items[i].Evidence = strings.TrimSpace(it.Evidence)
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		if !current[it.IndicatorID] {
			f.Add(field("indicator_id"), "指标不属于该目标责任书")
		}
		checkText(f, field("progress"), items[i].Progress, maxTextLen, "请填写进展情况", "进展情况不能超过2000字")
		if it.Percent == nil || *it.Percent < 0 || *it.Percent > 100 {
			f.Add(field("percent"), "完成进度须为0到100之间的整数")
		}
		if len([]rune(items[i].Evidence)) > maxTextLen {
			f.Add(field("evidence"), "佐证材料说明不能超过2000字")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	for _, it := range items {
		_, err := tx.Exec(ctx, `INSERT INTO target_reports (indicator_id, period, sheet_id, progress, percent, evidence, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (indicator_id, period) DO UPDATE
			SET progress = $4, percent = $5, evidence = $6, updated_by = $7, updated_at = $8`,
			it.IndicatorID, period, s.ID, it.Progress, *it.Percent, it.Evidence, by, now)
		if err != nil {
			return nil, db.Err(err)
		}
	}
	if err := audit.Record(ctx, tx, actor, "target_report.save", "target_sheet", idStr(s.ID), nil,
		map[string]any{"period": period, "items": items}); err != nil {
		return nil, err
	}
	return ListReports(ctx, tx, s.ID)
}

// SelfEvaluation is a unit's self-evaluation (自评) of one indicator.
type SelfEvaluation struct {
	IndicatorID int64     `json:"indicator_id" db:"indicator_id"`
	Claimed     float64   `json:"claimed" db:"claimed"`
	Note        string    `json:"note" db:"note"`
	UpdatedBy   *string   `json:"updated_by" db:"updated_by"`
	UpdatedAt   time.Time `json:"updated_at" db:"updated_at"`
}

// SelfEvaluationInput is one indicator's self-evaluation as entered.
type SelfEvaluationInput struct {
	IndicatorID int64    `json:"indicator_id"`
	Claimed     *float64 `json:"claimed"`
	Note        string   `json:"note"`
}

// ListSelfEvaluations returns the sheet's self-evaluations by indicator.
func ListSelfEvaluations(ctx context.Context, q db.DBTX, sheetID int64) ([]SelfEvaluation, error) {
	rows, _ := q.Query(ctx, `SELECT e.indicator_id, e.claimed::float8 AS claimed, e.note, u.username AS updated_by, e.updated_at
		FROM target_self_evaluations e LEFT JOIN users u ON u.id = e.updated_by
		JOIN target_indicators i ON i.id = e.indicator_id AND i.removed_at IS NULL
		WHERE e.sheet_id = $1 ORDER BY i.position`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SelfEvaluation])
	return list, db.Err(err)
}

// SaveSelfEvaluation stores self-evaluations of an approved sheet's
// indicators, replacing earlier ones. It returns conflict when the sheet
// is not approved or the cycle's self-evaluation is locked, and invalid
// for an indicator not current (items[i].indicator_id), claimed points
// outside 0 to the indicator's points (items[i].claimed) or an empty note
// (items[i].note).
func SaveSelfEvaluation(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, set Settings, items []SelfEvaluationInput,
	now time.Time) ([]SelfEvaluation, error) {
	if set.SelfEvalLocked {
		return nil, apperr.New(apperr.Conflict, "绩效办已锁定本年度自评，不能再修改")
	}
	if s.Status != StatusApproved {
		return nil, apperr.New(apperr.Conflict, "目标责任书批准后才能自评")
	}
	points := map[int64]Indicator{}
	for _, in := range s.Indicators {
		points[in.ID] = in
	}
	f := apperr.Fields{}
	if len(items) == 0 {
		f.Add("items", "请至少填写一项指标的自评")
	}
	for i, it := range items {
		items[i].Note = strings.TrimSpace(it.Note)
		field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
		in, ok := points[it.IndicatorID]
		if !ok {
			f.Add(field("indicator_id"), "指标不属于该目标责任书")
		} else {
			CheckClaimed(f, field("claimed"), in.Name, in.Points, it.Claimed)
		}
		checkText(f, field("note"), items[i].Note, maxTextLen, "请对照评分标准填写自评说明", "自评说明不能超过2000字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	for _, it := range items {
		_, err := tx.Exec(ctx, `INSERT INTO target_self_evaluations (indicator_id, sheet_id, claimed, note, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (indicator_id) DO UPDATE
			SET claimed = $3, note = $4, updated_by = $5, updated_at = $6`, it.IndicatorID, s.ID, *it.Claimed, it.Note, by, now)
		if err != nil {
			return nil, db.Err(err)
		}
	}
	if err := audit.Record(ctx, tx, actor, "target_self_evaluation.save", "target_sheet", idStr(s.ID), nil, items); err != nil {
		return nil, err
	}
	return ListSelfEvaluations(ctx, tx, s.ID)
}

// CheckClaimed refuses a self-assessed score of the indicator (name, worth
// points) that is missing, outside 0 to its points or has more than two
// decimals; the annual self-evaluation and a period's scores (selfeval)
// check theirs with it.
func CheckClaimed(f apperr.Fields, field, name string, points float64, claimed *float64) {
	if claimed == nil || !(*claimed >= 0 && *claimed <= points) || !twoDecimals(*claimed) {
		f.Add(field, fmt.Sprintf("“%s”的自评得分须在0到%s分之间，最多两位小数", name, FormatPoints(points)))
	}
}

// FormatPoints writes points without trailing zeros.
func FormatPoints(p float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", p), "0"), ".")
}
