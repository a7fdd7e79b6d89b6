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
	NoticeBonusDecided = "assessment.bonus_decided"
	NoticeDeduction    = "assessment.deduction"
)

func unitAssessLink(cycleID, unitID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/assessment/units/" + strconv.FormatInt(unitID, 10)
}

// noticeClaimDecided tells the unit the office decided its bonus claim
// (创先争优加分), with the points recognised or the reason for not.
func noticeClaimDecided(ctx context.Context, tx pgx.Tx, c Claim, now time.Time) error {
	body := "绩效办审核了本单位的加分申报“" + notify.Clip(c.Title, 60) + "”："
	if c.Status == ClaimApproved && c.PointsApproved != nil {
		body += "认定加" + num(*c.PointsApproved) + "分（申报" + num(c.PointsClaimed) + "分）。"
		if c.DecisionNote != "" {
			body += "审核意见：" + notify.Clip(c.DecisionNote, 200)
		}
	} else {
		body += "不予认定。理由：" + notify.Clip(c.DecisionNote, 200)
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeBonusDecided,
		Key: NoticeBonusDecided + ":" + strconv.FormatInt(c.ID, 10), To: notify.ToUnit(c.UnitID),
		Title: "加分申报已审核：" + ClaimStatusLabel(c.Status), Body: body, Link: unitAssessLink(c.CycleID, c.UnitID)}, now)
	return err
}

// noticeDeduction tells the unit a deduction was filed against it, with
// the reason and the facts.
func noticeDeduction(ctx context.Context, tx pgx.Tx, d Deduction, now time.Time) error {
	body := "绩效办对本单位登记扣分：" + d.ReasonName
	if d.SetsFail {
		body += "，本单位考核等次将直接定为不合格"
	} else {
		body += "，扣" + num(d.Points) + "分"
	}
	body += "。扣分事实：" + notify.Clip(d.Description, 200)
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeDeduction,
		Key: NoticeDeduction + ":" + strconv.FormatInt(d.ID, 10), To: notify.ToUnit(d.UnitID),
		Title: "考核扣分：" + d.ReasonName, Body: body, Link: unitAssessLink(d.CycleID, d.UnitID)}, now)
	return err
}
