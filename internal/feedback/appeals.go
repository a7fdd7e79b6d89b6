package feedback

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
)

// Appeal statuses.
const (
	AppealOpen     = "open"
	AppealUpheld   = "upheld"
	AppealRejected = "rejected"
)

// AppealStatusLabel returns the Chinese name of an appeal status.
func AppealStatusLabel(s string) string {
	switch s {
	case AppealOpen:
		return "待处理"
	case AppealUpheld:
		return "申诉成立"
	case AppealRejected:
		return "申诉不成立"
	}
	return s
}

// Appeal is a unit's appeal (申诉) against one rating.
type Appeal struct {
	ID             int64      `json:"id" db:"id"`
	RatingID       uuid.UUID  `json:"rating_id" db:"rating_id"`
	UnitID         int64      `json:"unit_id" db:"unit_id"`
	UnitName       string     `json:"unit_name" db:"unit_name"`
	Grounds        string     `json:"grounds" db:"grounds"`
	EvidenceIDs    []string   `json:"evidence_ids" db:"evidence_ids"`
	Status         string     `json:"status" db:"status"`
	DecisionReason string     `json:"decision_reason" db:"decision_reason"`
	FiledBy        *string    `json:"filed_by" db:"filed_by"`
	FiledAt        time.Time  `json:"filed_at" db:"filed_at"`
	DecidedBy      *string    `json:"decided_by" db:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at" db:"decided_at"`
	Level          int        `json:"level" db:"level"`
	Comment        string     `json:"comment" db:"comment"`
	RatedAt        time.Time  `json:"rated_at" db:"rated_at"`
}

// StatusLabel is the Chinese name of the appeal's status.
func (a Appeal) StatusLabel() string { return AppealStatusLabel(a.Status) }

// LevelLabel is the Chinese name of the appealed rating's level.
func (a Appeal) LevelLabel() string { return ratings.LevelLabel(a.Level) }

// AppealInput is what a unit files.
type AppealInput struct {
	Grounds     string   `json:"grounds"`
	EvidenceIDs []string `json:"evidence_ids"`
}

// Validate checks the input.
func (in *AppealInput) Validate() error {
	e := apperr.Fields{}
	in.Grounds = strings.TrimSpace(in.Grounds)
	switch n := utf8.RuneCountInString(in.Grounds); {
	case n == 0:
		e.Add("grounds", "请填写申诉理由")
	case n > 1000:
		e.Add("grounds", "申诉理由不能超过1000字")
	}
	if len(in.EvidenceIDs) > assessment.MaxEvidencePerItem {
		e.Add("evidence_ids", "证明材料最多10个文件")
	}
	return e.Err()
}

const appealSQL = `SELECT a.id, a.rating_id, a.unit_id, u.name AS unit_name, a.grounds, a.evidence_ids, a.status,
	a.decision_reason, fu.username AS filed_by, a.filed_at, du.username AS decided_by, a.decided_at,
	r.level::int AS level, r.comment, r.rated_at
FROM {appeals} a JOIN units u ON u.id = a.unit_id JOIN ratings r ON r.id = a.rating_id
LEFT JOIN users fu ON fu.id = a.filed_by LEFT JOIN users du ON du.id = a.decided_by`

// appealsFrom is appealSQL over the appeals of src: the table, or a page
// of it. A rating is found by its id alone, one probe in each monthly
// partition, so a list picks its page of appeals first and joins the
// ratings of that page only (joined first, 12,000 appeals took seconds).
func appealsFrom(src string) string { return strings.Replace(appealSQL, "{appeals}", src, 1) }

// FileAppeal files a unit's appeal against a rating of that unit. It
// returns not_found for a rating of another unit, invalid for bad input or
// evidence the unit does not own, and conflict when the rating is already
// excluded, is a 非常满意 (nothing to appeal) or has an open appeal.
func FileAppeal(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, ratingID uuid.UUID, in AppealInput, now time.Time) (Appeal, error) {
	if err := in.Validate(); err != nil {
		return Appeal{}, err
	}
	r, err := ratings.Find(ctx, tx, ratingID)
	if err != nil {
		return Appeal{}, err
	}
	if r.UnitID != unitID {
		return Appeal{}, apperr.New(apperr.NotFound, "评价不存在")
	}
	if r.Excluded {
		return Appeal{}, apperr.New(apperr.Conflict, "该评价已剔除，不计入得分，无需申诉")
	}
	if r.Level == 5 {
		return Appeal{}, apperr.New(apperr.Conflict, "“非常满意”的评价无需申诉")
	}
	files, err := assessment.EvidenceInfo(ctx, tx, in.EvidenceIDs)
	if err != nil {
		return Appeal{}, err
	}
	ids := []string{}
	for _, f := range files {
		if f.OwnerUnitID == nil || *f.OwnerUnitID != unitID {
			return Appeal{}, apperr.InvalidField("evidence_ids", "只能引用本单位上传的证明材料")
		}
		ids = append(ids, f.ID)
	}
	if len(ids) != len(dedupe(in.EvidenceIDs)) {
		return Appeal{}, apperr.InvalidField("evidence_ids", "证明材料不存在，请重新上传")
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO feedback_appeals (rating_id, unit_id, grounds, evidence_ids, filed_by, filed_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, ratingID, unitID, in.Grounds, ids, by, now).Scan(&id)
	if err = db.Err(err); apperr.Is(err, apperr.Conflict) {
		return Appeal{}, apperr.New(apperr.Conflict, "该评价已有待处理的申诉，请等待绩效办处理")
	}
	if err != nil {
		return Appeal{}, err
	}
	a, err := FindAppeal(ctx, tx, id)
	if err != nil {
		return Appeal{}, err
	}
	if err := noticeAppeal(ctx, tx, a, now); err != nil {
		return Appeal{}, err
	}
	return a, audit.Record(ctx, tx, actor, "appeal.file", "feedback_appeal", a.idString(), nil, a)
}

func (a Appeal) idString() string { return strconv.FormatInt(a.ID, 10) }

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// FindAppeal returns one appeal, or not_found.
func FindAppeal(ctx context.Context, q db.DBTX, id int64) (Appeal, error) {
	return findOne[Appeal](ctx, q, "申诉不存在", appealsFrom("feedback_appeals")+` WHERE a.id = $1`, id)
}

// AppealFilter selects appeals.
type AppealFilter struct {
	UnitID   *int64
	RatingID *uuid.UUID
	Status   string
	Limit    int
	Offset   int
}

// ListAppeals returns appeals, open ones first then newest, and how many match.
func ListAppeals(ctx context.Context, q db.DBTX, f AppealFilter) ([]Appeal, int, error) {
	if f.Status != "" && AppealStatusLabel(f.Status) == f.Status {
		return nil, 0, apperr.InvalidField("status", "status 须为 open、upheld 或 rejected")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	where := ` WHERE ($1::bigint IS NULL OR a.unit_id = $1) AND ($2::text = '' OR a.status = $2)
		AND ($3::uuid IS NULL OR a.rating_id = $3)`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM feedback_appeals a`+where, f.UnitID, f.Status, f.RatingID).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	const order = ` ORDER BY a.status <> 'open', a.filed_at DESC, a.id DESC`
	page := `(SELECT * FROM feedback_appeals a` + where + order + ` LIMIT $4 OFFSET $5)`
	list, err := collect[Appeal](ctx, q, appealsFrom(page)+order, f.UnitID, f.Status, f.RatingID, f.Limit, f.Offset)
	return list, total, err
}

// DecideAppeal upholds (the rating is excluded with the reason and, if
// still pending in review, judged invalid as malicious) or rejects (the
// rating stays) an open appeal; the reason is required and kept. It returns
// not_found, invalid and conflict when the appeal was decided meanwhile.
func DecideAppeal(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, uphold bool, reason string, now time.Time) (Appeal, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 150 {
		return Appeal{}, apperr.InvalidField("reason", "请填写处理理由（150字以内）")
	}
	status := AppealRejected
	if uphold {
		status = AppealUpheld
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	var ratingID uuid.UUID
	var unitID int64
	err := tx.QueryRow(ctx, `UPDATE feedback_appeals SET status = $2, decision_reason = $3, decided_by = $4, decided_at = $5
		WHERE id = $1 AND status = 'open' RETURNING rating_id, unit_id`, id, status, reason, by, now).Scan(&ratingID, &unitID)
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		if _, ferr := FindAppeal(ctx, tx, id); ferr != nil {
			return Appeal{}, ferr
		}
		return Appeal{}, apperr.New(apperr.Conflict, "该申诉已处理，请刷新页面查看结果")
	}
	if err != nil {
		return Appeal{}, err
	}
	if uphold {
		r, err := ratings.Find(ctx, tx, ratingID)
		if err != nil {
			return Appeal{}, err
		}
		if !r.Excluded {
			if _, err := ratings.Exclude(ctx, tx, actor, ratingID, "申诉成立："+reason); err != nil {
				return Appeal{}, err
			}
		}
		note := "单位申诉成立（申诉 #" + strconv.FormatInt(id, 10) + "）"
		if _, err := tx.Exec(ctx, `INSERT INTO feedback_reviews AS fr (source_kind, source_id, unit_id, verdict, reason, note, decided_by, decided_at, rated_at)
			VALUES ('rating', $1, $2, 'invalid', 'malicious', $3, $4, $5, $6)
			ON CONFLICT (source_kind, source_id) DO UPDATE SET verdict = 'invalid', reason = 'malicious', note = EXCLUDED.note,
				decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at, version = fr.version + 1,
				rated_at = EXCLUDED.rated_at
			WHERE fr.verdict IS NULL`, ratingID.String(), unitID, note, by, now, r.RatedAt); err != nil {
			return Appeal{}, db.Err(err)
		}
	}
	a, err := FindAppeal(ctx, tx, id)
	if err != nil {
		return Appeal{}, err
	}
	if err := noticeAppeal(ctx, tx, a, now); err != nil {
		return Appeal{}, err
	}
	return a, audit.Record(ctx, tx, actor, "appeal."+status, "feedback_appeal", a.idString(),
		map[string]any{"status": AppealOpen}, map[string]any{"status": status, "decision_reason": reason})
}
