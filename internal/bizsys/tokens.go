package bizsys

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// TokenPrefix starts every business system's token, so a leaked one is
// easy to spot.
const TokenPrefix = "mb_"

// Token is a business system's API token. Only its hash is stored; the
// token itself is shown once, when it is issued.
type Token struct {
	ID         int64      `json:"id" db:"id"`
	SystemID   int64      `json:"system_id" db:"system_id"`
	Hint       string     `json:"token_hint" db:"token_hint"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at" db:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at" db:"last_used_at"`
}

const tokenColumns = `id, system_id, token_hint, created_at, revoked_at, last_used_at`

// IssueToken issues a new token to the system and returns it with the
// token itself, which is not stored. It returns not_found for an unknown
// system and invalid for a disabled one.
func IssueToken(ctx context.Context, tx pgx.Tx, actor audit.Actor, systemID int64) (Token, string, error) {
	s, err := lock(ctx, tx, systemID)
	if err != nil {
		return Token{}, "", err
	}
	if s.Disabled() {
		return Token{}, "", apperr.New(apperr.Invalid, "该业务系统已停用，请先启用再签发令牌")
	}
	token, hash, hint := secure.APIToken(TokenPrefix)
	rows, _ := tx.Query(ctx, `INSERT INTO business_system_tokens (system_id, token_hash, token_hint)
		VALUES ($1, $2, $3) RETURNING `+tokenColumns, systemID, hash, hint)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if err != nil {
		return Token{}, "", db.Err(err)
	}
	return t, token, audit.Record(ctx, tx, actor, "business_system_token.issue", "business_system", idText(systemID), nil, t)
}

// RevokeToken revokes one of the system's tokens; revoking twice is
// harmless. It returns not_found for a token that is not the system's.
func RevokeToken(ctx context.Context, tx pgx.Tx, actor audit.Actor, systemID, tokenID int64) (Token, error) {
	rows, _ := tx.Query(ctx, `UPDATE business_system_tokens SET revoked_at = coalesce(revoked_at, now())
		WHERE id = $1 AND system_id = $2 RETURNING `+tokenColumns, tokenID, systemID)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Token])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return Token{}, apperr.New(apperr.NotFound, "令牌不存在")
		}
		return Token{}, err
	}
	return t, audit.Record(ctx, tx, actor, "business_system_token.revoke", "business_system", idText(systemID),
		nil, map[string]any{"token_hint": t.Hint})
}

// ListTokens returns the tokens of the given systems, active ones first,
// newest first.
func ListTokens(ctx context.Context, q db.DBTX, systemIDs []int64) ([]Token, error) {
	rows, _ := q.Query(ctx, `SELECT `+tokenColumns+` FROM business_system_tokens WHERE system_id = ANY($1)
		ORDER BY revoked_at IS NOT NULL, id DESC`, systemIDs)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Token])
	return list, db.Err(err)
}

// Authenticate returns the system holding token and notes the token's
// use. It returns unauthorized for an unknown or revoked token and for a
// disabled system.
func Authenticate(ctx context.Context, q db.DBTX, token string) (System, error) {
	bad := apperr.New(apperr.Unauthorized, "业务系统令牌无效或已吊销")
	if !strings.HasPrefix(token, TokenPrefix) {
		return System{}, bad
	}
	var id int64
	err := q.QueryRow(ctx, `UPDATE business_system_tokens SET last_used_at = now()
		WHERE token_hash = $1 AND revoked_at IS NULL RETURNING system_id`, secure.SHA256(token)).Scan(&id)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return System{}, bad
		}
		return System{}, err
	}
	s, err := Find(ctx, q, id)
	if err != nil {
		return System{}, err
	}
	if s.Disabled() {
		return System{}, apperr.New(apperr.Unauthorized, "该业务系统已停用")
	}
	return s, nil
}
