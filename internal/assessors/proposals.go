package assessors

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Proposal statuses.
const (
	ProposalPending   = "pending"
	ProposalConfirmed = "confirmed"
	ProposalRejected  = "rejected"
)

// ProposalStatusLabel is a status in Chinese.
func ProposalStatusLabel(s string) string {
	switch s {
	case ProposalPending:
		return "待绩效办审核"
	case ProposalConfirmed:
		return "已确认扣分"
	case ProposalRejected:
		return "未予采纳"
	}
	return s
}

// MsgDecided refuses a decision on a proposal already decided.
const MsgDecided = "该扣分建议已经处理，请刷新页面查看结果"

// Proposal is an assessor unit's deduction proposal (扣分建议).
type Proposal struct {
	ID       int64  `json:"id" db:"id"`
	CycleID  int64  `json:"cycle_id" db:"cycle_id"`
	UnitID   int64  `json:"unit_id" db:"unit_id"`
	UnitName string `json:"unit_name" db:"unit_name"`
	// ProposerUnitID is 0 for a proposal of the office's own inspection
	// (ProposerName OfficeProposer).
	ProposerUnitID int64      `json:"proposer_unit_id" db:"proposer_unit_id"`
	ProposerName   string     `json:"proposer_name" db:"proposer_name"`
	ReasonKey      string     `json:"reason_key" db:"reason_key"`
	ReasonName     string     `json:"reason_name" db:"-"`
	Points         float64    `json:"points" db:"-"`
	Description    string     `json:"description" db:"description"`
	EvidenceIDs    []string   `json:"evidence_ids" db:"evidence_ids"`
	Status         string     `json:"status" db:"status"`
	CreatedBy      *string    `json:"created_by" db:"created_by"`
	CreatedAt      time.Time  `json:"created_at" db:"created_at"`
	DecidedBy      *string    `json:"decided_by" db:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at" db:"decided_at"`
	RejectReason   string     `json:"reject_reason" db:"reject_reason"`
	DeductionID    *int64     `json:"deduction_id" db:"deduction_id"`
}

// StatusLabel is the proposal's status in Chinese.
func (p Proposal) StatusLabel() string { return ProposalStatusLabel(p.Status) }

// OfficeProposer is the proposer's name on a proposal the office made
// from its own inspection (no proposing unit; ProposerUnitID 0).
const OfficeProposer = "绩效办"

const proposalSQL = `SELECT p.id, p.cycle_id, p.unit_id, u.name AS unit_name,
	COALESCE(p.proposer_unit_id, 0) AS proposer_unit_id, COALESCE(pu.name, '` + OfficeProposer + `') AS proposer_name,
	p.reason_key, p.description, p.evidence_ids::text[] AS evidence_ids, p.status, cu.username AS created_by, p.created_at,
	du.username AS decided_by, p.decided_at, p.reject_reason, p.deduction_id
	FROM deduction_proposals p JOIN units u ON u.id = p.unit_id LEFT JOIN units pu ON pu.id = p.proposer_unit_id
	LEFT JOIN users cu ON cu.id = p.created_by LEFT JOIN users du ON du.id = p.decided_by`

// ProposalInput is what an assessor proposes.
type ProposalInput struct {
	UnitID      int64    `json:"unit_id"`
	ReasonKey   string   `json:"reason_key"`
	Description string   `json:"description"`
	EvidenceIDs []string `json:"evidence_ids"`
}

// maxProposalText leaves room in the filed deduction's description for
// the proposer's name.
const maxProposalText = 1900

// Propose records the assessor unit's proposal and audits it. The
// assessor must assess the unit (CheckAssesses), or be the unit the office
// chose as the reason's proposer (DeductionReason.ProposerUnitID:
// Zhongshan's 安监局 and 审计局 propose 行政问责 items without scoring a
// leaf). It returns conflict when the cycle's result is final,
// forbidden as CheckAssesses does, and invalid for a reason not in the
// cycle's settings, a missing or long description, or bad evidence (a
// unit cites only its own files).
func Propose(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, proposerID int64, in ProposalInput, now time.Time) (Proposal, error) {
	if err := assessment.CheckEditable(ctx, tx, cycleID); err != nil {
		return Proposal{}, err
	}
	set, err := assessment.LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return Proposal{}, err
	}
	reason, reasonOK := set.Settings.Reason(strings.TrimSpace(in.ReasonKey))
	if _, err := CheckAssesses(ctx, tx, cycleID, proposerID, in.UnitID); err != nil {
		named := reasonOK && reason.ProposerUnitID != nil && *reason.ProposerUnitID == proposerID && in.UnitID != proposerID
		if !apperr.Is(err, apperr.Forbidden) || !named {
			return Proposal{}, err
		}
	}
	desc := strings.TrimSpace(in.Description)
	f := apperr.Fields{}
	if !reasonOK {
		f.Add("reason_key", "请选择考核设置中列出的扣分事由")
	}
	if n := utf8.RuneCountInString(desc); n == 0 || n > maxProposalText {
		f.Add("description", "请填写扣分事实（不超过1900字）")
	}
	if err := f.Err(); err != nil {
		return Proposal{}, err
	}
	ev, err := assessment.CheckEvidence(ctx, tx, in.EvidenceIDs, false, &proposerID)
	if err != nil {
		return Proposal{}, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO deduction_proposals (cycle_id, unit_id, proposer_unit_id, reason_key, description,
			evidence_ids, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8) RETURNING id`,
		cycleID, in.UnitID, proposerID, reason.Key, desc, ev, actorID(actor), now).Scan(&id)
	if err != nil {
		return Proposal{}, db.Err(err)
	}
	p, err := FindProposal(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	return p, audit.Record(ctx, tx, actor, "deduction_proposal.create", "deduction_proposal", idStr(id), nil, p)
}

// FindProposal returns a proposal with its reason's name and points, or
// not_found.
func FindProposal(ctx context.Context, q db.DBTX, id int64) (Proposal, error) {
	rows, _ := q.Query(ctx, proposalSQL+` WHERE p.id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Proposal])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "扣分建议不存在")
		}
		return Proposal{}, err
	}
	set, err := assessment.LoadSettings(ctx, q, p.CycleID)
	name(&p, set.Settings)
	return p, err
}

func name(p *Proposal, s assessment.Settings) {
	p.ReasonName = p.ReasonKey
	if r, ok := s.Reason(p.ReasonKey); ok {
		p.ReasonName, p.Points = r.Name, r.Points
	}
}

// lockPending locks a pending proposal; not_found, or conflict
// (MsgDecided) when it was decided.
func lockPending(ctx context.Context, tx pgx.Tx, id int64) (Proposal, error) {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM deduction_proposals WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "扣分建议不存在")
		}
		return Proposal{}, err
	}
	if status != ProposalPending {
		return Proposal{}, apperr.New(apperr.Conflict, MsgDecided)
	}
	return FindProposal(ctx, tx, id)
}

// ConfirmProposal files the proposal as a deduction of the office
// (assessment.FileDeduction: the reason's points, the proposal's facts
// and evidence), marks it confirmed, tells the proposing unit
// (noticeDecided) and audits both. It returns not_found,
// conflict (MsgDecided, or the cycle's result is final) and the filing's
// errors (a reason since removed from the settings: invalid).
func ConfirmProposal(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (Proposal, error) {
	before, err := lockPending(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	d, _, err := assessment.FileDeduction(ctx, tx, actor, before.CycleID, assessment.DeductionInput{
		UnitID: before.UnitID, ReasonKey: before.ReasonKey, EvidenceIDs: before.EvidenceIDs,
		Description: before.Description + "（" + before.ProposerName + "建议）",
		ClientKey:   "proposal-" + idStr(id)})
	if err != nil {
		return Proposal{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE deduction_proposals SET status = 'confirmed', decided_by = $2, decided_at = $3,
		deduction_id = $4 WHERE id = $1`, id, actorID(actor), now, d.ID); err != nil {
		return Proposal{}, db.Err(err)
	}
	after, err := FindProposal(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	if err := noticeDecided(ctx, tx, after, now); err != nil {
		return Proposal{}, err
	}
	return after, audit.Record(ctx, tx, actor, "deduction_proposal.confirm", "deduction_proposal", idStr(id), before, after)
}

// RejectProposal rejects the proposal with the office's reason (1–2000
// characters, invalid otherwise), tells the proposing unit with the
// reason (noticeDecided) and audits it; not_found and conflict as
// ConfirmProposal.
func RejectProposal(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, reason string, now time.Time) (Proposal, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 2000 {
		return Proposal{}, apperr.InvalidField("reason", "请填写不予采纳的理由（不超过2000字）")
	}
	before, err := lockPending(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	if err := assessment.CheckEditable(ctx, tx, before.CycleID); err != nil {
		return Proposal{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE deduction_proposals SET status = 'rejected', decided_by = $2, decided_at = $3,
		reject_reason = $4 WHERE id = $1`, id, actorID(actor), now, reason); err != nil {
		return Proposal{}, db.Err(err)
	}
	after, err := FindProposal(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	if err := noticeDecided(ctx, tx, after, now); err != nil {
		return Proposal{}, err
	}
	return after, audit.Record(ctx, tx, actor, "deduction_proposal.reject", "deduction_proposal", idStr(id), before, after)
}

// ProposalFilter selects a cycle's proposals: of one proposer and/or one
// status; Limit 1–500 (50 when 0).
type ProposalFilter struct {
	CycleID       int64
	ProposerID    *int64
	Status        string
	Limit, Offset int
}

// ListProposals returns a page of the cycle's proposals, newest first,
// and how many match.
func ListProposals(ctx context.Context, q db.DBTX, f ProposalFilter) ([]Proposal, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	args := []any{f.CycleID}
	where := ` WHERE p.cycle_id = $1`
	if f.ProposerID != nil {
		args = append(args, *f.ProposerID)
		where += ` AND p.proposer_unit_id = $` + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where += ` AND p.status = $` + strconv.Itoa(len(args))
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM deduction_proposals p`+where, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	n := len(args)
	rows, _ := q.Query(ctx, proposalSQL+where+` ORDER BY p.id DESC LIMIT $`+strconv.Itoa(n+1)+` OFFSET $`+strconv.Itoa(n+2),
		append(args, f.Limit, f.Offset)...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Proposal])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	if list == nil {
		list = []Proposal{}
	}
	set, err := assessment.LoadSettings(ctx, q, f.CycleID)
	for i := range list {
		name(&list[i], set.Settings)
	}
	return list, total, err
}

func actorID(actor audit.Actor) *int64 {
	if actor.ID == 0 {
		return nil
	}
	return &actor.ID
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }
