package audit

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/db"
)

// Verification is the outcome of walking the chain. Problem names, in the
// office's words, the first link that does not verify; BadSeq and
// BadEntry are its link and entry, when it has them.
type Verification struct {
	StartedAt time.Time     `json:"started_at"`
	Took      time.Duration `json:"-"`
	OK        bool          `json:"ok"`
	Checked   int64         `json:"checked"`
	HeadSeq   int64         `json:"head_seq"`
	HeadHash  string        `json:"head_hash"`
	Problem   string        `json:"problem,omitempty"`
	BadSeq    *int64        `json:"bad_seq,omitempty"`
	BadEntry  *int64        `json:"bad_entry,omitempty"`
}

// TookMS is the walk's duration in milliseconds, for the JSON answer.
func (v Verification) TookMS() int64 { return v.Took.Milliseconds() }

func (v *Verification) fail(seq, entry int64, problem string) {
	v.OK, v.Problem = false, problem
	if seq > 0 {
		v.BadSeq = &seq
	}
	if entry > 0 {
		v.BadEntry = &entry
	}
}

func entryName(id int64) string { return "审计记录第" + strconv.FormatInt(id, 10) + "号" }
func linkName(seq int64) string { return "链第" + strconv.FormatInt(seq, 10) + "环" }

// Verify walks the whole chain in one snapshot and recomputes every link
// from the stored entry: it stops at the first link that does not verify
// (an entry changed or moved, a link or an entry deleted, a link out of
// order), then checks the head, that no entry lies outside the chain (one
// inserted with the chain's trigger switched off) and that the chain
// still passes through every stored checkpoint and every one given (kept
// by an auditor outside the system: a chain rewritten from an early entry
// onwards is consistent in itself, but not with those). A failed walk is
// a finding, not an error; the error is for a database that cannot be
// read.
func Verify(ctx context.Context, pool *pgxpool.Pool, given []Checkpoint) (Verification, error) {
	v := Verification{StartedAt: time.Now(), OK: true}
	err := db.ReadSnapshot(ctx, pool, func(tx pgx.Tx) error {
		if err := db.NoStatementTimeout(ctx, tx); err != nil {
			return err
		}
		var headHash []byte
		if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head`).Scan(&v.HeadSeq, &headHash); err != nil {
			return err
		}
		v.HeadHash = hex.EncodeToString(headHash)
		marks, err := checkpointMarks(ctx, tx, given)
		if err != nil {
			return err
		}
		last, lastHash, err := walk(ctx, tx, &v, marks)
		if err != nil || !v.OK {
			return err
		}
		switch {
		case last != v.HeadSeq || !bytes.Equal(lastHash, headHash):
			v.fail(v.HeadSeq, 0, "链头（第"+strconv.FormatInt(v.HeadSeq, 10)+"环）与链的最后一环（第"+
				strconv.FormatInt(last, 10)+"环）不符：链尾的记录被删除或链头被改动")
			return nil
		}
		for seq := range marks {
			if seq > last {
				v.fail(seq, 0, "检查点"+linkName(seq)+"超出了现在的链长（"+strconv.FormatInt(last, 10)+"环）：链被截短")
				return nil
			}
		}
		var outside, first int64
		if err := tx.QueryRow(ctx, `SELECT count(*), coalesce(min(l.id), 0) FROM audit_log l
			WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.entry_id = l.id)`).Scan(&outside, &first); err != nil {
			return err
		}
		if outside > 0 {
			v.fail(0, first, strconv.FormatInt(outside, 10)+"条审计记录不在链中（最早的是"+entryName(first)+
				"）：它们是绕过链接直接写入数据库的")
		}
		return nil
	})
	v.Took = time.Since(v.StartedAt)
	return v, db.Err(err)
}

// checkpointMarks are the hashes the chain must have at given links: the
// stored daily checkpoints and those given. Two different hashes for one
// link cannot both hold; the given one wins, as the one kept outside.
func checkpointMarks(ctx context.Context, tx pgx.Tx, given []Checkpoint) (map[int64][]byte, error) {
	marks := map[int64][]byte{}
	rows, _ := tx.Query(ctx, `SELECT seq, hash FROM audit_checkpoints`)
	var seq int64
	var h []byte
	if _, err := pgx.ForEachRow(rows, []any{&seq, &h}, func() error {
		marks[seq] = bytes.Clone(h)
		return nil
	}); err != nil {
		return nil, err
	}
	for _, c := range given {
		b, err := hex.DecodeString(c.Hash)
		if err != nil {
			return nil, errors.New("audit: checkpoint hash is not hexadecimal")
		}
		marks[c.Seq] = b
	}
	return marks, nil
}

// walk recomputes the links in order and returns the last link's number
// and hash; it stops at the first problem, recorded in v.
func walk(ctx context.Context, tx pgx.Tx, v *Verification, marks map[int64][]byte) (int64, []byte, error) {
	rows, err := tx.Query(ctx, `SELECT c.seq, c.entry_id, c.hash, l.id, l.at, l.actor_id, l.actor, l.action,
			l.entity, l.entity_id, l.before::text, l.after::text
		FROM audit_chain c LEFT JOIN audit_log l ON l.id = c.entry_id ORDER BY c.seq`)
	if err != nil {
		return 0, nil, err
	}
	defer rows.Close()
	prev, last := genesis, int64(0)
	for rows.Next() {
		var seq, entryID int64
		var stored []byte
		var id *int64
		var at *time.Time
		var actor, action, entity, entityID *string
		var e chained
		if err := rows.Scan(&seq, &entryID, &stored, &id, &at, &e.ActorID, &actor, &action, &entity, &entityID,
			&e.Before, &e.After); err != nil {
			return 0, nil, err
		}
		switch {
		case seq != last+1:
			v.fail(last+1, 0, linkName(last+1)+"缺失：链中的记录被删除")
		case id == nil:
			v.fail(seq, entryID, entryName(entryID)+"（"+linkName(seq)+"）已被删除")
		default:
			e.ID, e.At, e.Actor, e.Action, e.Entity, e.EntityID = *id, *at, *actor, *action, *entity, *entityID
			prev = e.link(prev)
			if !bytes.Equal(prev, stored) {
				v.fail(seq, entryID, entryName(entryID)+"（"+linkName(seq)+"）与链不符：记录在写入后被修改、调换，或链被改动")
			} else if m, ok := marks[seq]; ok && !bytes.Equal(m, stored) {
				v.fail(seq, entryID, linkName(seq)+"与检查点不符：此前的链被整体改写")
			}
		}
		if !v.OK {
			return last, prev, nil
		}
		last = seq
		v.Checked++
		if v.Checked%100_000 == 0 && ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
	}
	return last, prev, rows.Err()
}

// SaveVerification records v for the office's overview.
func SaveVerification(ctx context.Context, q db.DBTX, v Verification) error {
	h, _ := hex.DecodeString(v.HeadHash)
	_, err := q.Exec(ctx, `INSERT INTO audit_verifications (started_at, took_ms, ok, checked, head_seq, head_hash,
			problem, bad_seq, bad_entry) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		v.StartedAt, v.Took.Milliseconds(), v.OK, v.Checked, v.HeadSeq, h, v.Problem, v.BadSeq, v.BadEntry)
	return db.Err(err)
}

// LastVerification is the newest recorded verification; nil when none ran.
func LastVerification(ctx context.Context, q db.DBTX) (*Verification, error) {
	var v Verification
	var h []byte
	var ms int64
	err := q.QueryRow(ctx, `SELECT started_at, took_ms, ok, checked, head_seq, head_hash, problem, bad_seq, bad_entry
		FROM audit_verifications ORDER BY id DESC LIMIT 1`).
		Scan(&v.StartedAt, &ms, &v.OK, &v.Checked, &v.HeadSeq, &h, &v.Problem, &v.BadSeq, &v.BadEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.Err(err)
	}
	v.Took, v.HeadHash = time.Duration(ms)*time.Millisecond, hex.EncodeToString(h)
	return &v, nil
}

// TookText is the walk's duration as pages say it.
func (v Verification) TookText() string {
	if v.Took < time.Second {
		return "不到 1 秒"
	}
	return strconv.FormatFloat(v.Took.Seconds(), 'f', 1, 64) + " 秒"
}
