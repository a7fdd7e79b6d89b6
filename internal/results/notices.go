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
	NoticePreliminary    = notify.KindPreliminary
	NoticeAppealFiled    = notify.KindReviewFiled
	NoticeAppealAnswered = notify.KindReviewAnswered
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
// result is out, until when to sign for it (签收) and until when it may
// apply for review if it does not.
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
	values := func() notify.Values {
		return notify.Values{"考核年度": name, "复核工作日": strconv.Itoa(w.days),
			"签收期限": notify.Date(w.receiptBy.String(), w.receiptBy.Provisional),
			"复核期限": notify.Date(w.due.String(), w.due.Provisional)}
	}
	notices := make([]notify.Notice, len(units))
	for i, u := range units {
		notices[i] = notify.Notice{Kind: NoticePreliminary,
			Key: NoticePreliminary + ":" + strconv.FormatInt(pubID, 10) + ":" + strconv.FormatInt(u, 10),
			To:  notify.ToUnit(u), Values: values(), Link: resultLink(cycleID, u)}
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
		Values: notify.Values{"单位": a.UnitName, "考核年度": name,
			"答复期限": notify.Date(a.AnswerDue, a.AnswerDueProvisional)},
		Link: resultLink(a.CycleID, a.UnitID)}, now)
	return err
}

// noticeAppealAnswered tells the unit the office answered its application.
func noticeAppealAnswered(ctx context.Context, tx pgx.Tx, a Appeal, now time.Time) error {
	_, _, err := notify.Send(ctx, tx, notify.Notice{Kind: NoticeAppealAnswered,
		Key: NoticeAppealAnswered + ":" + strconv.FormatInt(a.ID, 10), To: notify.ToUnit(a.UnitID),
		Values: notify.Values{"复核结论": a.StatusLabel, "答复意见": notify.Clip(derefOr(a.Answer), 200)},
		Link:   resultLink(a.CycleID, a.UnitID)}, now)
	return err
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
