package approvals

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// Kinds of the approvals' notifications.
const (
	NoticeRequested = notify.KindApprovalRequested
	NoticeDecided   = notify.KindApprovalDecided
	NoticeWithdrawn = notify.KindApprovalWithdrawn
)

// Link is the console page of a request, where a leader decides.
func Link(id int64) string { return "/console/approvals/" + strconv.FormatInt(id, 10) }

// SubjectLink is the console page of the item a request is about.
func (r Request) SubjectLink() string {
	switch r.Subject {
	case SubjectTargetSheet:
		return "/console/targets/" + strconv.FormatInt(r.SubjectID, 10)
	case SubjectTargetChange:
		return "/console/targets/" + strconv.FormatInt(r.SubjectID, 10) + "#changes"
	}
	return "/console/cycles/" + strconv.FormatInt(r.CycleID, 10) + "/results"
}

// noticeRequested tells the approver whose turn it is.
func noticeRequested(ctx context.Context, tx pgx.Tx, r Request, approver int64, now time.Time) error {
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeRequested,
		Key: NoticeRequested + ":" + strconv.FormatInt(r.ID, 10) + ":" + strconv.FormatInt(approver, 10),
		To:  notify.ToUser(approver), Values: notify.Values{"事项": notify.Clip(r.Title, 60), "考核年度": r.CycleName},
		Link: Link(r.ID)}, now)
	return err
}

// noticeDecided tells the office a request was returned or fully approved.
func noticeDecided(ctx context.Context, tx pgx.Tx, r Request, now time.Time) error {
	comment, who := "无", ""
	if n := len(r.Decisions); n > 0 {
		who = r.Decisions[n-1].Approver
		if c := r.Decisions[n-1].Comment; c != "" {
			comment = c
		}
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeDecided,
		Key: NoticeDecided + ":" + strconv.FormatInt(r.ID, 10), To: notify.ToOffice(),
		Values: notify.Values{"事项": notify.Clip(r.Title, 60), "审批结果": StateLabel(r.State), "审批人": who,
			"审批意见": notify.Clip(comment, 200)},
		Link: r.SubjectLink()}, now)
	return err
}

// noticeWithdrawn tells the leaders the request has been before — the one
// whose turn it was and those who approved it already — that the office
// withdrew it: it left the first one's to-do list without a word, and the
// others' approval no longer stands.
func noticeWithdrawn(ctx context.Context, tx pgx.Tx, before, after Request, now time.Time) error {
	told := map[int64]bool{}
	var to []int64
	add := func(id int64) {
		if !told[id] {
			told[id] = true
			to = append(to, id)
		}
	}
	for _, d := range before.Decisions {
		add(d.ApproverID)
	}
	if before.CurrentApprover != nil {
		add(*before.CurrentApprover)
	}
	comment := after.WithdrawComment
	if comment == "" {
		comment = "无"
	}
	for _, id := range to {
		_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeWithdrawn,
			Key: NoticeWithdrawn + ":" + strconv.FormatInt(after.ID, 10) + ":" + strconv.FormatInt(id, 10),
			To:  notify.ToUser(id), Values: notify.Values{"事项": notify.Clip(after.Title, 60), "考核年度": after.CycleName,
				"撤回说明": notify.Clip(comment, 200)},
			Link: Link(after.ID)}, now)
		if err != nil {
			return err
		}
	}
	return nil
}
