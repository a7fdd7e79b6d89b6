// Package apitoken stores the API tokens of an outside party — a survey
// agency (internal/agencies), a business system (internal/bizsys): only a
// token's SHA-256 is stored with a short hint; the token is shown once,
// when issued, and revoked for good. Each party's tokens are a table of
// the same shape (id, <owner>, token_hash, token_hint, created_at,
// revoked_at, last_used_at); a Table names one, and its owner's package
// keeps its own token type, audit records and rules.
package apitoken

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Table is one party's token table.
type Table struct {
	// Name is the table, Owner its owner column, Prefix the start of every
	// token (so a leaked one is easy to spot).
	Name, Owner, Prefix string
}

// columns are the selected columns, the owner's under its own name.
func (t Table) columns() string {
	return "id, " + t.Owner + ", token_hint, created_at, revoked_at, last_used_at"
}

// Issue inserts a new token of the owner and returns its row (as T, by
// column name) with the token itself, which is not stored.
func Issue[T any](ctx context.Context, tx pgx.Tx, t Table, ownerID int64) (T, string, error) {
	token, hash, hint := secure.APIToken(t.Prefix)
	rows, _ := tx.Query(ctx, `INSERT INTO `+t.Name+` (`+t.Owner+`, token_hash, token_hint) VALUES ($1, $2, $3)
		RETURNING `+t.columns(), ownerID, hash, hint)
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	return row, token, db.Err(err)
}

// Revoke revokes one of the owner's tokens and returns it before and
// after; revoked reports whether this call revoked it (false: it was
// revoked before, and after is before). It returns not_found for a token
// that is not the owner's.
func Revoke[T any](ctx context.Context, tx pgx.Tx, t Table, ownerID, tokenID int64) (before, after T, revoked bool, err error) {
	rows, _ := tx.Query(ctx, `SELECT `+t.columns()+` FROM `+t.Name+` WHERE id = $1 AND `+t.Owner+` = $2 FOR UPDATE`,
		tokenID, ownerID)
	if before, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T]); err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "令牌不存在")
		}
		return before, after, false, err
	}
	rows, _ = tx.Query(ctx, `UPDATE `+t.Name+` SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
		RETURNING `+t.columns(), tokenID)
	after, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return before, before, false, nil
	}
	return before, after, err == nil, err
}

// List returns the owners' tokens, active ones first, newest first.
func List[T any](ctx context.Context, q db.DBTX, t Table, ownerIDs ...int64) ([]T, error) {
	rows, _ := q.Query(ctx, `SELECT `+t.columns()+` FROM `+t.Name+` WHERE `+t.Owner+` = ANY($1)
		ORDER BY revoked_at IS NOT NULL, id DESC`, ownerIDs)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	return list, db.Err(err)
}

// Use returns the row of a token in force and notes its use. It returns
// unauthorized with bad as its message for an unknown or revoked token.
func Use[T any](ctx context.Context, q db.DBTX, t Table, token, bad string) (T, error) {
	var zero T
	if !strings.HasPrefix(token, t.Prefix) {
		return zero, apperr.New(apperr.Unauthorized, bad)
	}
	rows, _ := q.Query(ctx, `UPDATE `+t.Name+` SET last_used_at = now()
		WHERE token_hash = $1 AND revoked_at IS NULL RETURNING `+t.columns(), secure.SHA256(token))
	row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return zero, apperr.New(apperr.Unauthorized, bad)
	}
	return row, err
}
