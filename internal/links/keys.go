package links

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Key is an integration's signing key as the console lists it; its
// secret is shown once, when made (NewKey).
type Key struct {
	KeyID         string     `json:"key_id" db:"key_id"`
	IntegrationID int64      `json:"integration_id" db:"integration_id"`
	CreatedAt     time.Time  `json:"created_at" db:"created_at"`
	RevokedAt     *time.Time `json:"revoked_at" db:"revoked_at"`
}

// NewKey makes a signing key for the integration: a key id ("lk" and 16
// hex digits) and a secret of 32 random bytes (base64url, 43 characters),
// stored sealed with keys (secure.Keys.Encrypt) because verifying a link
// needs the secret itself, audited without the secret. It returns the
// secret, the only time it is shown, or not_found for an unknown
// integration.
func NewKey(ctx context.Context, tx pgx.Tx, keys *secure.Keys, actor audit.Actor, integrationID int64) (Key, string, error) {
	if _, err := FindIntegration(ctx, tx, integrationID); err != nil {
		return Key{}, "", err
	}
	b := make([]byte, 8)
	rand.Read(b)
	kid, secret := "lk"+hex.EncodeToString(b), secure.Token(32)
	rows, _ := tx.Query(ctx, `INSERT INTO rating_link_keys (key_id, integration_id, secret_enc) VALUES ($1, $2, $3)
		RETURNING key_id, integration_id, created_at, revoked_at`, kid, integrationID, keys.Encrypt(secret))
	k, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Key])
	if err != nil {
		return k, "", db.Err(err)
	}
	err = audit.Record(ctx, tx, actor, "link_key.create", "link_integration", itoa(integrationID), nil,
		map[string]string{"key_id": kid})
	return k, secret, err
}

// ListKeys returns the integration's keys, the live ones first, newest
// first.
func ListKeys(ctx context.Context, q db.DBTX, integrationID int64) ([]Key, error) {
	rows, _ := q.Query(ctx, `SELECT key_id, integration_id, created_at, revoked_at FROM rating_link_keys
		WHERE integration_id = $1 ORDER BY revoked_at IS NOT NULL, created_at DESC, key_id`, integrationID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Key])
	return list, db.Err(err)
}

// RevokeKey revokes the integration's key: links it signed are refused
// from then on. Revoking a revoked key does nothing; an unknown key, or
// one of another integration, is not_found.
func RevokeKey(ctx context.Context, tx pgx.Tx, actor audit.Actor, integrationID int64, keyID string) error {
	tag, err := tx.Exec(ctx, `UPDATE rating_link_keys SET revoked_at = now()
		WHERE key_id = $1 AND integration_id = $2 AND revoked_at IS NULL`, keyID, integrationID)
	if err != nil {
		return db.Err(err)
	}
	if tag.RowsAffected() == 0 {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM rating_link_keys WHERE key_id = $1 AND integration_id = $2`,
			keyID, integrationID).Scan(&n); err != nil || n == 0 {
			return apperr.New(apperr.NotFound, "密钥不存在")
		}
		return nil
	}
	return audit.Record(ctx, tx, actor, "link_key.revoke", "link_integration", itoa(integrationID), nil,
		map[string]string{"key_id": keyID})
}

// Signer is what verifying a link needs of its key: the integration and
// the key's secret.
type Signer struct {
	Integration Integration
	Secret      string
}

// FindSigner returns the live key's integration and secret, or not_found
// for an unknown or revoked key.
func FindSigner(ctx context.Context, q db.DBTX, keys *secure.Keys, keyID string) (Signer, error) {
	var s Signer
	var enc []byte
	err := q.QueryRow(ctx, `SELECT i.id, i.name, i.pf, i.origins, i.enabled, k.secret_enc
		FROM rating_link_keys k JOIN rating_link_integrations i ON i.id = k.integration_id
		WHERE k.key_id = $1 AND k.revoked_at IS NULL`, keyID).
		Scan(&s.Integration.ID, &s.Integration.Name, &s.Integration.PF, &s.Integration.Origins, &s.Integration.Enabled, &enc)
	if err == pgx.ErrNoRows {
		return s, apperr.New(apperr.NotFound, "密钥不存在")
	}
	if err != nil {
		return s, db.Err(err)
	}
	s.Secret, err = keys.Decrypt(enc)
	return s, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
