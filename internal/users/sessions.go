package users

import (
	"context"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Session is a signed-in user's session; only a hash of its token is stored,
// so sessions live in Postgres and any instance can serve any request.
type Session struct {
	Token     string
	CSRFToken string
	User      User
	ExpiresAt time.Time
}

// CreateSession starts a session for the user that lasts ttl.
func CreateSession(ctx context.Context, q db.DBTX, u User, ttl time.Duration) (Session, error) {
	s := Session{Token: secure.Token(32), CSRFToken: secure.Token(24), User: u, ExpiresAt: time.Now().Add(ttl)}
	_, err := q.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)`,
		secure.SHA256(s.Token), u.ID, s.CSRFToken, s.ExpiresAt)
	return s, db.Err(err)
}

// FindSession returns the live session with the token, or unauthorized.
func FindSession(ctx context.Context, q db.DBTX, token string) (Session, error) {
	if token == "" {
		return Session{}, apperr.New(apperr.Unauthorized, "请先登录")
	}
	const sql = `SELECT s.csrf_token, s.expires_at, u.id, u.username, u.password_hash, u.role, u.unit_id, u.created_at, u.disabled_at
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`
	s := Session{Token: token}
	u := &s.User
	err := q.QueryRow(ctx, sql, secure.SHA256(token)).Scan(&s.CSRFToken, &s.ExpiresAt,
		&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.UnitID, &u.CreatedAt, &u.DisabledAt)
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Session{}, apperr.New(apperr.Unauthorized, "登录已过期，请重新登录")
		}
		return Session{}, err
	}
	return s, nil
}

// DeleteSession ends the session with the token; ending an unknown one is not an error.
func DeleteSession(ctx context.Context, q db.DBTX, token string) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, secure.SHA256(token))
	return db.Err(err)
}

// DeleteExpiredSessions removes sessions past their expiry and returns how many.
func DeleteExpiredSessions(ctx context.Context, q db.DBTX) (int64, error) {
	tag, err := q.Exec(ctx, `DELETE FROM sessions WHERE expires_at < now()`)
	return tag.RowsAffected(), db.Err(err)
}
