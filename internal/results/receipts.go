package results

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/workdays"
)

// UnitReceipt is one unit's receipt (签收) of its preliminary result and
// the review window it starts.
type UnitReceipt struct {
	CycleID       int64  `json:"cycle_id" db:"cycle_id"`
	PublicationID int64  `json:"publication_id" db:"publication_id"`
	UnitID        int64  `json:"unit_id" db:"unit_id"`
	UnitName      string `json:"unit_name" db:"unit_name"`
	Category      string `json:"category" db:"category"`
	Rank          int    `json:"rank" db:"rank"`
	// NotifiedOn is the local date the preliminary result was notified.
	NotifiedOn string `json:"notified_on" db:"-"`
	// Kind is BasisSigned or BasisDelivered, nil while not received;
	// ReceivedOn the day signed or delivered, RecordedBy who signed or
	// recorded the delivery, RecordedAt when.
	Kind       *string    `json:"kind" db:"kind"`
	ReceivedOn *string    `json:"received_on" db:"received_on"`
	RecordedBy *string    `json:"recorded_by" db:"recorded_by"`
	RecordedAt *time.Time `json:"recorded_at" db:"recorded_at"`
	Note       string     `json:"note" db:"note"`
	// Applied: the unit has applied for review.
	Applied bool `json:"applied" db:"applied"`
	// Window is the review window as of today; WindowEnd its last day (""
	// while pending), WindowText how it counts, WindowOpen whether the
	// unit may still apply.
	Window      Window `json:"-" db:"-"`
	Basis       string `json:"basis" db:"-"`
	WindowEnd   string `json:"window_end" db:"-"`
	WindowText  string `json:"window_text" db:"-"`
	WindowOpen  bool   `json:"window_open" db:"-"`
	Provisional bool   `json:"provisional" db:"-"`
}

// ReceiptLabel is a receipt's kind in Chinese.
func ReceiptLabel(kind string) string {
	switch kind {
	case BasisSigned:
		return "已签收"
	case BasisDelivered:
		return "已送达（登记）"
	case BasisNotified:
		return "逾期未签收"
	}
	return "待签收"
}

const receiptColumns = `r.cycle_id, r.publication_id, r.unit_id, u.name AS unit_name, r.category, r.rank,
	x.kind, to_char(x.received_on, 'YYYY-MM-DD') AS received_on, w.username AS recorded_by, x.recorded_at,
	coalesce(x.note, '') AS note,
	EXISTS (SELECT 1 FROM assessment_appeals a WHERE a.cycle_id = r.cycle_id AND a.unit_id = r.unit_id) AS applied
	FROM assessment_results r JOIN units u ON u.id = r.unit_id
	LEFT JOIN assessment_receipts x ON x.publication_id = r.publication_id AND x.unit_id = r.unit_id
	LEFT JOIN users w ON w.id = x.recorded_by`

// receiptRule is what every unit's window of a publication is counted
// with.
type receiptRule struct {
	pub        Publication
	notifiedOn time.Time
	appeal     int
	receipt    int
	cal        *workdays.Calendar
	today      time.Time
}

// loadRule reads the calendar and the cycle's newest settings for the
// preliminary publication pub.
func loadRule(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, pub Publication) (receiptRule, error) {
	sv, err := assessment.LoadSettings(ctx, q, pub.CycleID)
	if err != nil {
		return receiptRule{}, err
	}
	r := receiptRule{pub: pub, notifiedOn: localDay(pub.PublishedAt, loc), appeal: sv.Settings.AppealDays,
		receipt: sv.Settings.ReceiptDaysInForce(), today: localDay(now, loc)}
	// Both counts are at most 60 working days: they end within the next
	// year.
	r.cal, err = workdays.Load(ctx, q, r.notifiedOn.Year(), r.notifiedOn.Year()+1)
	return r, err
}

// complete counts the unit's window.
func (r receiptRule) complete(u *UnitReceipt) error {
	u.NotifiedOn = r.notifiedOn.Format(time.DateOnly)
	in := WindowInput{NotifiedOn: r.notifiedOn, AppealDays: r.appeal, ReceiptDays: r.receipt}
	if u.ReceivedOn != nil {
		d, err := time.ParseInLocation(time.DateOnly, *u.ReceivedOn, r.notifiedOn.Location())
		if err != nil {
			return err
		}
		in.ReceivedOn, in.Kind = &d, *u.Kind
	}
	w, err := AppealWindow(r.cal, in, r.today)
	if err != nil {
		return err
	}
	u.Window, u.Basis, u.WindowEnd, u.WindowText = w, w.Basis, w.EndText(), w.Text()
	u.WindowOpen, u.Provisional = w.Open(r.today), w.Provisional()
	return nil
}

// preliminaryOf returns the cycle's preliminary publication; conflict
// when there is none.
func preliminaryOf(ctx context.Context, q db.DBTX, cycleID int64) (Status, error) {
	st, err := LoadStatus(ctx, q, cycleID)
	if err != nil {
		return st, err
	}
	if st.Preliminary == nil {
		return st, apperr.New(apperr.Conflict, "初步结果尚未公布")
	}
	return st, nil
}

// FindReceipt returns the unit's receipt of the cycle's preliminary result
// with its review window as of now; conflict before the preliminary
// results, not_found when they do not include the unit.
func FindReceipt(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, cycleID, unitID int64) (UnitReceipt, error) {
	st, err := preliminaryOf(ctx, q, cycleID)
	if err != nil {
		return UnitReceipt{}, err
	}
	return findReceipt(ctx, q, loc, now, *st.Preliminary, unitID)
}

func findReceipt(ctx context.Context, q db.DBTX, loc *time.Location, now time.Time, pub Publication, unitID int64) (UnitReceipt, error) {
	rows, _ := q.Query(ctx, `SELECT `+receiptColumns+` WHERE r.publication_id = $1 AND r.unit_id = $2`, pub.ID, unitID)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[UnitReceipt])
	if err == pgx.ErrNoRows {
		return UnitReceipt{}, apperr.New(apperr.NotFound, "初步结果中没有该单位")
	}
	if err != nil {
		return UnitReceipt{}, db.Err(err)
	}
	rule, err := loadRule(ctx, q, loc, now, pub)
	if err != nil {
		return UnitReceipt{}, err
	}
	return u, rule.complete(&u)
}

// receivable locks the cycle and returns its preliminary publication while
// receipts may be recorded: after the preliminary results, before the
// final ones.
func receivable(ctx context.Context, tx pgx.Tx, cycleID int64) (Publication, error) {
	if err := lockCycle(ctx, tx, cycleID); err != nil {
		return Publication{}, err
	}
	st, err := preliminaryOf(ctx, tx, cycleID)
	if err != nil {
		return Publication{}, apperr.New(apperr.Conflict, "初步结果尚未公布，无需签收")
	}
	if st.Final != nil {
		return Publication{}, apperr.New(apperr.Conflict, "最终结果已公布，不再登记初步结果的签收")
	}
	return *st.Preliminary, nil
}

// Sign records that the unit signed for (签收) its preliminary result
// today (actor: the unit's staff). Signing again, or after the office
// recorded its delivery, returns the receipt as it is. It returns conflict
// before the preliminary results and after the final ones, not_found when
// the preliminary results do not include the unit.
func Sign(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID, unitID int64) (UnitReceipt, error) {
	pub, err := receivable(ctx, tx, cycleID)
	if err != nil {
		return UnitReceipt{}, err
	}
	before, err := findReceipt(ctx, tx, loc, now, pub, unitID)
	if err != nil || before.Kind != nil {
		return before, err
	}
	return insertReceipt(ctx, tx, actor, loc, now, pub, before, BasisSigned, localDay(now, loc), "", "results.receipt_sign")
}

// DeliveryInput is the office's record of a paper delivery: the day the
// unit received the preliminary result and an optional note (who received
// it, how).
type DeliveryInput struct {
	DeliveredOn string `json:"delivered_on"`
	Note        string `json:"note"`
}

// RecordDelivery records the day the preliminary result was delivered to
// the unit on paper (the office's record): on or after the notification,
// not after today. Recording the same day again returns the receipt; a
// unit that signed already, or another day, is a conflict. It returns
// invalid for a bad date or note.
func RecordDelivery(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, cycleID, unitID int64, in DeliveryInput) (UnitReceipt, error) {
	in.DeliveredOn, in.Note = strings.TrimSpace(in.DeliveredOn), strings.TrimSpace(in.Note)
	f := apperr.Fields{}
	on, perr := time.ParseInLocation(time.DateOnly, in.DeliveredOn, loc)
	if perr != nil {
		f.Add("delivered_on", "请填写送达日期（年-月-日）")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		f.Add("note", "说明不能超过500字")
	}
	if err := f.Err(); err != nil {
		return UnitReceipt{}, err
	}
	pub, err := receivable(ctx, tx, cycleID)
	if err != nil {
		return UnitReceipt{}, err
	}
	notified, today := localDay(pub.PublishedAt, loc), localDay(now, loc)
	if on.Before(notified) || on.After(today) {
		return UnitReceipt{}, apperr.InvalidField("delivered_on", "送达日期须在通知之日（"+notified.Format(time.DateOnly)+"）到今天之间")
	}
	before, err := findReceipt(ctx, tx, loc, now, pub, unitID)
	if err != nil {
		return UnitReceipt{}, err
	}
	if before.Kind != nil {
		if *before.Kind == BasisDelivered && *before.ReceivedOn == in.DeliveredOn {
			return before, nil
		}
		return UnitReceipt{}, apperr.New(apperr.Conflict, before.UnitName+"已于"+*before.ReceivedOn+ReceiptLabel(*before.Kind)+
			"（"+deref(before.RecordedBy)+"），不能再登记送达日期")
	}
	return insertReceipt(ctx, tx, actor, loc, now, pub, before, BasisDelivered, on, in.Note, "results.receipt_delivery")
}

func deref(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}

func insertReceipt(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, pub Publication,
	before UnitReceipt, kind string, on time.Time, note, action string) (UnitReceipt, error) {
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `INSERT INTO assessment_receipts (publication_id, unit_id, cycle_id, kind, received_on,
		recorded_by, recorded_at, note) VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8)`,
		pub.ID, before.UnitID, pub.CycleID, kind, on.Format(time.DateOnly), by, now, note); err != nil {
		return UnitReceipt{}, db.Err(err)
	}
	after, err := findReceipt(ctx, tx, loc, now, pub, before.UnitID)
	if err != nil {
		return UnitReceipt{}, err
	}
	return after, audit.Record(ctx, tx, actor, action, "cycle", strconv.FormatInt(pub.CycleID, 10), before, after)
}
