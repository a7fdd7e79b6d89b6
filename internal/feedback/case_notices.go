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
	NoticeCaseSent     = "case.sent"
	NoticeCaseReturned = "case.returned"
	NoticeCallbackDue  = "callback.due"
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
	title := caseTitle(problem)
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:  NoticeCaseSent,
		Key:   NoticeCaseSent + ":" + strconv.FormatInt(id, 10) + ":" + due.date,
		To:    notify.ToUnit(unitID),
		Title: "新的整改案件：" + title,
		Body: "绩效办向本单位交办了整改案件“" + title + "”。请在" + strconv.Itoa(due.days) + "个工作日内，即" +
			deadline + "前，提交答复和整改方案。",
		Link: caseLink(id),
	}, now)
	return err
}

// noticeCaseReturned tells every account of the unit that the office sent
// case c back (退回), with the reason and the fix deadline the unit set.
// Each return is its own notification (keyed by the case's version).
func noticeCaseReturned(ctx context.Context, tx pgx.Tx, c Case, now time.Time) error {
	title := caseTitle(c.Problem)
	body := "绩效办退回了整改案件“" + title + "”，退回理由：" + notify.Clip(c.ReturnReason, 200) + "。"
	if c.FixDue != nil {
		body += "请修改后重新提交，整改完成期限为" + notify.Date(*c.FixDue, false) + "。"
	} else {
		body += "请修改后重新提交。"
	}
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:  NoticeCaseReturned,
		Key:   NoticeCaseReturned + ":" + c.IDString() + ":" + strconv.Itoa(c.Version),
		To:    notify.ToUnit(c.UnitID),
		Title: "整改案件被退回：" + title,
		Body:  body,
		Link:  caseLink(c.ID),
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
	deadline := notify.Date(due.date, due.provisional)
	title := caseTitle(problem)
	_, _, err := notify.Send(ctx, tx, notify.Notice{
		Kind:  NoticeCallbackDue,
		Key:   NoticeCallbackDue + ":" + strconv.FormatInt(id, 10) + ":" + due.date,
		To:    notify.ToOffice(),
		Title: "实名差评待回访：" + unit,
		Body:  "群众实名反映" + unit + "“" + title + "”，已立案交办。请在" + deadline + "前完成回访。",
		Link:  "/console/callbacks/" + strconv.FormatInt(id, 10),
	}, now)
	return err
}

// Kinds of the rating appeal (申诉) notifications.
const (
	NoticeAppealFiled   = "appeal.filed"
	NoticeAppealDecided = "appeal.decided"
)

// noticeAppeal tells the office a unit appealed a rating, or the unit the
// office decided its appeal. The rating's message is not quoted: the
// office reads it on the appeal page.
func noticeAppeal(ctx context.Context, tx pgx.Tx, a Appeal, now time.Time) error {
	n := notify.Notice{Link: "/console/feedback/appeals#appeal-" + a.idString()}
	if a.Status == AppealOpen {
		n.Kind, n.To = NoticeAppealFiled, notify.ToOffice()
		n.Title = "评价申诉待处理：" + a.UnitName
		n.Body = a.UnitName + "对一条“" + a.LevelLabel() + "”评价提出申诉，理由：" + notify.Clip(a.Grounds, 200)
	} else {
		n.Kind, n.To = NoticeAppealDecided, notify.ToUnit(a.UnitID)
		n.Title = "评价申诉已处理：" + a.StatusLabel()
		n.Body = "绩效办处理了本单位对一条“" + a.LevelLabel() + "”评价的申诉：" + a.StatusLabel() +
			"。理由：" + notify.Clip(a.DecisionReason, 150)
	}
	n.Key = n.Kind + ":" + a.idString()
	_, _, err := notify.Send(ctx, tx, n, now)
	return err
}
