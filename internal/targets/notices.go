package targets

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/notify"
)

// Kinds of the target sheet notifications (issue 14).
const (
	NoticeSheetSubmitted = notify.KindSheetSubmitted
	NoticeSheetReturned  = notify.KindSheetReturned
	NoticeSheetApproved  = notify.KindSheetApproved
)

// noticeSheet tells who acts next about a sheet's new state, in the
// transaction that changed it: the office when a unit submits, the unit
// when the office returns or approves. Each change of the sheet notifies
// once (keyed by its lock version).
func noticeSheet(ctx context.Context, tx pgx.Tx, kind string, s Sheet, now time.Time) error {
	n := notify.Notice{Kind: kind, Key: kind + ":" + idStr(s.ID) + ":" + strconv.Itoa(s.LockVersion),
		Link: "/console/targets/" + idStr(s.ID)}
	switch kind {
	case NoticeSheetSubmitted:
		n.To = notify.ToOffice()
		n.Values = notify.Values{"单位": s.UnitName, "考核年度": s.CycleName}
	case NoticeSheetReturned:
		n.To = notify.ToUnit(s.UnitID)
		n.Values = notify.Values{"考核年度": s.CycleName, "退回意见": notify.Clip(s.ReviewComment, 200)}
	case NoticeSheetApproved:
		n.To = notify.ToUnit(s.UnitID)
		n.Values = notify.Values{"考核年度": s.CycleName}
	}
	_, _, err := notify.Send(ctx, tx, n, now)
	return err
}

// NoticeReportDue reminds a unit of a progress report it owes.
const NoticeReportDue = notify.KindReportDue

// SendReportReminders tells each unit, once per sheet and period, that a
// period has ended and its progress report (进度报告) is owed, while the
// report's due date has not passed (after it, the report is a warning on
// the office's pages and a to-do of the unit). It looks at the cycles
// whose period is running or ended within the last 90 days, and returns
// how many notifications it recorded.
func SendReportReminders(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) (int, error) {
	today := now.In(loc).Format(dateLayout)
	sent := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, name FROM assessment_cycles
			WHERE period_start <= $1::date AND period_end >= $1::date - 90 ORDER BY id`, today)
		type cycle struct {
			id   int64
			name string
		}
		var cycles []cycle
		var c cycle
		if _, err := pgx.ForEachRow(rows, []any{&c.id, &c.name}, func() error {
			cycles = append(cycles, c)
			return nil
		}); err != nil {
			return db.Err(err)
		}
		var notices []notify.Notice
		for _, c := range cycles {
			periods, sheets, err := LoadWatched(ctx, tx, c.id, nil, loc)
			if err != nil {
				return err
			}
			for _, r := range DueReports(today, periods, sheets) {
				if r.Period.Due < today {
					continue
				}
				notices = append(notices, notify.Notice{Kind: NoticeReportDue,
					Key: NoticeReportDue + ":" + idStr(r.SheetID) + ":" + r.Period.Key, To: notify.ToUnit(r.UnitID),
					Values: notify.Values{"考核年度": c.name, "报告期": r.Period.Label,
						"未报指标数": strconv.Itoa(r.Missing), "报送期限": notify.Date(r.Period.Due, false)},
					Link: "/console/targets/" + idStr(r.SheetID) + "?period=" + r.Period.Key + "#reports"})
			}
		}
		var err error
		sent, err = notify.SendAll(ctx, tx, notices, now)
		return err
	})
	return sent, err
}
