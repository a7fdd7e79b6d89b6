package surveys

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
	"minyi/internal/notify"
)

// NoticeClosing is the office's notification that an open survey closes
// within ClosingNotice while invited respondents have not submitted.
const NoticeClosing = notify.KindSurveyClosing

// ClosingNotice is how long before a survey's closing time the office is
// told who has not answered yet, so it can remind them.
const ClosingNotice = 48 * time.Hour

// SendClosingNotices tells the office, once per survey and closing time,
// about each open survey closing within ClosingNotice with respondents
// who have not submitted (invited or started). It returns how many
// notifications it recorded.
func SendClosingNotices(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) (int, error) {
	sent := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		type closing struct {
			id               int64
			title            string
			closesAt         time.Time
			pending, invited int64
		}
		var list []closing
		rows, _ := tx.Query(ctx, `SELECT s.id, s.title, s.closes_at,
				(SELECT count(*) FROM survey_respondents r WHERE r.survey_id = s.id AND r.status <> 'submitted'),
				(SELECT count(*) FROM survey_respondents r WHERE r.survey_id = s.id)
			FROM surveys s
			WHERE s.status = 'open' AND s.closes_at > $1 AND s.closes_at <= $2
			ORDER BY s.id`, now, now.Add(ClosingNotice))
		var c closing
		if _, err := pgx.ForEachRow(rows, []any{&c.id, &c.title, &c.closesAt, &c.pending, &c.invited}, func() error {
			list = append(list, c)
			return nil
		}); err != nil {
			return db.Err(err)
		}
		var notices []notify.Notice
		for _, c := range list {
			if c.pending == 0 {
				continue
			}
			when := c.closesAt.In(loc).Format("1月2日15:04")
			notices = append(notices, notify.Notice{Kind: NoticeClosing,
				Key: NoticeClosing + ":" + strconv.FormatInt(c.id, 10) + ":" + c.closesAt.UTC().Format(time.RFC3339),
				To:  notify.ToOffice(),
				Values: notify.Values{"问卷": notify.Clip(c.title, 40), "截止时间": when,
					"受访人数": strconv.FormatInt(c.invited, 10), "未提交人数": strconv.FormatInt(c.pending, 10)},
				Link: "/console/surveys/" + strconv.FormatInt(c.id, 10) + "#respondents"})
		}
		var err error
		sent, err = notify.SendAll(ctx, tx, notices, now)
		return err
	})
	return sent, err
}
