package upward

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// BatchHeader carries the batch id, the same on every resend, so the
// platform can drop a batch it has already taken.
const BatchHeader = "X-Minyi-Batch"

// SendArgs is the river job that delivers one batch.
type SendArgs struct {
	BatchID int64 `json:"batch_id"`
}

// Kind names the job in river_job.
func (SendArgs) Kind() string { return "upward_send" }

// InsertOpts caps the tries as for notifications.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: notify.SendAttempts}
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	o Options
}

// Work delivers the batch: it marks it sending (one more attempt) in its
// own transaction with its records read, posts the signed body, and
// records the outcome. A batch found sending was cut off mid-send: it is
// sent again, since the platform can drop a repeat by its batch id. A
// temporary failure (unreachable, HTTP 5xx or 429) is retried with river's
// back-off until the last attempt, which gives it up for the office to
// resend.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	id := job.Args.BatchID
	env, ok, err := w.begin(ctx, id)
	if err != nil || !ok {
		return err
	}
	state, lastError, retry := channels.Outcome(w.post(ctx, id, env), job.Attempt, job.MaxAttempts)
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := finish(fctx, w.o.Pool, id, state, lastError); err != nil {
		return err
	}
	return retry
}

// begin locks the batch and, unless it is sent or given up, marks it
// sending and builds its envelope.
func (w *sendWorker) begin(ctx context.Context, id int64) (env Envelope, ok bool, err error) {
	err = db.Tx(ctx, w.o.Pool, func(tx pgx.Tx) error {
		var state string
		var keys batchKeys
		err := tx.QueryRow(ctx, `SELECT state, source, rating_ids::text[], rated_ats, case_ids FROM upward_batches
			WHERE id = $1 FOR UPDATE`, id).Scan(&state, &keys.Source, &keys.RatingIDs, &keys.RatedAts, &keys.CaseIDs)
		if errors.Is(err, pgx.ErrNoRows) || state == "sent" || state == "given_up" {
			return nil
		}
		if err != nil {
			return db.Err(err)
		}
		if w.o.URL == "" || w.o.Key == nil {
			return setState(ctx, tx, id, "given_up", ErrNotConfigured.Error())
		}
		rows, err := readBatch(ctx, tx, keys)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return setState(ctx, tx, id, "given_up", ErrArchived.Error())
		}
		env = Envelope{PlatformCode: w.o.Platform, BatchID: itoa(id), Type: keys.Source,
			SentAt: time.Now().In(w.o.Loc).Format(TimeLayout), Count: len(rows), Records: make([]Record, len(rows))}
		for i, r := range rows {
			env.Records[i] = r.record(w.o.Loc, w.o.DataSource)
		}
		if _, err := tx.Exec(ctx, `UPDATE upward_batches SET state = 'sending', attempts = attempts + 1,
			updated_at = now() WHERE id = $1`, id); err != nil {
			return db.Err(err)
		}
		ok = true
		return nil
	})
	if err != nil {
		return env, false, fmt.Errorf("upward: batch %d: %w", id, err)
	}
	return env, ok, nil
}

// ErrNotConfigured gives up a batch when reporting has been switched off
// since it was made.
var ErrNotConfigured = errors.New("上报地址或签名密钥未配置")

// ErrArchived gives up a batch none of whose ratings is in the database
// any more (their month archived, docs/operations.md): restored, the
// batch can be resent.
var ErrArchived = errors.New("这批评价所在月份已归档，恢复后可重新上报")

// post sends the envelope, signed; any 2xx answer is success.
func (w *sendWorker) post(ctx context.Context, id int64, env Envelope) error {
	body, err := json.Marshal(env)
	if err != nil {
		return err
	}
	sig, err := Sign(w.o.Key, body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.o.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(BatchHeader, itoa(id))
	req.Header.Set(SignatureHeader, sig)
	req.Header.Set(SignatureAlgHeader, SignatureAlg)
	res, err := w.o.Client.Do(req)
	if err != nil {
		return &channels.TemporaryError{Err: fmt.Errorf("upward: %w", err)}
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 4<<10))
	if res.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("upward: HTTP %d: %s", res.StatusCode, bytes.TrimSpace(answer))
	if res.StatusCode >= 500 || res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusRequestTimeout {
		return &channels.TemporaryError{Err: err}
	}
	return err
}

// finish records the outcome of a send; a sent batch counts in the totals.
func finish(ctx context.Context, pool *pgxpool.Pool, id int64, state, lastError string) error {
	return db.Err(pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := setState(ctx, tx, id, state, lastError); err != nil {
			return err
		}
		if state != "sent" {
			return nil
		}
		_, err := tx.Exec(ctx, `UPDATE upward_totals t SET batches = t.batches + 1, records = t.records + b.records
			FROM upward_batches b WHERE b.id = $1 AND t.source = b.source`, id)
		return db.Err(err)
	}))
}

func setState(ctx context.Context, q db.DBTX, id int64, state, lastError string) error {
	_, err := q.Exec(ctx, `UPDATE upward_batches SET state = $2, last_error = $3, updated_at = now(),
		sent_at = CASE WHEN $2 = 'sent' THEN now() END WHERE id = $1`, id, state, lastError)
	return db.Err(err)
}
