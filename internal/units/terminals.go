package units

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Terminal is a service-hall rating device. Only a hash of its bearer token
// is stored; the token is shown once, when the terminal is registered.
type Terminal struct {
	ID         int64      `json:"id" db:"id"`
	UnitID     int64      `json:"unit_id" db:"unit_id"`
	PointID    *int64     `json:"point_id" db:"point_id"`
	Name       string     `json:"name" db:"name"`
	TokenHint  string     `json:"token_hint" db:"token_hint"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at" db:"revoked_at"`
	LastSeenAt *time.Time `json:"last_seen_at" db:"last_seen_at"`
	// UnitAbolishedOn is the day the terminal's unit was abolished
	// (YYYY-MM-DD), nil while it exists: from that day it takes no ratings.
	UnitAbolishedOn *string `json:"unit_abolished_on" db:"unit_abolished_on"`
}

// TerminalInput registers a terminal.
type TerminalInput struct {
	Name    string `json:"name"`
	PointID *int64 `json:"point_id"`
}

// Validate returns an invalid error naming each bad field.
func (in TerminalInput) Validate() error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 {
		f.Add("name", "请填写评价器名称")
	} else if n > 100 {
		f.Add("name", "评价器名称不能超过100字")
	}
	return f.Err()
}

// TokenPrefix starts every terminal token, so a leaked one is easy to spot.
const TokenPrefix = "mt_"

const terminalColumns = `id, unit_id, point_id, name, token_hint, created_at, revoked_at, last_seen_at,
	(SELECT to_char(u.abolished_on, 'YYYY-MM-DD') FROM units u WHERE u.id = unit_id) AS unit_abolished_on`

// CreateTerminal registers a terminal of the unit (at the service point, when
// given) and returns it with its bearer token, which is not stored. It
// returns not_found for an unknown unit and invalid for a point of another unit.
func CreateTerminal(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64, in TerminalInput) (Terminal, string, error) {
	in.Name = strings.TrimSpace(in.Name)
	if err := in.Validate(); err != nil {
		return Terminal{}, "", err
	}
	if u, err := FindUnit(ctx, tx, unitID); err != nil {
		return Terminal{}, "", err
	} else if err := u.refuseNew("name", "评价器"); err != nil {
		return Terminal{}, "", err
	}
	if in.PointID != nil {
		p, err := FindPoint(ctx, tx, *in.PointID)
		if err != nil || p.UnitID != unitID {
			return Terminal{}, "", apperr.InvalidField("point_id", "服务点不属于该单位")
		}
	}
	token, hash, hint := secure.APIToken(TokenPrefix)
	rows, _ := tx.Query(ctx, `INSERT INTO terminals (unit_id, point_id, name, token_hash, token_hint)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+terminalColumns,
		unitID, in.PointID, in.Name, hash, hint)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Terminal])
	if err != nil {
		return Terminal{}, "", db.Err(err)
	}
	return t, token, audit.Record(ctx, tx, actor, "terminal.create", "terminal", strconv.FormatInt(t.ID, 10), nil, t)
}

// RevokeTerminal revokes the terminal's token; revoking twice is harmless.
// It returns not_found for an unknown terminal.
func RevokeTerminal(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64) (Terminal, error) {
	before, err := FindTerminal(ctx, tx, id)
	if err != nil {
		return Terminal{}, err
	}
	if before.RevokedAt != nil {
		return before, nil
	}
	rows, _ := tx.Query(ctx, `UPDATE terminals SET revoked_at = now() WHERE id = $1 RETURNING `+terminalColumns, id)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Terminal])
	if err != nil {
		return Terminal{}, db.Err(err)
	}
	return after, audit.Record(ctx, tx, actor, "terminal.revoke", "terminal", strconv.FormatInt(id, 10), before, after)
}

// FindTerminal returns the terminal, or not_found.
func FindTerminal(ctx context.Context, q db.DBTX, id int64) (Terminal, error) {
	rows, _ := q.Query(ctx, `SELECT `+terminalColumns+` FROM terminals WHERE id = $1`, id)
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Terminal])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Terminal{}, apperr.New(apperr.NotFound, "评价器不存在")
		}
	}
	return t, err
}

// FindTerminalByToken returns the active terminal holding token, or unauthorized.
func FindTerminalByToken(ctx context.Context, q db.DBTX, token string) (Terminal, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return Terminal{}, apperr.New(apperr.Unauthorized, "评价器令牌无效")
	}
	rows, _ := q.Query(ctx, `SELECT `+terminalColumns+` FROM terminals WHERE token_hash = $1 AND revoked_at IS NULL`,
		secure.SHA256(token))
	t, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Terminal])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.NotFound) {
			return Terminal{}, apperr.New(apperr.Unauthorized, "评价器令牌无效或已吊销")
		}
	}
	return t, err
}

// ListTerminals returns the unit's terminals, newest first.
func ListTerminals(ctx context.Context, q db.DBTX, unitID int64) ([]Terminal, error) {
	rows, _ := q.Query(ctx, `SELECT `+terminalColumns+` FROM terminals WHERE unit_id = $1 ORDER BY revoked_at IS NOT NULL, id DESC`, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Terminal])
	return list, db.Err(err)
}
