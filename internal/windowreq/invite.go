package windowreq

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/citizensms"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// The SMS invitation (主动邀评): a request that expired unanswered and
// carried the applicant's mobile number gets, once, an SMS with a
// one-time link to rate the case (/w/{token}), when the office switched
// the invitations on.

// InviteValid is how long an invitation's link may be used.
const InviteValid = 72 * time.Hour

// inviteWithin is how long after its expiry a request is still invited:
// one that expired while the invitations were off gets none later.
const inviteWithin = 24 * time.Hour

// InviteExpired sends the invitation of every request expired within the
// last day, unanswered, with a phone and not yet invited, through sms
// (recorded in its outbox, sent by its worker), with links under base
// (PUBLIC_BASE_URL). It returns how many were invited; none while the
// gateway is not configured or the office has the invitations off.
func InviteExpired(ctx context.Context, pool *pgxpool.Pool, sms *citizensms.Service, keys *secure.Keys, base string,
	now time.Time) (int, error) {
	n := 0
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		if on, err := sms.WindowInviteOn(ctx, tx); err != nil || !on {
			return err
		}
		type due struct {
			ID       uuid.UUID `db:"id"`
			PhoneEnc []byte    `db:"phone_enc"`
			Unit     string    `db:"unit"`
		}
		rows, _ := tx.Query(ctx, `SELECT w.id, w.phone_enc, u.name AS unit FROM window_requests w
			JOIN units u ON u.id = w.unit_id
			WHERE w.phone_enc IS NOT NULL AND w.invited_at IS NULL AND w.rating_id IS NULL
			  AND w.expires_at <= $1 AND w.expires_at > $2
			ORDER BY w.expires_at LIMIT 1000 FOR UPDATE OF w SKIP LOCKED`, now, now.Add(-inviteWithin))
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[due])
		if err != nil {
			return db.Err(err)
		}
		for _, d := range list {
			phone, err := keys.Decrypt(d.PhoneEnc)
			if err != nil {
				continue // sealed under another SECRET_KEY: nothing to send to
			}
			token := secure.Token(16)
			if _, err := tx.Exec(ctx, `UPDATE window_requests SET invite_token_hash = $2, invited_at = $3 WHERE id = $1`,
				d.ID, secure.SHA256(token), now); err != nil {
				return db.Err(err)
			}
			added, err := sms.WindowInvite(ctx, tx, base, d.ID.String(), phone, d.Unit, base+"/w/"+token, now)
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		return nil
	})
	return n, err
}

// FindByInvite returns the request whose invitation link carries token,
// or not_found.
func FindByInvite(ctx context.Context, q db.DBTX, token string) (Request, error) {
	rows, _ := q.Query(ctx, `SELECT `+columns+` FROM window_requests WHERE invite_token_hash = $1`, secure.SHA256(token))
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Request])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return Request{}, apperr.New(apperr.NotFound, "评价链接无效")
	}
	return r, err
}

// InviteOpen reports whether the request's invitation link may still be
// used at now.
func (r Request) InviteOpen(now time.Time) bool {
	return r.InvitedAt != nil && now.Before(r.InvitedAt.Add(InviteValid))
}
