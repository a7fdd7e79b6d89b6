// Package office holds what the performance office says about itself on
// what it prints: the name its letters are signed with (落款). One row,
// edited by the office, audited.
package office

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// DefaultSigner signs the letters until the office names itself.
const DefaultSigner = "绩效管理工作机构"

// Profile is the office's name as its letters are signed.
type Profile struct {
	Name      string    `json:"name" db:"name"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// Signer is the name the letters are signed with.
func (p Profile) Signer() string {
	if p.Name != "" {
		return p.Name
	}
	return DefaultSigner
}

// Find returns the profile.
func Find(ctx context.Context, q db.DBTX) (Profile, error) {
	rows, _ := q.Query(ctx, `SELECT name, updated_at FROM office_profile WHERE id = 1`)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Profile])
	return p, db.Err(err)
}

// Save sets the office's name (up to 60 characters; empty goes back to
// DefaultSigner); the same name again changes nothing. Audited.
func Save(ctx context.Context, tx pgx.Tx, actor audit.Actor, name string, now time.Time) (Profile, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > 60 {
		return Profile{}, apperr.InvalidField("name", "单位名称不能超过60字")
	}
	before, err := Find(ctx, tx)
	if err != nil || before.Name == name {
		return before, err
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE office_profile SET name = $1, updated_by = $2, updated_at = $3 WHERE id = 1`,
		name, by, now); err != nil {
		return Profile{}, db.Err(err)
	}
	after := Profile{Name: name, UpdatedAt: now}
	return after, audit.Record(ctx, tx, actor, "office_profile.save", "office_profile", "1", before, after)
}
