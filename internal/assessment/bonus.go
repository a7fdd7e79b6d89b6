package assessment

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Bonus claim statuses.
const (
	ClaimSubmitted = "submitted"
	ClaimApproved  = "approved"
	ClaimRejected  = "rejected"
)

// ClaimStatusLabel is a status in Chinese.
func ClaimStatusLabel(s string) string {
	switch s {
	case ClaimSubmitted:
		return "待审核"
	case ClaimApproved:
		return "已认定"
	case ClaimRejected:
		return "不予认定"
	}
	return s
}

// Claim is a unit's bonus claim (创先争优加分申报).
type Claim struct {
	ID             int64      `json:"id" db:"id"`
	CycleID        int64      `json:"cycle_id" db:"cycle_id"`
	UnitID         int64      `json:"unit_id" db:"unit_id"`
	UnitName       string     `json:"unit_name" db:"unit_name"`
	Title          string     `json:"title" db:"title"`
	Description    string     `json:"description" db:"description"`
	PointsClaimed  float64    `json:"points_claimed" db:"points_claimed"`
	PointsApproved *float64   `json:"points_approved" db:"points_approved"`
	Status         string     `json:"status" db:"status"`
	EvidenceIDs    []string   `json:"evidence_ids" db:"evidence_ids"`
	DecisionNote   string     `json:"decision_note" db:"decision_note"`
	DecidedBy      *string    `json:"decided_by" db:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at" db:"decided_at"`
	CreatedBy      *string    `json:"created_by" db:"created_by"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
}

const claimColumns = `b.id, b.cycle_id, b.unit_id, un.name AS unit_name, b.title, b.description,
	b.points_claimed::float8 AS points_claimed, b.points_approved::float8 AS points_approved, b.status,
	b.evidence_ids::text[] AS evidence_ids, b.decision_note, d.username AS decided_by, b.decided_at,
	c.username AS created_by, b.created_at
	FROM assessment_bonus_claims b JOIN units un ON un.id = b.unit_id
	LEFT JOIN users d ON d.id = b.decided_by LEFT JOIN users c ON c.id = b.created_by`

// ListClaims returns the cycle's claims, of one unit when unitID is not
// nil, newest first.
func ListClaims(ctx context.Context, q db.DBTX, cycleID int64, unitID *int64) ([]Claim, error) {
	return cycleRecords[Claim](ctx, q, claimColumns, "b", cycleID, unitID)
}

// FindClaim returns a claim.
func FindClaim(ctx context.Context, q db.DBTX, id int64) (Claim, error) {
	return findRecord[Claim](ctx, q, claimColumns, "b", id, "加分申报不存在")
}

// ClaimInput is what a unit submits. ClientKey (optional, ≤ 100
// characters) makes a retried submission return the first claim.
type ClaimInput struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Points      float64  `json:"points"`
	EvidenceIDs []string `json:"evidence_ids"`
	ClientKey   string   `json:"client_key"`
}

// CreateClaim stores a unit's bonus claim (at least one evidence file, of
// the unit itself unless office) and records it in the audit log.
func CreateClaim(ctx context.Context, tx pgx.Tx, actor audit.Actor, office bool, cycleID, unitID int64, in ClaimInput) (Claim, bool, error) {
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return Claim{}, false, err
	}
	key := strings.TrimSpace(in.ClientKey)
	if key != "" {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM assessment_bonus_claims WHERE cycle_id = $1 AND unit_id = $2 AND client_key = $3`,
			cycleID, unitID, key).Scan(&id)
		if err == nil {
			c, err := FindClaim(ctx, tx, id)
			return c, false, err
		}
		if err != pgx.ErrNoRows {
			return Claim{}, false, db.Err(err)
		}
	}
	if err := cycleExists(ctx, tx, cycleID); err != nil {
		return Claim{}, false, err
	}
	if err := unitExists(ctx, tx, unitID); err != nil {
		return Claim{}, false, err
	}
	title, desc := strings.TrimSpace(in.Title), strings.TrimSpace(in.Description)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(title); n == 0 || n > 100 {
		f.Add("title", "请填写加分事项名称（不超过100字）")
	}
	if utf8.RuneCountInString(desc) > 2000 {
		f.Add("description", "事项说明不能超过2000字")
	}
	if in.Points <= 0 {
		f.Add("points", "申报分值须大于0")
	} else {
		f.Merge(checkPoints("points", in.Points, 100, "申报分值不能超过100分"))
	}
	if utf8.RuneCountInString(key) > 100 {
		f.Add("client_key", "client_key 不能超过100个字符")
	}
	if len(in.EvidenceIDs) == 0 {
		f.Add("evidence_ids", "请上传证明材料")
	}
	if err := f.Err(); err != nil {
		return Claim{}, false, err
	}
	ev, err := checkEvidence(ctx, tx, in.EvidenceIDs, office, &unitID)
	if err != nil {
		return Claim{}, false, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO assessment_bonus_claims (cycle_id, unit_id, title, description, points_claimed,
			evidence_ids, created_by, client_key)
		VALUES ($1, $2, $3, $4, $5::numeric, $6::uuid[], $7, $8) RETURNING id`,
		cycleID, unitID, title, desc, num(in.Points), ev, actorID(actor), nullString(key)).Scan(&id)
	if err != nil {
		return Claim{}, false, db.Err(err)
	}
	c, err := FindClaim(ctx, tx, id)
	if err != nil {
		return Claim{}, false, err
	}
	return c, true, audit.Record(ctx, tx, actor, "assessment.bonus_claim", "bonus_claim", strconv.FormatInt(id, 10), nil, c)
}

// Decision is the office's decision on a claim: approve with points (at
// most those claimed; nil approves the claimed points) or reject with a
// note.
type Decision struct {
	Approve bool     `json:"-"`
	Points  *float64 `json:"points"`
	Note    string   `json:"note"`
}

// DecideClaim approves or rejects a submitted claim and records it in the
// audit log. Repeating the same decision returns the claim; a different
// decision on a decided claim is a conflict.
func DecideClaim(ctx context.Context, tx pgx.Tx, actor audit.Actor, now time.Time, id int64, d Decision) (Claim, error) {
	var cycleID int64
	if err := tx.QueryRow(ctx, `SELECT cycle_id FROM assessment_bonus_claims WHERE id = $1 FOR UPDATE`, id).Scan(&cycleID); err != nil {
		return Claim{}, notFound(db.Err(err), "加分申报不存在")
	}
	if err := CheckEditable(ctx, tx, cycleID); err != nil {
		return Claim{}, err
	}
	before, err := FindClaim(ctx, tx, id)
	if err != nil {
		return Claim{}, err
	}
	note := strings.TrimSpace(d.Note)
	status := ClaimRejected
	var pts *float64
	f := apperr.Fields{}
	if d.Approve {
		status = ClaimApproved
		p := before.PointsClaimed
		if d.Points != nil {
			p = *d.Points
		}
		pts = &p
		f.Merge(checkPoints("points", p, before.PointsClaimed, "认定分值不能超过申报分值 "+num(before.PointsClaimed)+" 分"))
	} else if note == "" {
		f.Add("note", "请填写不予认定的理由")
	}
	if utf8.RuneCountInString(note) > 2000 {
		f.Add("note", "审核意见不能超过2000字")
	}
	if err := f.Err(); err != nil {
		return Claim{}, err
	}
	if before.Status != ClaimSubmitted {
		if before.Status == status && before.DecisionNote == note &&
			(pts == nil || (before.PointsApproved != nil && *before.PointsApproved == *pts)) {
			return before, nil
		}
		return Claim{}, apperr.New(apperr.Conflict, "该申报已审核（"+ClaimStatusLabel(before.Status)+"），不能再次审核")
	}
	var ptsArg any
	if pts != nil {
		ptsArg = num(*pts)
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_bonus_claims SET status = $2, points_approved = $3::numeric,
			decision_note = $4, decided_by = $5, decided_at = $6 WHERE id = $1`,
		id, status, ptsArg, note, actorID(actor), now); err != nil {
		return Claim{}, db.Err(err)
	}
	after, err := FindClaim(ctx, tx, id)
	if err != nil {
		return Claim{}, err
	}
	if err := noticeClaimDecided(ctx, tx, after, now); err != nil {
		return Claim{}, err
	}
	return after, audit.Record(ctx, tx, actor, "assessment.bonus_"+status, "bonus_claim", strconv.FormatInt(id, 10), before, after)
}

func actorID(a audit.Actor) *int64 {
	if a.ID == 0 {
		return nil
	}
	return &a.ID
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func cycleExists(ctx context.Context, q db.DBTX, cycleID int64) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&one)
	return notFound(db.Err(err), "考核年度不存在")
}
