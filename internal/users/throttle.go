package users

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// Backoff is how sign-in failures of one throttle key (an account, or a
// known browser of an account) slow further attempts down: after Free
// consecutive failures each failure makes the key wait, Base after the
// first one past Free and twice as long after each further one, never
// longer than Max. It is a delay, never a lock: once the wait passes the
// next attempt is checked, and a success starts the count again. A key
// that had no failure for Forget starts again too.
type Backoff struct {
	Free   int
	Base   time.Duration
	Max    time.Duration
	Forget time.Duration
}

// LoginBackoff is the sign-in back-off: five free failures, then 1 s, 2 s,
// 4 s … up to 15 minutes, forgotten after a quiet day. An attacker gets at
// most about 20 guesses in the first hour and 4 an hour after that.
var LoginBackoff = Backoff{Free: 5, Base: time.Second, Max: 15 * time.Minute, Forget: 24 * time.Hour}

// Wait returns how long the key must wait after its failures-th
// consecutive failure: zero up to Free, then doubling from Base, capped
// at Max.
func (b Backoff) Wait(failures int) time.Duration {
	if failures <= b.Free {
		return 0
	}
	d := b.Base
	for i := b.Free + 1; i < failures && d < b.Max; i++ {
		if d > b.Max/2 {
			return b.Max // doubling would pass Max, or overflow
		}
		d *= 2
	}
	return min(d, b.Max)
}

// ClaimLoginAttempt counts one sign-in attempt against the throttle key as
// a failure before the password is checked, so that attempts sent in
// parallel cannot all slip in before the first failure is recorded; a
// success undoes it with ClearLoginFailures. When the key is still
// waiting it counts nothing and returns how long is left; otherwise it
// returns 0 and the attempt may go ahead. It returns the store's error
// when Postgres fails.
func ClaimLoginAttempt(ctx context.Context, tx pgx.Tx, key []byte, b Backoff, now time.Time) (time.Duration, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO login_backoff (throttle_key, failures, last_failed_at)
		VALUES ($1, 0, $2) ON CONFLICT DO NOTHING`, key, now); err != nil {
		return 0, db.Err(err)
	}
	var failures int
	var last time.Time
	var lockedUntil *time.Time
	err := tx.QueryRow(ctx, `SELECT failures, last_failed_at, locked_until FROM login_backoff
		WHERE throttle_key = $1 FOR UPDATE`, key).Scan(&failures, &last, &lockedUntil)
	if err != nil {
		return 0, db.Err(err)
	}
	if lockedUntil != nil && now.Before(*lockedUntil) {
		return lockedUntil.Sub(now), nil
	}
	if now.Sub(last) >= b.Forget {
		failures = 0
	}
	failures++
	lockedUntil = nil
	if w := b.Wait(failures); w > 0 {
		until := now.Add(w)
		lockedUntil = &until
	}
	_, err = tx.Exec(ctx, `UPDATE login_backoff SET failures = $2, last_failed_at = $3, locked_until = $4
		WHERE throttle_key = $1`, key, failures, now, lockedUntil)
	return 0, db.Err(err)
}

// ClearLoginFailures forgets the key's failures after a successful sign-in.
func ClearLoginFailures(ctx context.Context, q db.DBTX, key []byte) error {
	_, err := q.Exec(ctx, `DELETE FROM login_backoff WHERE throttle_key = $1`, key)
	return db.Err(err)
}

// CountAddressAttempt counts one sign-in attempt from the address key in
// the current fixed window of period and returns how long until the
// window ends once more than limit attempts fell in it, else 0. It is the
// per-address limit's durable fallback while Redis cannot be asked.
func CountAddressAttempt(ctx context.Context, q db.DBTX, key []byte, limit int64, period time.Duration, now time.Time) (time.Duration, error) {
	start := now.Truncate(period)
	end := start.Add(period)
	var n int64
	err := q.QueryRow(ctx, `INSERT INTO login_address_windows AS w (address_key, window_start, window_end, attempts)
		VALUES ($1, $2, $3, 1)
		ON CONFLICT (address_key, window_start) DO UPDATE SET attempts = w.attempts + 1
		RETURNING attempts`, key, start, end).Scan(&n)
	if err != nil {
		return 0, db.Err(err)
	}
	if n > limit {
		return end.Sub(now), nil
	}
	return 0, nil
}

// PruneLoginThrottle deletes back-off rows with no failure for b.Forget
// that no longer wait, and address windows that have ended, and returns
// how many rows it deleted. Maintenance calls it hourly.
func PruneLoginThrottle(ctx context.Context, q db.DBTX, b Backoff, now time.Time) (int64, error) {
	tag, err := q.Exec(ctx, `DELETE FROM login_backoff
		WHERE last_failed_at < $1 AND (locked_until IS NULL OR locked_until < $2)`, now.Add(-b.Forget), now)
	if err != nil {
		return 0, db.Err(err)
	}
	n := tag.RowsAffected()
	tag, err = q.Exec(ctx, `DELETE FROM login_address_windows WHERE window_end < $1`, now)
	return n + tag.RowsAffected(), db.Err(err)
}
