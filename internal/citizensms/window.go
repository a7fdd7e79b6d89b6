package citizensms

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/notify"
)

// WindowInviteOn reports whether invitations to the applicants of expired
// window requests go out: the gateway is configured and the office
// switched them on.
func (s *Service) WindowInviteOn(ctx context.Context, tx pgx.Tx) (bool, error) {
	return s.switchedOn(ctx, tx, KindWindowInvite)
}

// WindowInvite records the invitation (主动邀评) of the applicant of the
// window request requestID, at phone, to rate the unit's service through
// link: one message per request, however often it is called. It reports
// whether a message was added (not for a landline or a repeat).
func (s *Service) WindowInvite(ctx context.Context, tx pgx.Tx, base, requestID, phone, unit, link string,
	now time.Time) (bool, error) {
	text, err := notify.SMSText(ctx, tx, KindWindowInvite)
	if err != nil {
		return false, err
	}
	m := message{kind: KindWindowInvite, key: KindWindowInvite + ":" + requestID, phone: phone, text: text,
		values: Values{phUnit: clip(unit, 20), phLink: link}}
	return s.record(ctx, tx, base, m, now)
}
