package selfeval

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/targets"
)

// MaxNoteLen is the longest note of a period's self-assessed score, in
// characters: a short remark on progress, not a second report.
const MaxNoteLen = 500

// Messages of refused scores.
const (
	MsgAnnualScores = "年度自评的各指标自评得分在目标管理中填写，这里不再重复填写"
	MsgNotApproved  = "目标责任书批准后才能填写各指标的自评得分"
)

// Score is a unit's self-assessed score of an indicator in a period other
// than the annual one (the annual period's are the cycle's claims,
// target_self_evaluations).
type Score struct {
	IndicatorID   int64   `json:"indicator_id" db:"indicator_id"`
	IndicatorName string  `json:"indicator_name" db:"indicator_name"`
	Points        float64 `json:"points" db:"points"`
	Claimed       float64 `json:"claimed" db:"claimed"`
	Note          string  `json:"note" db:"note"`
	// AssessorUnitID is the indicator's assessor unit (nil: none of the
	// table); an assessor unit sees only its indicators' scores.
	AssessorUnitID *int64    `json:"-" db:"assessor_unit_id"`
	UpdatedAt      time.Time `json:"updated_at" db:"updated_at"`
}

// ScoreInput is one indicator's score as the unit enters it.
type ScoreInput struct {
	IndicatorID int64    `json:"indicator_id"`
	Claimed     *float64 `json:"claimed"`
	Note        string   `json:"note"`
}

// ListScores returns the unit's scores of the period, by the indicators'
// order on the sheet; those of indicators removed since are left out.
func ListScores(ctx context.Context, q db.DBTX, periodID, unitID int64) ([]Score, error) {
	rows, _ := q.Query(ctx, `SELECT s.indicator_id, i.name AS indicator_name, i.points::float8 AS points,
			s.claimed::float8 AS claimed, s.note, i.assessor_unit_id, s.updated_at
		FROM self_eval_scores s JOIN target_indicators i ON i.id = s.indicator_id AND i.removed_at IS NULL
		WHERE s.period_id = $1 AND s.unit_id = $2 ORDER BY i.position, i.id`, periodID, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Score])
	if list == nil {
		list = []Score{}
	}
	return list, db.Err(err)
}

// ScoresOf keeps the scores of the indicators the assessor unit assesses.
func ScoresOf(list []Score, assessorUnitID int64) []Score {
	out := []Score{}
	for _, s := range list {
		if s.AssessorUnitID != nil && *s.AssessorUnitID == assessorUnitID {
			out = append(out, s)
		}
	}
	return out
}

// sheetIndicator is a current indicator of the unit's sheet.
type sheetIndicator struct {
	name   string
	points float64
}

// checkScores validates the scores against the unit's sheet of the
// period's cycle and returns them trimmed: refused for the annual period
// (scores, MsgAnnualScores), a sheet not approved (scores, MsgNotApproved),
// an indicator not of the sheet or given twice (scores[i].indicator_id),
// a score missing, outside 0 to the indicator's points or with more than
// two decimals (scores[i].claimed) and a note too long (scores[i].note).
func checkScores(ctx context.Context, q db.DBTX, p Period, unitID int64, in []ScoreInput, f apperr.Fields) ([]ScoreInput, error) {
	if len(in) == 0 {
		return in, nil
	}
	if p.Annual {
		f.Add("scores", MsgAnnualScores)
		return nil, nil
	}
	var approved bool
	inds := map[int64]sheetIndicator{}
	rows, _ := q.Query(ctx, `SELECT s.status = 'approved', i.id, i.name, i.points::float8
		FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id AND i.removed_at IS NULL
		WHERE s.cycle_id = $1 AND s.unit_id = $2`, p.CycleID, unitID)
	var id int64
	var ind sheetIndicator
	if _, err := pgx.ForEachRow(rows, []any{&approved, &id, &ind.name, &ind.points}, func() error {
		inds[id] = ind
		return nil
	}); err != nil {
		return nil, db.Err(err)
	}
	if !approved {
		f.Add("scores", MsgNotApproved)
		return nil, nil
	}
	out := make([]ScoreInput, len(in))
	seen := map[int64]bool{}
	for i, s := range in {
		s.Note = strings.TrimSpace(s.Note)
		out[i] = s
		field := func(name string) string { return fmt.Sprintf("scores[%d].%s", i, name) }
		ind, ok := inds[s.IndicatorID]
		switch {
		case !ok:
			f.Add(field("indicator_id"), "指标不属于本单位的目标责任书")
			continue
		case seen[s.IndicatorID]:
			f.Add(field("indicator_id"), "“"+ind.name+"”填写了两次")
			continue
		}
		seen[s.IndicatorID] = true
		targets.CheckClaimed(f, field("claimed"), ind.name, ind.points, s.Claimed)
		if utf8.RuneCountInString(s.Note) > MaxNoteLen {
			f.Add(field("note"), fmt.Sprintf("“%s”的自评说明不能超过%d字", ind.name, MaxNoteLen))
		} else if !safetext.Valid(s.Note) {
			f.Add(field("note"), safetext.Message)
		}
	}
	return out, nil
}

// writeScores replaces the unit's scores of the period with the list.
func writeScores(ctx context.Context, tx pgx.Tx, periodID, unitID int64, list []ScoreInput, by *int64, now time.Time) error {
	ids := make([]int64, 0, len(list))
	for _, s := range list {
		ids = append(ids, s.IndicatorID)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM self_eval_scores WHERE period_id = $1 AND unit_id = $2
		AND NOT (indicator_id = ANY($3::bigint[]))`, periodID, unitID, ids); err != nil {
		return db.Err(err)
	}
	for _, s := range list {
		if _, err := tx.Exec(ctx, `INSERT INTO self_eval_scores (period_id, unit_id, indicator_id, claimed, note, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (period_id, unit_id, indicator_id) DO UPDATE
			SET claimed = $4, note = $5, updated_by = $6, updated_at = $7
			WHERE self_eval_scores.claimed <> $4 OR self_eval_scores.note <> $5`,
			periodID, unitID, s.IndicatorID, *s.Claimed, s.Note, by, now); err != nil {
			return db.Err(err)
		}
	}
	return nil
}

// scoreLines is what the audit log keeps of scores: one line each.
func scoreLines(list []Score) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		line := s.IndicatorName + "：" + targets.FormatPoints(s.Claimed) + "分"
		if s.Note != "" {
			line += "（" + s.Note + "）"
		}
		out = append(out, line)
	}
	return out
}

func sameScores(a, b []Score) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].IndicatorID != b[i].IndicatorID || a[i].Claimed != b[i].Claimed || a[i].Note != b[i].Note {
			return false
		}
	}
	return true
}
