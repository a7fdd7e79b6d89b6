package audit

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
)

// Head is the chain's newest link as a checkpoint (MadeAt: now).
func Head(ctx context.Context, q db.DBTX, now time.Time) (Checkpoint, error) {
	var c Checkpoint
	var h []byte
	err := q.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head`).Scan(&c.Seq, &h)
	c.Hash, c.MadeAt = hex.EncodeToString(h), now
	return c, db.Err(err)
}

// Checkpoints are the stored checkpoints, newest first, at most limit.
func Checkpoints(ctx context.Context, q db.DBTX, limit int) ([]Checkpoint, error) {
	rows, _ := q.Query(ctx, `SELECT seq, hash, made_at FROM audit_checkpoints ORDER BY seq DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Checkpoint, error) {
		var c Checkpoint
		var h []byte
		err := r.Scan(&c.Seq, &h, &c.MadeAt)
		c.Hash = hex.EncodeToString(h)
		return c, err
	})
	return out, db.Err(err)
}

// MakeCheckpoint stores the head as the day's checkpoint unless one was
// made earlier on the same local day or the chain has not grown since the
// last; it reports whether it stored one. Safe to run from any instance:
// a checkpoint is keyed by its link.
func MakeCheckpoint(ctx context.Context, q db.DBTX, now time.Time, loc *time.Location) (bool, error) {
	head, err := Head(ctx, q, now)
	if err != nil || head.Seq == 0 {
		return false, err
	}
	var lastSeq int64
	var lastAt *time.Time
	if err := q.QueryRow(ctx, `SELECT coalesce(max(seq), 0), max(made_at) FROM audit_checkpoints`).
		Scan(&lastSeq, &lastAt); err != nil {
		return false, db.Err(err)
	}
	if head.Seq <= lastSeq || (lastAt != nil && sameDay(*lastAt, now, loc)) {
		return false, nil
	}
	h, _ := hex.DecodeString(head.Hash)
	tag, err := q.Exec(ctx, `INSERT INTO audit_checkpoints (seq, hash, made_at) VALUES ($1, $2, $3)
		ON CONFLICT (seq) DO NOTHING`, head.Seq, h, now)
	return err == nil && tag.RowsAffected() == 1, db.Err(err)
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	return a.In(loc).Format(time.DateOnly) == b.In(loc).Format(time.DateOnly)
}

// DailyUpkeep is the maintenance's part: the day's checkpoint, then, once
// a local day, a verification of the whole chain, recorded for the
// office's overview. A failed verification is recorded, not returned: the
// maintenance itself did its work.
func DailyUpkeep(ctx context.Context, pool *pgxpool.Pool, now time.Time, loc *time.Location) error {
	if _, err := MakeCheckpoint(ctx, pool, now, loc); err != nil {
		return err
	}
	last, err := LastVerification(ctx, pool)
	if err != nil || (last != nil && sameDay(last.StartedAt, now, loc)) {
		return err
	}
	v, err := Verify(ctx, pool, nil)
	if err != nil {
		return err
	}
	v.StartedAt = now
	return SaveVerification(ctx, pool, v)
}
