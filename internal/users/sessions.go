package users

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/safetext"
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
	return SignIn(ctx, q, u, ttl, "", "")
}

// SignIn starts a session for the user that lasts ttl, opened from the
// browser agent at the address (kept, cut to 200 characters, so the
// account's sessions can be told apart), and records the sign-in.
func SignIn(ctx context.Context, q db.DBTX, u User, ttl time.Duration, agent, address string) (Session, error) {
	s := Session{Token: secure.Token(32), CSRFToken: secure.Token(24), User: u, ExpiresAt: time.Now().Add(ttl)}
	_, err := q.Exec(ctx, `WITH signed AS (UPDATE users SET last_sign_in_at = now() WHERE id = $2)
		INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at, user_agent, address)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		secure.SHA256(s.Token), u.ID, s.CSRFToken, s.ExpiresAt, clip(agent, 200), clip(address, 64))
	return s, db.Err(err)
}

// clip cuts s to at most n runes of safe text.
func clip(s string, n int) string {
	if !safetext.Valid(s) {
		return ""
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// SessionInfo is one of an account's live sessions as staff see it.
type SessionInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	UserAgent string    `json:"user_agent"`
	Address   string    `json:"address"`
	Current   bool      `json:"current"`
}

// sessionID names a session by the start of its token's hash: enough to
// tell an account's sessions apart, useless for signing in.
const sessionID = `substr(encode(s.token_hash, 'hex'), 1, 16)`

// ListSessions returns the user's live sessions, newest first; current is
// the token of the session asking ("" for none).
func ListSessions(ctx context.Context, q db.DBTX, userID int64, current string) ([]SessionInfo, error) {
	rows, _ := q.Query(ctx, `SELECT `+sessionID+` AS id, s.created_at, s.expires_at, s.user_agent, s.address,
		s.token_hash = $2 AS current
		FROM sessions s WHERE s.user_id = $1 AND s.expires_at > now() ORDER BY s.created_at DESC LIMIT 100`,
		userID, secure.SHA256(current))
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SessionInfo])
	return list, db.Err(err)
}

// EndSession ends the user's session named id (SessionInfo.ID); ending one
// that is gone already is not an error.
func EndSession(ctx context.Context, q db.DBTX, userID int64, id string) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions s WHERE s.user_id = $1 AND `+sessionID+` = $2`, userID, id)
	return db.Err(err)
}

// EndSessions ends every session of the user but the one with the token
// keep ("" ends them all).
func EndSessions(ctx context.Context, q db.DBTX, userID int64, keep string) error {
	_, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, secure.SHA256(keep))
	return db.Err(err)
}

// FindSession returns the live session with the token, or unauthorized.
func FindSession(ctx context.Context, q db.DBTX, token string) (Session, error) {
	if token == "" {
		return Session{}, apperr.New(apperr.Unauthorized, "请先登录")
	}
	const sql = `SELECT s.csrf_token, s.expires_at, ` + userCols + `
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`
	s := Session{Token: token}
	u := &s.User
	err := q.QueryRow(ctx, sql, secure.SHA256(token)).Scan(&s.CSRFToken, &s.ExpiresAt,
		&u.ID, &u.Username, &u.PasswordHash, &u.Role, &u.UnitID, &u.Name, &u.Mobile, &u.Email,
		&u.NotifyChannels, &u.MustChangePassword, &u.LastSignInAt, &u.CreatedAt, &u.DisabledAt)
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
