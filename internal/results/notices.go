package results

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/notify"
)

// Kinds of the results' notifications (issue 14).
const (
	NoticePreliminary    = "results.preliminary"
	NoticeAppealFiled    = "results.appeal_filed"
	NoticeAppealAnswered = "results.appeal_answered"
)

func resultLink(cycleID, unitID int64) string {
	return "/console/cycles/" + strconv.FormatInt(cycleID, 10) + "/results/" + strconv.FormatInt(unitID, 10)
}

func cycleName(ctx context.Context, tx pgx.Tx, cycleID int64) (string, error) {
	var name string
	err := tx.QueryRow(ctx, `SELECT name FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&name)
	return name, db.Err(err)
}

// noticePreliminary tells every unit in preliminary publication pubID its
// result is out and until when it may apply for review.
func noticePreliminary(ctx context.Context, tx pgx.Tx, cycleID, pubID int64, w window, now time.Time) error {
	name, err := cycleName(ctx, tx, cycleID)
	if err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `SELECT unit_id FROM assessment_results WHERE publication_id = $1 ORDER BY unit_id`, pubID)
	units, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return db.Err(err)
	}
	body := name + "初步考核结果已公布。对本单位结果有异议的，可在" + strconv.Itoa(w.days) + "个工作日内，即" +
		notify.Date(w.due.String(), w.due.Provisional) + "前，提出书面复核申请。"
	notices := make([]notify.Notice, len(units))
	for i, u := range units {
		notices[i] = notify.Notice{Kind: NoticePreliminary,
			Key: NoticePreliminary + ":" + strconv.FormatInt(pubID, 10) + ":" + strconv.FormatInt(u, 10),
			To:  notify.ToUnit(u), Title: name + "初步考核结果已公布", Body: body, Link: resultLink(cycleID, u)}
	}
	_, err = notify.SendAll(ctx, tx, notices, now)
	return err
}

// noticeAppealFiled tells the office a unit applied for review and by
// when to answer.
func noticeAppealFiled(ctx context.Context, tx pgx.Tx, a Appeal, now time.Time) error {
	name, err := cycleName(ctx, tx, a.CycleID)
	if err != nil {
		return err
	}
	_, _, err = notify.Send(ctx, tx, notify.Notice{Kind: NoticeAppealFiled,
		Key: NoticeAppealFiled + ":" + strconv.FormatInt(a.ID, 10), To: notify.ToOffice(),
		Title: "复核申请待答复：" + a.UnitName,
		Body: a.UnitName + "对" + name + "初步考核结果提出复核申请，请在" + notify.Date(a.AnswerDue, a.AnswerDueProvisional) +
			"前答复。",
		Link: resultLink(a.CycleID, a.UnitID)}, now)
	return err
}

// noticeAppealAnswered tells the unit the office answered its application.
func noticeAppealAnswered(ctx context.Context, tx pgx.Tx, a Appeal, now time.Time) error {
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeAppealAnswered,
		Key: NoticeAppealAnswered + ":" + strconv.FormatInt(a.ID, 10), To: notify.ToUnit(a.UnitID),
		Title: "复核申请已答复：" + a.StatusLabel,
		Body:  "绩效办已答复本单位的复核申请，结论：" + a.StatusLabel + "。答复意见：" + notify.Clip(derefOr(a.Answer), 200),
		Link:  resultLink(a.CycleID, a.UnitID)}, now)
	return err
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
