package upward

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// Counts are the records of one source by where they stand.
type Counts struct {
	Source string
	// Sent are delivered; Waiting in batches not tried yet or being sent;
	// Retrying in batches that failed for now and will be tried again;
	// GivenUp in batches that failed for good (the office resends them).
	Sent, Waiting, Retrying, GivenUp int64
}

// SourceName is the Chinese name of the source.
func (c Counts) SourceName() string { return SourceNames[c.Source] }

// Status is the state of upward reporting for the office's page.
type Status struct {
	Counts []Counts
	// CollectedTo is how far each source's cursor has come (zero before
	// the first collection).
	CollectedTo map[string]time.Time
}

// ReadStatus counts the records by state: the delivered from the running
// totals, the others from the batches not yet sent (a partial index).
func ReadStatus(ctx context.Context, q db.DBTX) (Status, error) {
	st := Status{CollectedTo: map[string]time.Time{}}
	byID := map[string]*Counts{}
	for _, s := range []string{SourceRating, SourceRectification} {
		st.Counts = append(st.Counts, Counts{Source: s})
	}
	for i := range st.Counts {
		byID[st.Counts[i].Source] = &st.Counts[i]
	}
	rows, _ := q.Query(ctx, `SELECT source, records FROM upward_totals`)
	var source string
	var n int64
	if _, err := pgx.ForEachRow(rows, []any{&source, &n}, func() error {
		byID[source].Sent = n
		return nil
	}); err != nil {
		return st, db.Err(err)
	}
	var state string
	rows, _ = q.Query(ctx, `SELECT source, state, sum(records) FROM upward_batches WHERE state <> 'sent'
		GROUP BY source, state`)
	if _, err := pgx.ForEachRow(rows, []any{&source, &state, &n}, func() error {
		c := byID[source]
		switch state {
		case "failed":
			c.Retrying += n
		case "given_up":
			c.GivenUp += n
		default:
			c.Waiting += n
		}
		return nil
	}); err != nil {
		return st, db.Err(err)
	}
	var at time.Time
	rows, _ = q.Query(ctx, `SELECT source, at FROM upward_cursors`)
	_, err := pgx.ForEachRow(rows, []any{&source, &at}, func() error {
		st.CollectedTo[source] = at
		return nil
	})
	return st, db.Err(err)
}

// Batch is a batch that failed, for the office's list.
type Batch struct {
	ID        int64     `db:"id"`
	Source    string    `db:"source"`
	Records   int       `db:"records"`
	State     string    `db:"state"`
	Attempts  int       `db:"attempts"`
	LastError string    `db:"last_error"`
	FirstAt   time.Time `db:"first_at"`
	LastAt    time.Time `db:"last_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

// SourceName is the Chinese name of the batch's source.
func (b Batch) SourceName() string { return SourceNames[b.Source] }

// StateName is the Chinese name of the batch's state.
func (b Batch) StateName() string { return StateNames[b.State] }

// CanResend reports whether the office may resend it: given up. A failed
// batch is still being retried by its job.
func (b Batch) CanResend() bool { return b.State == "given_up" }

// Reason is the failure in Chinese words for the office.
func (b Batch) Reason() string { return Reason(b.LastError) }

// StateNames are the Chinese names of the batch states.
var StateNames = map[string]string{
	"pending":  "等待上报",
	"sending":  "正在上报",
	"sent":     "已上报",
	"failed":   "失败，等待重试",
	"given_up": "上报失败",
}

// Reason says a batch's error in words: the platform's refusals and the
// connection failures as notifications say them (notify.ReasonOr), the
// rest as a failure to check the reporting address for.
func Reason(lastError string) string {
	e := strings.ToLower(lastError)
	switch {
	case lastError == "":
		return ""
	case strings.Contains(e, "http 401") || strings.Contains(e, "http 403"):
		return "省级平台拒绝了签名或身份，请核对平台编码和签名密钥"
	case strings.Contains(e, "sign"):
		return "签名失败，请检查签名密钥"
	}
	return notify.ReasonOr(lastError, "发送失败，请检查上报地址的配置")
}

// Failures returns the failed and given-up batches, newest first, at most
// limit.
func Failures(ctx context.Context, q db.DBTX, limit int) ([]Batch, error) {
	rows, _ := q.Query(ctx, `SELECT id, source, records, state, attempts, last_error, first_at, last_at, updated_at
		FROM upward_batches WHERE state IN ('failed', 'given_up')
		ORDER BY updated_at DESC, id DESC LIMIT $1`, limit)
	bs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Batch])
	return bs, db.Err(err)
}

// Resend queues a given-up batch again: pending, with a new send job,
// recorded in the audit log. It returns not_found for an unknown batch
// and conflict for one not given up (sent, or still being retried).
func Resend(ctx context.Context, pool *pgxpool.Pool, actor audit.Actor, id int64) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM upward_batches WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.NotFound, "上报批次不存在")
		} else if err != nil {
			return err
		}
		if state != "given_up" {
			return apperr.New(apperr.Conflict, "只能重新上报已失败的批次")
		}
		if _, err := tx.Exec(ctx, `UPDATE upward_batches SET state = 'pending', updated_at = now() WHERE id = $1`,
			id); err != nil {
			return db.Err(err)
		}
		if err := notify.InsertTx(ctx, tx, SendArgs{BatchID: id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "upward_batch.resend", "upward_batch", strconv.FormatInt(id, 10),
			map[string]string{"state": state}, map[string]string{"state": "pending"})
	})
}
