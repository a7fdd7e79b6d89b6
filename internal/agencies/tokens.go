package agencies

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apitoken"
	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// TokenPrefix starts every agency token, so a leaked one is easy to spot.
const TokenPrefix = "ma_"

// Token is an agency's API token. Only its hash is stored; the token itself
// is shown once, when it is issued.
type Token struct {
	ID         int64      `json:"id" db:"id"`
	AgencyID   int64      `json:"agency_id" db:"agency_id"`
	Hint       string     `json:"token_hint" db:"token_hint"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at" db:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at" db:"last_used_at"`
}

// tokens is the agencies' token table.
var tokens = apitoken.Table{Name: "survey_agency_tokens", Owner: "agency_id", Prefix: TokenPrefix}

// IssueToken issues a new API token to the agency and returns it with the
// token itself, which is not stored. It returns not_found for an unknown
// agency and invalid for a disabled one.
func IssueToken(ctx context.Context, tx pgx.Tx, actor audit.Actor, agencyID int64) (Token, string, error) {
	a, err := lockAgency(ctx, tx, agencyID)
	if err != nil {
		return Token{}, "", err
	}
	if a.Disabled() {
		return Token{}, "", apperr.New(apperr.Invalid, "该机构账号已停用，请先启用再签发令牌")
	}
	t, token, err := apitoken.Issue[Token](ctx, tx, tokens, agencyID)
	if err != nil {
		return Token{}, "", err
	}
	return t, token, audit.Record(ctx, tx, actor, "agency_token.issue", "agency", strconv.FormatInt(agencyID, 10), nil, t)
}

// RevokeToken revokes one of the agency's tokens; revoking twice is
// harmless. It returns not_found for a token that is not the agency's.
func RevokeToken(ctx context.Context, tx pgx.Tx, actor audit.Actor, agencyID, tokenID int64) (Token, error) {
	before, after, revoked, err := apitoken.Revoke[Token](ctx, tx, tokens, agencyID, tokenID)
	if err != nil || !revoked {
		return after, err
	}
	return after, audit.Record(ctx, tx, actor, "agency_token.revoke", "agency", strconv.FormatInt(agencyID, 10), before, after)
}

// ListTokens returns the agency's tokens, active ones first, newest first.
func ListTokens(ctx context.Context, q db.DBTX, agencyID int64) ([]Token, error) {
	return apitoken.List[Token](ctx, q, tokens, agencyID)
}

// Session is an authenticated agency request: the agency and the token used.
type Session struct {
	Agency Agency
	Token  Token
}

// Authenticate returns the agency holding token and notes the token's use.
// It returns unauthorized for an unknown or revoked token and for a
// disabled agency.
func Authenticate(ctx context.Context, q db.DBTX, token string) (Session, error) {
	t, err := apitoken.Use[Token](ctx, q, tokens, token, "机构令牌无效或已吊销")
	if err != nil {
		return Session{}, err
	}
	a, err := FindAgency(ctx, q, t.AgencyID)
	if err != nil {
		return Session{}, err
	}
	if a.Disabled() {
		return Session{}, apperr.New(apperr.Unauthorized, "该机构账号已停用")
	}
	return Session{Agency: a, Token: t}, nil
}
