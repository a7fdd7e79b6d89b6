// The third verdict, 已阅 / 无需处理: items that need no case (praise,
// thanks) are marked read, one by one, a selection, everything a filter
// matches, or by the office's rule for praise.

package feedback

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
)

// VerdictAcknowledged is the verdict 已阅 (无需处理).
const VerdictAcknowledged = "acknowledged"

// MaxBulk is how many items one bulk verdict decides at the most.
const MaxBulk = 500

// AcknowledgeInput marks items read: those listed, or (Filter set) every
// pending item the filter matches, which must still be Expected items.
type AcknowledgeInput struct {
	Items []Ref  `json:"items"`
	Note  string `json:"note"`
	// Expected is the count the user confirmed for a filter.
	Expected int `json:"expected"`
}

// Validate checks the listed items and the note.
func (in *AcknowledgeInput) Validate(filter bool) error {
	e := apperr.Fields{}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 150 {
		e.Add("note", "说明不能超过150字")
	}
	switch {
	case filter && len(in.Items) > 0:
		e.Add("items", "按筛选条件批量处理时不能再逐条选择")
	case filter && in.Expected <= 0:
		e.Add("expected", "请确认要处理的条数")
	case !filter && len(in.Items) == 0:
		e.Add("items", "请选择要标为已阅的反馈")
	case len(in.Items) > MaxBulk:
		e.Add("items", "一次最多处理"+strconv.Itoa(MaxBulk)+"条")
	}
	return e.Err()
}

// Acknowledge marks the listed items 已阅: no case, no exclusion. Every
// item must be pending at the version given; otherwise nothing is stored
// (the caller's transaction rolls back) and conflict (MsgDecided) is
// returned. Each verdict is audited.
func Acknowledge(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, in AcknowledgeInput, now time.Time) (int, error) {
	if err := in.Validate(false); err != nil {
		return 0, err
	}
	for _, ref := range in.Items {
		it, err := FindItem(ctx, tx, loc, ref.Kind, ref.ID)
		if err != nil {
			return 0, err
		}
		if err := decide(ctx, tx, actor, it, ref.Version, VerdictAcknowledged, nil, in.Note, nil, now); err != nil {
			return 0, err
		}
	}
	return len(in.Items), nil
}

// AcknowledgeMatching marks every pending item f matches 已阅, when they
// are exactly in.Expected (the count the user saw and confirmed) and at
// most MaxBulk; otherwise it returns conflict and stores nothing.
func AcknowledgeMatching(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, f Filter, in AcknowledgeInput,
	now time.Time) (int, error) {
	if err := in.Validate(true); err != nil {
		return 0, err
	}
	f.Status, f.Older, f.Newer, f.Offset, f.Limit = "pending", nil, nil, 0, MaxBulk
	page, err := Queue(ctx, tx, loc, f)
	if err != nil {
		return 0, err
	}
	if !page.Total.Exact || page.Total.N != in.Expected || len(page.Items) != in.Expected {
		if page.Total.N > MaxBulk || !page.Total.Exact {
			return 0, apperr.New(apperr.Conflict, "符合条件的反馈超过"+strconv.Itoa(MaxBulk)+"条，请缩小筛选范围后再批量处理")
		}
		return 0, apperr.New(apperr.Conflict, "符合条件的反馈已变为 "+strconv.Itoa(page.Total.N)+" 条，请刷新页面核对后再确认")
	}
	for _, it := range page.Items {
		if err := decide(ctx, tx, actor, it, it.Version, VerdictAcknowledged, nil, in.Note, nil, now); err != nil {
			return 0, err
		}
	}
	return len(page.Items), nil
}

// AutoRule is the office's rule for praise: pending rating items of at
// least MinLevel with no reasons are marked 已阅 automatically.
type AutoRule struct {
	Enabled   bool      `json:"enabled" db:"enabled"`
	MinLevel  int       `json:"min_level" db:"min_level"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// Text says the rule in Chinese.
func (r AutoRule) Text() string {
	levels := ratings.LevelLabel(r.MinLevel)
	if r.MinLevel < 5 {
		levels += "及以上"
	}
	return levels + "、未选不满意原因的留言"
}

// FindAutoRule returns the rule.
func FindAutoRule(ctx context.Context, q db.DBTX) (AutoRule, error) {
	rows, _ := q.Query(ctx, `SELECT enabled, min_level, updated_at FROM feedback_auto_rule WHERE id = 1`)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[AutoRule])
	return r, db.Err(err)
}

// SaveAutoRule stores the rule (min level 3–5); audited.
func SaveAutoRule(ctx context.Context, tx pgx.Tx, actor audit.Actor, r AutoRule, now time.Time) (AutoRule, error) {
	if r.MinLevel < 3 || r.MinLevel > 5 {
		return AutoRule{}, apperr.InvalidField("min_level", "自动标为已阅的评价须为基本满意、满意或非常满意及以上")
	}
	before, err := FindAutoRule(ctx, tx)
	if err != nil {
		return AutoRule{}, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE feedback_auto_rule SET enabled = $1, min_level = $2, updated_by = $3, updated_at = $4
		WHERE id = 1`, r.Enabled, r.MinLevel, by, now); err != nil {
		return AutoRule{}, db.Err(err)
	}
	r.UpdatedAt = now
	return r, audit.Record(ctx, tx, actor, "feedback_auto_rule.save", "feedback_auto_rule", "1", before, r)
}

// autoBatch is how many items one statement of AutoAcknowledge marks.
const autoBatch = 1000

// AutoAcknowledge applies the rule, when enabled, to the pending rating
// items of the review queue's default period before now (DefaultPeriod and
// the day now is in): each is marked 已阅 with auto set, decided by no
// one, and audited as the system's. It works in batches until none is
// left or ctx ends, and returns how many it marked. A rating decided
// meanwhile keeps its verdict (ON CONFLICT DO NOTHING).
func AutoAcknowledge(ctx context.Context, pool *pgxpool.Pool, now time.Time) (int, error) {
	from := now.Add(-DefaultPeriod - 24*time.Hour)
	total := 0
	for {
		var n int
		err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
			r, err := FindAutoRule(ctx, tx)
			if err != nil || !r.Enabled {
				return err
			}
			rows, _ := tx.Query(ctx, `INSERT INTO feedback_reviews AS fr
					(source_kind, source_id, unit_id, verdict, note, decided_at, version, rated_at, auto)
				SELECT 'rating', r.id::text, r.unit_id, 'acknowledged', $4, $3, 1, r.rated_at, true
				FROM ratings r
				WHERE r.rated_at >= $1 AND r.rated_at < $3 AND r.comment <> '' AND r.level >= $2
				  AND cardinality(r.reasons) = 0 AND NOT r.held AND NOT r.excluded
				  AND NOT EXISTS (SELECT FROM feedback_reviews v WHERE v.source_kind = 'rating' AND v.source_id = r.id::text)
				LIMIT `+strconv.Itoa(autoBatch)+`
				ON CONFLICT (source_kind, source_id) DO NOTHING
				RETURNING source_id`, from, r.MinLevel, now, "按规则自动标为已阅（"+r.Text()+"）")
			ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return db.Err(err)
			}
			n = len(ids)
			for _, id := range ids {
				after := map[string]any{"verdict": VerdictAcknowledged, "auto": true, "min_level": r.MinLevel}
				if err := audit.Record(ctx, tx, audit.System, "feedback."+VerdictAcknowledged, "feedback_rating", id, nil, after); err != nil {
					return err
				}
			}
			return nil
		})
		total += n
		if err != nil || n < autoBatch || ctx.Err() != nil {
			return total, err
		}
	}
}
