// A citizen's view of what became of one rating (评价进度查询): found by
// its reference (ratings.ParseReference), it tells the unit, the day, the
// level and where the review and any case stand — never the message, the
// phone, who decided or anything of anyone else.

package feedback

import (
	"context"
	"time"

	"github.com/google/uuid"

	"minyi/internal/db"
	"minyi/internal/ratings"
)

// verdictInvalid is the verdict of MarkInvalid (feedback_reviews.verdict).
const verdictInvalid = "invalid"

// Tracking is one rating as its tracking page shows it.
type Tracking struct {
	Reference string    `db:"-"`
	ID        uuid.UUID `db:"id"`
	UnitID    int64     `db:"unit_id"`
	UnitName  string    `db:"unit_name"`
	RatedAt   time.Time `db:"rated_at"`
	Level     int       `db:"level"`
	// Tracked: the citizen left a phone number or a message, so the thanks
	// page links to the tracking page.
	Tracked bool `db:"tracked"`
	// ReviewItem: the rating is in the office's review queue (a 差评 or a
	// message; see queue_sql.go).
	ReviewItem bool       `db:"review_item"`
	Verdict    *string    `db:"verdict"`
	DecidedAt  *time.Time `db:"decided_at"`
	CaseID     *int64     `db:"case_id"`
	CaseStatus *string    `db:"case_status"`
	CaseSentAt *time.Time `db:"case_sent_at"`
	AnsweredAt *time.Time `db:"answered_at"`
	ClosedAt   *time.Time `db:"closed_at"`
	// Released: the case is on the unit's public cases page.
	Released bool `db:"released"`
}

// trackSQL finds the rating of a reference by one probe of its partition's
// primary key (id range, rated_at window), then its review and its case by
// their primary keys.
const trackSQL = `SELECT r.id, r.unit_id, u.name AS unit_name, r.rated_at, r.level::int AS level,
	(r.phone_enc IS NOT NULL OR r.comment <> '') AS tracked, (r.level <= 2 OR r.comment <> '') AS review_item,
	fr.verdict, fr.decided_at, c.id AS case_id, c.status AS case_status, c.created_at AS case_sent_at,
	c.answered_at, c.closed_at, coalesce(c.released, false) AS released
FROM (SELECT id, unit_id, rated_at, level, phone_enc, comment FROM ratings
	WHERE id BETWEEN $1 AND $2 AND rated_at >= $3 AND rated_at < $4 ORDER BY id LIMIT 1) r
JOIN units u ON u.id = r.unit_id
LEFT JOIN feedback_reviews fr ON fr.source_kind = 'rating' AND fr.source_id = r.id::text
LEFT JOIN case_sources cs ON cs.source_kind = 'rating' AND cs.source_id = r.id::text
LEFT JOIN rectification_cases c ON c.id = coalesce(cs.case_id, fr.case_id)`

// FindTracking returns the rating of the reference with its review and
// case. It returns invalid for something that is not a reference and
// not_found when no rating has it.
func FindTracking(ctx context.Context, q db.DBTX, reference string, loc *time.Location) (Tracking, error) {
	rr, err := ratings.ParseReference(reference, loc)
	if err != nil {
		return Tracking{}, err
	}
	t, err := findOne[Tracking](ctx, q, "未找到该评价编号", trackSQL, rr.Low, rr.High, rr.From, rr.To)
	t.Reference = rr.Reference
	return t, err
}

// LevelLabel is the rating's level in words.
func (t Tracking) LevelLabel() string { return ratings.LevelLabel(t.Level) }

// Step states of the timeline.
const (
	StepDone    = "done"
	StepCurrent = "current"
	StepNext    = "next"
)

// TrackStep is one step of the tracking timeline; At, set for done steps,
// is when the step began (核查中: when the rating came into the queue).
type TrackStep struct {
	Label string
	State string
	At    *time.Time
}

// Steps is the rating's timeline: 已收到 → 核查中 → 已交办单位 → 单位已答复 →
// 已整改, or after 核查中 the queue's other verdicts 已阅，无需处理 and 未予立案.
// A rating outside the review queue (no message, not a 差评) has only
// 已收到.
func (t Tracking) Steps() []TrackStep {
	steps := []TrackStep{{Label: "已收到", State: StepDone, At: &t.RatedAt}}
	if !t.ReviewItem && t.CaseID == nil {
		return steps
	}
	verdict := ""
	if t.Verdict != nil {
		verdict = *t.Verdict
	}
	switch {
	case t.CaseID != nil:
		steps = append(steps, TrackStep{Label: "核查中", State: StepDone, At: &t.RatedAt},
			TrackStep{Label: "已交办单位", State: StepDone, At: t.CaseSentAt},
			TrackStep{Label: "单位已答复", At: t.AnsweredAt},
			TrackStep{Label: "已整改", At: t.closedAt()})
	case verdict == VerdictAcknowledged:
		return append(steps, TrackStep{Label: "核查中", State: StepDone, At: &t.RatedAt},
			TrackStep{Label: "已阅，无需处理", State: StepDone, At: t.DecidedAt})
	case verdict == verdictInvalid:
		return append(steps, TrackStep{Label: "核查中", State: StepDone, At: &t.RatedAt},
			TrackStep{Label: "未予立案", State: StepDone, At: t.DecidedAt})
	default:
		steps = append(steps, TrackStep{Label: "核查中"}, TrackStep{Label: "已交办单位"},
			TrackStep{Label: "单位已答复"}, TrackStep{Label: "已整改"})
	}
	// The steps with a time are done; the first without is current.
	current := false
	for i := 1; i < len(steps); i++ {
		switch {
		case steps[i].State == StepDone:
		case steps[i].At != nil:
			steps[i].State = StepDone
		case !current:
			steps[i].State, current = StepCurrent, true
		default:
			steps[i].State = StepNext
		}
	}
	return steps
}

// closedAt is when the case was closed (办结), nil while it is open.
func (t Tracking) closedAt() *time.Time {
	if t.CaseStatus != nil && *t.CaseStatus == CaseClosed {
		return t.ClosedAt
	}
	return nil
}

// Status says in a sentence where the rating stands.
func (t Tracking) Status() string {
	if t.CaseID != nil {
		switch *t.CaseStatus {
		case CaseClosed:
			return "单位已完成整改，绩效办核验后已办结。"
		case CaseDoneReported:
			return "单位已报告整改完成，正在等待绩效办核验。"
		case CaseReturned:
			return "绩效办核验后要求单位继续整改，单位正在办理。"
		case CaseAnswered:
			return "单位已答复，正在整改。"
		}
		return "绩效办已将您反映的问题交办给责任单位，等待单位答复。"
	}
	if !t.ReviewItem {
		return "您的评价已收到，已计入该单位的满意度统计。"
	}
	if t.Verdict == nil {
		return "您的评价已收到，绩效办正在核查您反映的情况。"
	}
	switch *t.Verdict {
	case VerdictAcknowledged:
		return "绩效办已阅，您反映的情况无需另行处理。感谢您的参与。"
	case verdictInvalid:
		return "经核查，该评价未予立案。"
	}
	return "绩效办已核查您反映的情况。"
}
