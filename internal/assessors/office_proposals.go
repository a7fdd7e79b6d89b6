package assessors

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// ProposeForOffice records a deduction proposal the office makes from its
// own inspection (internal/inspections): no proposing unit, so it goes to
// the office's queue like an assessor's and is confirmed or rejected
// there. The unit is the caller's check (it is of the cycle). It returns
// conflict when the cycle's result is final and invalid for a reason not
// in the cycle's settings, a missing or long description or bad evidence.
func ProposeForOffice(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, unitID int64, in ProposalInput, now time.Time) (Proposal, error) {
	if err := assessment.CheckEditable(ctx, tx, cycleID); err != nil {
		return Proposal{}, err
	}
	set, err := assessment.LoadSettings(ctx, tx, cycleID)
	if err != nil {
		return Proposal{}, err
	}
	reason, ok := set.Settings.Reason(strings.TrimSpace(in.ReasonKey))
	desc := strings.TrimSpace(in.Description)
	f := apperr.Fields{}
	if !ok {
		f.Add("reason_key", "请选择考核设置中列出的扣分事由")
	}
	if n := utf8.RuneCountInString(desc); n == 0 || n > maxProposalText {
		f.Add("description", "请填写扣分事实（不超过1900字）")
	}
	if err := f.Err(); err != nil {
		return Proposal{}, err
	}
	ev, err := assessment.CheckEvidence(ctx, tx, in.EvidenceIDs, true, nil)
	if err != nil {
		return Proposal{}, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO deduction_proposals (cycle_id, unit_id, reason_key, description,
			evidence_ids, created_by, created_at) VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7) RETURNING id`,
		cycleID, unitID, reason.Key, desc, ev, actorID(actor), now).Scan(&id)
	if err != nil {
		return Proposal{}, db.Err(err)
	}
	p, err := FindProposal(ctx, tx, id)
	if err != nil {
		return Proposal{}, err
	}
	return p, audit.Record(ctx, tx, actor, "deduction_proposal.office", "deduction_proposal", idStr(id), nil, p)
}
