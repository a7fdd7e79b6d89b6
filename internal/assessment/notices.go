package assessment

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// Kinds of the assessment's notifications (issue 14).
const (
	NoticeBonusDecided = notify.KindBonusDecided
	NoticeDeduction    = notify.KindDeduction
)

func unitAssessLink(cycleID, unitID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/assessment/units/" + strconv.FormatInt(unitID, 10)
}

// noticeClaimDecided tells the unit the office decided its bonus claim
// (创先争优加分), with the points recognised or the reason for not.
func noticeClaimDecided(ctx context.Context, tx pgx.Tx, c Claim, now time.Time) error {
	// The decision reads differently approved and not: the event writes
	// it whole into {审核情况}.
	decision := "不予认定。理由：" + notify.Clip(c.DecisionNote, 200)
	if c.Status == ClaimApproved && c.PointsApproved != nil {
		decision = "认定加" + num(*c.PointsApproved) + "分（申报" + num(c.PointsClaimed) + "分）。"
		if c.DecisionNote != "" {
			decision += "审核意见：" + notify.Clip(c.DecisionNote, 200)
		}
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeBonusDecided,
		Key: NoticeBonusDecided + ":" + strconv.FormatInt(c.ID, 10), To: notify.ToUnit(c.UnitID),
		Values: notify.Values{"申报事项": notify.Clip(c.Title, 60), "审核结果": ClaimStatusLabel(c.Status), "审核情况": decision},
		Link:   unitAssessLink(c.CycleID, c.UnitID)}, now)
	return err
}

// noticeDeduction tells the unit a deduction was filed against it, with
// the reason and the facts.
func noticeDeduction(ctx context.Context, tx pgx.Tx, d Deduction, now time.Time) error {
	result := "扣" + num(d.Points) + "分"
	if d.SetsFail {
		result = "本单位考核等次将直接定为不合格"
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeDeduction,
		Key: NoticeDeduction + ":" + strconv.FormatInt(d.ID, 10), To: notify.ToUnit(d.UnitID),
		Values: notify.Values{"扣分事由": d.ReasonName, "扣分结果": result, "扣分事实": notify.Clip(d.Description, 200)},
		Link:   unitAssessLink(d.CycleID, d.UnitID)}, now)
	return err
}
