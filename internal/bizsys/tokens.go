package bizsys

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apitoken"
	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
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

// tokens is the business systems' token table.
var tokens = apitoken.Table{Name: "business_system_tokens", Owner: "system_id", Prefix: TokenPrefix}

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
	t, token, err := apitoken.Issue[Token](ctx, tx, tokens, systemID)
	if err != nil {
		return Token{}, "", err
	}
	return t, token, audit.Record(ctx, tx, actor, "business_system_token.issue", "business_system", idText(systemID), nil, t)
}

// RevokeToken revokes one of the system's tokens; revoking twice is
// harmless. It returns not_found for a token that is not the system's.
func RevokeToken(ctx context.Context, tx pgx.Tx, actor audit.Actor, systemID, tokenID int64) (Token, error) {
	before, after, revoked, err := apitoken.Revoke[Token](ctx, tx, tokens, systemID, tokenID)
	if err != nil || !revoked {
		return after, err
	}
	return after, audit.Record(ctx, tx, actor, "business_system_token.revoke", "business_system", idText(systemID), before, after)
}

// ListTokens returns the tokens of the given systems, active ones first,
// newest first.
func ListTokens(ctx context.Context, q db.DBTX, systemIDs []int64) ([]Token, error) {
	return apitoken.List[Token](ctx, q, tokens, systemIDs...)
}

// Authenticate returns the system holding token and notes the token's
// use. It returns unauthorized for an unknown or revoked token and for a
// disabled system.
func Authenticate(ctx context.Context, q db.DBTX, token string) (System, error) {
	t, err := apitoken.Use[Token](ctx, q, tokens, token, "业务系统令牌无效或已吊销")
	if err != nil {
		return System{}, err
	}
	s, err := Find(ctx, q, t.SystemID)
	if err != nil {
		return System{}, err
	}
	if s.Disabled() {
		return System{}, apperr.New(apperr.Unauthorized, "该业务系统已停用")
	}
	return s, nil
}
