package results

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
)

// ReceiptFilter selects units of the office's receipt list.
type ReceiptFilter struct {
	// State: "" every unit, "pending" not received, "received" signed
	// or delivered.
	State string
	// Offset and Limit page the list (by category, place, unit).
	Offset, Limit int
}

// ReceiptSummary counts the units of a preliminary publication by receipt.
type ReceiptSummary struct {
	// Published: the preliminary results are out (else the rest is zero).
	Published bool `json:"published"`
	Units     int  `json:"units"`
	Signed    int  `json:"signed"`
	Delivered int  `json:"delivered"`
	// Unreceived: neither signed nor delivered; Overdue is how many of
	// them are past ReceiptBy (their windows count from the notification).
	Unreceived int    `json:"unreceived"`
	Overdue    int    `json:"overdue"`
	NotifiedOn string `json:"notified_on"`
	ReceiptBy  string `json:"receipt_by"`
	// LatestEnd is the last day any unit may still apply ("" while a unit
	// is pending: it depends on its receipt).
	LatestEnd string `json:"latest_end"`
	// ReceiptDays and AppealDays are the rule's working days.
	ReceiptDays int `json:"receipt_days"`
	AppealDays  int `json:"appeal_days"`
}

// ListReceipts returns a page of the units of the cycle's preliminary
// results with their receipts and review windows as of now, and the
// counts of the whole publication; before the preliminary results, none
// (Summary.Published false).
func ListReceipts(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64, f ReceiptFilter) ([]UnitReceipt, ReceiptSummary, error) {
	st, err := LoadStatus(ctx, q, cycleID)
	if err != nil || st.Preliminary == nil {
		return []UnitReceipt{}, ReceiptSummary{}, err
	}
	rule, err := loadRule(ctx, q, loc, now, *st.Preliminary)
	if err != nil {
		return nil, ReceiptSummary{}, err
	}
	sum, err := summarize(ctx, q, rule)
	if err != nil {
		return nil, ReceiptSummary{}, err
	}
	cond := ""
	switch f.State {
	case "pending":
		cond = ` AND x.unit_id IS NULL`
	case "received":
		cond = ` AND x.unit_id IS NOT NULL`
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	rows, _ := q.Query(ctx, `SELECT `+receiptColumns+` WHERE r.publication_id = $1`+cond+`
		ORDER BY r.category, r.rank, r.unit_id LIMIT $2 OFFSET $3`, rule.pub.ID, f.Limit, max(f.Offset, 0))
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnitReceipt])
	if err != nil {
		return nil, ReceiptSummary{}, db.Err(err)
	}
	if list == nil {
		list = []UnitReceipt{}
	}
	for i := range list {
		if err := rule.complete(&list[i]); err != nil {
			return nil, ReceiptSummary{}, err
		}
	}
	return list, sum, nil
}

// SummarizeReceipts counts the receipts of the cycle's preliminary
// results as of now (Published false before them): the office's to-do
// for the units that have not signed reads it.
func SummarizeReceipts(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID int64) (ReceiptSummary, error) {
	st, err := LoadStatus(ctx, q, cycleID)
	if err != nil || st.Preliminary == nil {
		return ReceiptSummary{}, err
	}
	rule, err := loadRule(ctx, q, loc, now, *st.Preliminary)
	if err != nil {
		return ReceiptSummary{}, err
	}
	return summarize(ctx, q, rule)
}

// summarize counts the publication's receipts and finds the last day any
// unit may still apply: the window's end grows with the day it counts
// from, so it is the one of the newest receipt that starts a window (or
// of the notification).
func summarize(ctx context.Context, q db.DBTX, rule receiptRule) (ReceiptSummary, error) {
	s := ReceiptSummary{Published: true, NotifiedOn: rule.notifiedOn.Format(time.DateOnly), ReceiptDays: rule.receipt, AppealDays: rule.appeal}
	w, err := AppealWindow(rule.cal, WindowInput{NotifiedOn: rule.notifiedOn, AppealDays: rule.appeal, ReceiptDays: rule.receipt}, rule.today)
	if err != nil {
		return s, err
	}
	s.ReceiptBy = w.ReceiptBy.String()
	var newest *time.Time
	err = q.QueryRow(ctx, `SELECT count(*), count(x.unit_id) FILTER (WHERE x.kind = 'signed'),
			count(x.unit_id) FILTER (WHERE x.kind = 'delivered'),
			max(x.received_on) FILTER (WHERE x.received_on <= $2::date)
		FROM assessment_results r
		LEFT JOIN assessment_receipts x ON x.publication_id = r.publication_id AND x.unit_id = r.unit_id
		WHERE r.publication_id = $1`, rule.pub.ID, s.ReceiptBy).Scan(&s.Units, &s.Signed, &s.Delivered, &newest)
	if err != nil {
		return s, db.Err(err)
	}
	s.Unreceived = s.Units - s.Signed - s.Delivered
	if w.Basis == BasisNotified {
		s.Overdue = s.Unreceived
	}
	if s.Unreceived > 0 && w.Basis == BasisPending {
		return s, nil
	}
	latest := w.End
	if newest != nil {
		from := time.Date(newest.Year(), newest.Month(), newest.Day(), 0, 0, 0, 0, rule.notifiedOn.Location())
		end, err := rule.cal.AddWorkdays(from, rule.appeal)
		if err != nil {
			return s, err
		}
		if latest == nil || end.Date.After(latest.Date) {
			latest = &end
		}
	}
	if latest != nil {
		s.LatestEnd = latest.String()
	}
	return s, nil
}

// windowsClosed refuses the final results while a unit may still apply:
// a unit not yet received within its days to sign, or a window still
// open.
func windowsClosed(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, pub Publication) error {
	rule, err := loadRule(ctx, q, loc, now, pub)
	if err != nil {
		return err
	}
	s, err := summarize(ctx, q, rule)
	if err != nil {
		return err
	}
	if s.LatestEnd == "" {
		return conflictf("尚有%d个单位未签收初步结果，%s前未签收的自通知之日起计算申请复核期限，届时期满后才能公布最终结果",
			s.Unreceived, s.ReceiptBy)
	}
	if rule.today.Format(time.DateOnly) <= s.LatestEnd {
		return conflictf("申请复核期限截至%s（按各单位签收或送达之日计算），期满后才能公布最终结果", s.LatestEnd)
	}
	return nil
}

func conflictf(format string, args ...any) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf(format, args...))
}
