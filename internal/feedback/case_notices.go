package feedback

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// Kinds of the case notifications.
const (
	NoticeCaseSent     = notify.KindCaseSent
	NoticeCaseReturned = notify.KindCaseReturned
	NoticeCallbackDue  = notify.KindCallbackDue
)

// caseTitle is a case's problem as a notification names it: one line, at
// most 40 characters, phone numbers masked (the unit sees the case, but a
// text may travel further once the outbound channels exist).
func caseTitle(problem string) string { return notify.Clip(StripPhones(problem), 40) }

func caseLink(id int64) string { return "/console/cases/" + strconv.FormatInt(id, 10) }

// noticeCaseSent tells every account of the unit that a case was sent to
// it (交办), with its answer deadline in working days. One notification per
// case and deadline.
func noticeCaseSent(ctx context.Context, tx pgx.Tx, id, unitID int64, problem string, due caseDue, now time.Time) error {
	deadline := notify.Date(due.date, false)
	if due.provisional {
		deadline += "（暂定，该年工作日历录入后可能调整）"
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:   NoticeCaseSent,
		Key:    NoticeCaseSent + ":" + strconv.FormatInt(id, 10) + ":" + due.date,
		To:     notify.ToUnit(unitID),
		Values: notify.Values{"案件": caseTitle(problem), "答复工作日": strconv.Itoa(due.days), "答复期限": deadline},
		Link:   caseLink(id),
	}, now)
	return err
}

// noticeCaseReturned tells every account of the unit that the office sent
// case c back (退回), with the reason and the fix deadline the unit set.
// Each return is its own notification (keyed by the case's version).
func noticeCaseReturned(ctx context.Context, tx pgx.Tx, c Case, now time.Time) error {
	fix := ""
	if c.FixDue != nil {
		fix = "，整改完成期限为" + notify.Date(*c.FixDue, false)
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:   NoticeCaseReturned,
		Key:    NoticeCaseReturned + ":" + c.IDString() + ":" + strconv.Itoa(c.Version),
		To:     notify.ToUnit(c.UnitID),
		Values: notify.Values{"案件": caseTitle(c.Problem), "退回理由": notify.Clip(c.ReturnReason, 200), "整改期限说明": fix},
		Link:   caseLink(c.ID),
	}, now)
	return err
}

// noticeCallbackDue tells the office a real-name complaint became case id
// and must be called back (回访) by its deadline. The text names the unit
// and the problem, never the citizen's number: the call-back page shows
// it to those allowed.
func noticeCallbackDue(ctx context.Context, tx pgx.Tx, id, unitID int64, problem string, due caseDue, now time.Time) error {
	var unit string
	if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, unitID).Scan(&unit); err != nil {
		return err
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:   NoticeCallbackDue,
		Key:    NoticeCallbackDue + ":" + strconv.FormatInt(id, 10) + ":" + due.date,
		To:     notify.ToOffice(),
		Values: notify.Values{"单位": unit, "案件": caseTitle(problem), "回访期限": notify.Date(due.date, due.provisional)},
		Link:   "/console/callbacks/" + strconv.FormatInt(id, 10),
	}, now)
	return err
}

// Kinds of the rating appeal (申诉) notifications.
const (
	NoticeAppealFiled   = notify.KindAppealFiled
	NoticeAppealDecided = notify.KindAppealDecided
)

// noticeAppeal tells the office a unit appealed a rating, or the unit the
// office decided its appeal. The rating's message is not quoted: the
// office reads it on the appeal page.
func noticeAppeal(ctx context.Context, tx pgx.Tx, a Appeal, now time.Time) error {
	n := notify.Notice{Link: "/console/feedback/appeals#appeal-" + a.idString()}
	if a.Status == AppealOpen {
		n.Kind, n.To = NoticeAppealFiled, notify.ToOffice()
		n.Values = notify.Values{"单位": a.UnitName, "评价等级": a.LevelLabel(), "申诉理由": notify.Clip(a.Grounds, 200)}
	} else {
		n.Kind, n.To = NoticeAppealDecided, notify.ToUnit(a.UnitID)
		n.Values = notify.Values{"处理结果": a.StatusLabel(), "评价等级": a.LevelLabel(),
			"处理理由": notify.Clip(a.DecisionReason, 150)}
	}
	n.Key = n.Kind + ":" + a.idString()
	_, _, err := notify.Send(ctx, tx, n, now)
	return err
}
