package results

import (
	"strconv"
	"time"

	"minyi/internal/workdays"
)

// How a unit's review window counts (Window.Basis).
const (
	// BasisSigned: from the day the unit signed for its result.
	BasisSigned = "signed"
	// BasisDelivered: from the day the office recorded it was delivered.
	BasisDelivered = "delivered"
	// BasisNotified: received neither way within the receipt days, the
	// window counts from the notification.
	BasisNotified = "notified"
	// BasisPending: not received yet, still within the receipt days; the
	// window has not started.
	BasisPending = "pending"
)

// WindowInput is what a unit's review window is counted from.
type WindowInput struct {
	// NotifiedOn is the local date the preliminary result was notified
	// (published).
	NotifiedOn time.Time
	// AppealDays is the window's length; ReceiptDays how long after the
	// notification a receipt still starts it (both working days).
	AppealDays, ReceiptDays int
	// ReceivedOn is the local date of the receipt (nil: none), Kind
	// BasisSigned or BasisDelivered.
	ReceivedOn *time.Time
	Kind       string
}

// Window is a unit's review window (申请复核期限).
type Window struct {
	Basis string
	// From is the day counted from (zero while pending); End the last day
	// a unit may apply (nil while pending).
	From time.Time
	End  *workdays.Due
	// ReceiptBy is the last day a receipt still starts the window; Latest
	// is the latest End can become (a receipt on ReceiptBy).
	ReceiptBy workdays.Due
	Latest    workdays.Due
	Days      int
}

// AppealWindow counts a unit's review window in working days with cal
// (000 § 22 "自收到", 002 § 20 "知道考核结果后"):
//
//   - received (signed or delivered) on a day up to ReceiptBy — ReceiptDays
//     working days after the notification — the window is AppealDays
//     working days after the receipt;
//   - not received by then (or received later), once ReceiptBy has passed
//     the window is AppealDays working days after the notification;
//   - not received and ReceiptBy not passed: pending, the window has not
//     started (a unit may apply meanwhile).
//
// The day counted from never counts itself (workdays.AddWorkdays). today
// is the local date now.
func AppealWindow(cal *workdays.Calendar, in WindowInput, today time.Time) (Window, error) {
	by, err := cal.AddWorkdays(in.NotifiedOn, in.ReceiptDays)
	if err != nil {
		return Window{}, err
	}
	latest, err := cal.AddWorkdays(by.Date, in.AppealDays)
	if err != nil {
		return Window{}, err
	}
	w := Window{ReceiptBy: by, Latest: latest, Days: in.AppealDays, Basis: BasisPending}
	switch {
	case in.ReceivedOn != nil && !in.ReceivedOn.After(by.Date):
		w.Basis, w.From = in.Kind, *in.ReceivedOn
	case today.After(by.Date):
		w.Basis, w.From = BasisNotified, in.NotifiedOn
	default:
		return w, nil
	}
	end, err := cal.AddWorkdays(w.From, in.AppealDays)
	if err != nil {
		return Window{}, err
	}
	w.End = &end
	return w, nil
}

// Open reports whether a unit may still apply on today: pending, or on or
// before End.
func (w Window) Open(today time.Time) bool {
	return w.End == nil || !today.After(w.End.Date)
}

// EndText is the window's last day, "" while pending.
func (w Window) EndText() string {
	if w.End == nil {
		return ""
	}
	return w.End.String()
}

// Provisional reports whether the window's dates are counted through a
// year without a working-day calendar.
func (w Window) Provisional() bool {
	return w.ReceiptBy.Provisional || w.End != nil && w.End.Provisional || w.End == nil && w.Latest.Provisional
}

// Text says how the window counts, in Chinese: "自签收之日（2026-12-08）起
// 5个工作日，截至2026-12-15".
func (w Window) Text() string {
	days := strconv.Itoa(w.Days) + "个工作日"
	from := w.From.Format(time.DateOnly)
	switch w.Basis {
	case BasisSigned:
		return "自签收之日（" + from + "）起" + days + "，截至" + w.End.String()
	case BasisDelivered:
		return "自送达之日（" + from + "）起" + days + "，截至" + w.End.String()
	case BasisNotified:
		return "逾期未签收，自通知之日（" + from + "）起" + days + "，截至" + w.End.String()
	}
	return "待签收：自签收之日起" + days + "；" + w.ReceiptBy.String() + "前未签收的，自通知之日起计算"
}
