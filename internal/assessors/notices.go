package assessors

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// NoticeProposalDecided is the kind of the notification a proposing
// assessor unit gets when the office decides its deduction proposal.
const NoticeProposalDecided = notify.KindProposalDecided

// noticeDecided tells the proposing assessor unit (every active account
// of it, and the channels the unit set up) that the office confirmed or
// rejected its proposal, with the points filed or the office's reason.
// The office's own proposals tell no one. The notice's key is the proposal's: a proposal is decided once, and a
// retried decision records nothing more.
func noticeDecided(ctx context.Context, tx pgx.Tx, p Proposal, now time.Time) error {
	if p.ProposerUnitID == 0 {
		return nil // the office's own proposal: it decided it itself
	}
	decision := "绩效办已确认，按该事由对" + p.UnitName + "扣" + strconv.FormatFloat(p.Points, 'f', -1, 64) + "分，记入考核。"
	if p.Status == ProposalRejected {
		decision = "绩效办不予采纳。理由：" + notify.Clip(p.RejectReason, 200)
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeProposalDecided,
		Key: NoticeProposalDecided + ":" + idStr(p.ID), To: notify.ToUnit(p.ProposerUnitID),
		Values: notify.Values{"被考评单位": p.UnitName, "扣分事由": notify.Clip(p.ReasonName, 60),
			"处理结果": p.StatusLabel(), "处理情况": decision},
		Link: "/console/cycles/" + idStr(p.CycleID) + "/assessor#p" + idStr(p.ID)}, now)
	return err
}
