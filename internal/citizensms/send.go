package citizensms

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// WorkerOptions configure the send worker.
type WorkerOptions struct {
	Pool *pgxpool.Pool
	// Sender is the configured SMS channel; nil when none is, and then a
	// message still waiting is given up.
	Sender channels.Sender
	Service
	// Now is the clock (default time.Now); tests drive it through the
	// quiet hours.
	Now func() time.Time
}

// Register adds the send worker to ws, the river workers of the
// instance's notification worker (notify.Options.Register): one river
// client works every job kind, so its maintenance (rescuing jobs cut off
// by a crash) knows every kind.
func Register(ws *river.Workers, o WorkerOptions) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	return river.AddWorkerSafely(ws, &sendWorker{o: o})
}

type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	o WorkerOptions
}

// Work sends the message at most once, as notify's send worker does: it
// marks the message sending (one more attempt) in its own transaction,
// then sends, then records the outcome; finding it already sending means
// an earlier attempt was cut off mid-send, and as an SMS gateway cannot
// drop a repeat, the message is given up rather than risk a second SMS.
// Inside the quiet hours (a retry that falls into the night, a clock that
// moved) the job is snoozed to the first allowed moment. A temporary
// failure is retried with river's back-off until the last attempt.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	id := job.Args.ID
	m, wait, ok, err := w.begin(ctx, id)
	switch {
	case err != nil:
		return err
	case wait > 0:
		return river.JobSnooze(wait)
	case !ok:
		return nil
	}
	state, lastError, retry := channels.Outcome(w.o.Sender.Send(ctx, m), job.Attempt, job.MaxAttempts)
	if err := w.finish(ctx, id, state, lastError); err != nil {
		return err
	}
	return retry
}

// begin locks the message and decides: wait (snooze until then), send
// (ok, marked sending) or nothing (gone, done, opted out or given up
// here).
func (w *sendWorker) begin(ctx context.Context, id int64) (m channels.Message, wait time.Duration, ok bool, err error) {
	err = db.Tx(ctx, w.o.Pool, func(tx pgx.Tx) error {
		var state, kind string
		var phoneEnc, bodyEnc []byte
		var notBefore time.Time
		var opted bool
		err := tx.QueryRow(ctx, `SELECT m.state, m.kind, m.phone_enc, m.body_enc, m.not_before,
				EXISTS (SELECT 1 FROM citizen_sms_optouts o WHERE o.phone_hash = m.phone_hash)
			FROM citizen_sms m WHERE m.id = $1 FOR UPDATE OF m`, id).
			Scan(&state, &kind, &phoneEnc, &bodyEnc, &notBefore, &opted)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return db.Err(err)
		}
		now := w.o.Now()
		if state == "sent" || state == "given_up" || state == "opted_out" {
			return nil
		}
		if opted {
			return setState(ctx, tx, id, "opted_out", "", now)
		}
		if at := w.o.Quiet.NextAllowed(now); now.Before(notBefore) || at.After(now) {
			wait = max(notBefore.Sub(now), at.Sub(now))
			return nil
		}
		phone, err1 := w.o.Keys.Decrypt(phoneEnc)
		body, err2 := w.o.Keys.Decrypt(bodyEnc)
		giveUp := ""
		switch {
		case state == "sending":
			giveUp = notify.Interrupted
		case w.o.Sender == nil:
			giveUp = "短信渠道已不再配置"
		case err1 != nil || err2 != nil:
			giveUp = "无法解密号码或内容（密钥已更换）"
		}
		if giveUp != "" {
			return setState(ctx, tx, id, "given_up", giveUp, now)
		}
		if _, err := tx.Exec(ctx, `UPDATE citizen_sms SET state = 'sending', attempts = attempts + 1, updated_at = $2
			WHERE id = $1`, id, now); err != nil {
			return db.Err(err)
		}
		// "c" keeps the id apart from the staff deliveries' ids at the gateway.
		m = channels.Message{ID: "c" + strconv.FormatInt(id, 10), Kind: kind, Text: body, Phone: phone, At: now}
		ok = true
		return nil
	})
	if err != nil {
		return m, 0, false, fmt.Errorf("citizensms: message %d: %w", id, err)
	}
	return m, wait, ok, nil
}

// finish records the outcome of a send, whatever ctx says now.
func (w *sendWorker) finish(ctx context.Context, id int64, state, lastError string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return setState(ctx, w.o.Pool, id, state, lastError, w.o.Now())
}

func setState(ctx context.Context, q db.DBTX, id int64, state, lastError string, now time.Time) error {
	var sentAt *time.Time
	if state == "sent" {
		sentAt = &now
	}
	_, err := q.Exec(ctx, `UPDATE citizen_sms SET state = $2, last_error = $3, updated_at = $4, sent_at = $5
		WHERE id = $1`, id, state, lastError, now, sentAt)
	return db.Err(err)
}
