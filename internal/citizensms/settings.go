package citizensms

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
)

// Settings are the office's switches of the automatic kinds; the first
// two are on by default, so configuring the SMS gateway is enough to
// start; the window invitation (主动邀评) is off until the office turns
// it on.
type Settings struct {
	CaseFollowup   bool `json:"case_followup" db:"case_followup"`
	CallbackNotice bool `json:"callback_notice" db:"callback_notice"`
	WindowInvite   bool `json:"window_invite" db:"window_invite"`
}

// LoadSettings reads the switches.
func LoadSettings(ctx context.Context, q db.DBTX) (Settings, error) {
	var st Settings
	err := q.QueryRow(ctx, `SELECT case_followup, callback_notice, window_invite FROM citizen_sms_settings`).
		Scan(&st.CaseFollowup, &st.CallbackNotice, &st.WindowInvite)
	return st, db.Err(err)
}

// switchedOn reports whether the SMS gateway is configured and the office
// lets kind go out.
func (s *Service) switchedOn(ctx context.Context, tx pgx.Tx, kind string) (bool, error) {
	if s == nil || !s.Enabled {
		return false, nil
	}
	st, err := LoadSettings(ctx, tx)
	switch kind {
	case KindCaseFollowup:
		return st.CaseFollowup, err
	case KindCallbackNotice:
		return st.CallbackNotice, err
	case KindWindowInvite:
		return st.WindowInvite, err
	}
	return true, err
}

// SaveSettings stores the switches, audited; saving the same values again
// changes nothing.
func SaveSettings(ctx context.Context, tx pgx.Tx, actor audit.Actor, st Settings, now time.Time) error {
	before, err := LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	if before == st {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE citizen_sms_settings SET case_followup = $1, callback_notice = $2, window_invite = $3,
		updated_at = $4`, st.CaseFollowup, st.CallbackNotice, st.WindowInvite, now); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "citizen_sms.settings", "citizen_sms_settings", "1", before, st)
}
