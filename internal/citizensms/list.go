package citizensms

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
	"minyi/internal/secure"
)

// States of a message, as pages name them.
var StateNames = map[string]string{
	"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败，将自动重试",
	"given_up": "已放弃", "opted_out": "对方已退订，未发送",
}

// Message is one citizen SMS as the office sees it: the number masked,
// the text with its links cut.
type Message struct {
	ID        int64      `json:"id" db:"id"`
	Kind      string     `json:"kind" db:"kind"`
	PhoneMask string     `json:"phone" db:"phone_mask"`
	Preview   string     `json:"text" db:"preview"`
	State     string     `json:"state" db:"state"`
	Attempts  int        `json:"attempts" db:"attempts"`
	LastError string     `json:"last_error" db:"last_error"`
	Reason    string     `json:"reason" db:"-"`
	CaseID    *int64     `json:"case_id" db:"case_id"`
	NotBefore time.Time  `json:"not_before" db:"not_before"`
	CreatedAt time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt time.Time  `json:"updated_at" db:"updated_at"`
	SentAt    *time.Time `json:"sent_at" db:"sent_at"`
}

// KindName, StateName are the Chinese names; CanResend whether the
// office may send it again (given up; never opted out).
func (m Message) KindName() string  { return KindName(m.Kind) }
func (m Message) StateName() string { return StateNames[m.State] }
func (m Message) CanResend() bool   { return m.State == "given_up" }

// Filter selects messages: by state and kind (empty: all), and the page
// after the message with id Before (keyset: newest first, so a page stays
// fast however many messages a province sends).
type Filter struct {
	State  string
	Kind   string
	Before int64
	Limit  int
}

// Validate names a state or kind that does not exist.
func (f Filter) Validate() error {
	e := apperr.Fields{}
	if _, ok := StateNames[f.State]; f.State != "" && !ok {
		e.Add("state", "没有这种发送状态")
	}
	if f.Kind != "" && KindName(f.Kind) == "短信" {
		e.Add("kind", "没有这种短信类型")
	}
	return e.Err()
}

// List returns a page of messages newest first and the id to pass as
// Before for the next page (0 on the last page).
func List(ctx context.Context, q db.DBTX, f Filter) ([]Message, int64, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 20
	}
	before := f.Before
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, _ := q.Query(ctx, `SELECT id, kind, phone_mask, preview, state, attempts, last_error, case_id, not_before,
			created_at, updated_at, sent_at
		FROM citizen_sms WHERE id < $1 AND ($2 = '' OR state = $2) AND ($3 = '' OR kind = $3)
		ORDER BY id DESC LIMIT $4`, before, f.State, f.Kind, f.Limit+1)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Message])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	var next int64
	if len(list) > f.Limit {
		list = list[:f.Limit]
		next = list[f.Limit-1].ID
	}
	for i := range list {
		list[i].Reason = notify.Reason(list[i].LastError)
	}
	if list == nil {
		list = []Message{}
	}
	return list, next, nil
}

// Resend queues a given-up message again, at the first allowed moment,
// audited. not_found for an unknown message; conflict for any other
// state: an opted-out message is never sent, a failed one is still being
// retried, a sent one went out.
func (s *Service) Resend(ctx context.Context, pool *pgxpool.Pool, actor audit.Actor, id int64, now time.Time) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM citizen_sms WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "短信记录不存在")
		} else if err != nil {
			return db.Err(err)
		}
		if state != "given_up" {
			return apperr.New(apperr.Conflict, "只能重新发送已放弃的短信")
		}
		at := s.Quiet.NextAllowed(now)
		if _, err := tx.Exec(ctx, `UPDATE citizen_sms SET state = 'pending', not_before = $2, updated_at = $3
			WHERE id = $1`, id, at, now); err != nil {
			return db.Err(err)
		}
		if err := enqueue(ctx, tx, id, at); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "citizen_sms.resend", "citizen_sms", strconv.FormatInt(id, 10),
			map[string]string{"state": state}, map[string]string{"state": "pending"})
	})
}

// StopTarget is what the opt-out page shows: the masked number, and
// whether it opted out already.
type StopTarget struct {
	PhoneMask string
	Stopped   bool
}

// FindStop looks up the opt-out link's token; not_found for an unknown one.
func FindStop(ctx context.Context, q db.DBTX, token string) (StopTarget, error) {
	var t StopTarget
	err := q.QueryRow(ctx, `SELECT m.phone_mask, EXISTS (SELECT 1 FROM citizen_sms_optouts o WHERE o.phone_hash = m.phone_hash)
		FROM citizen_sms m WHERE m.stop_token_hash = $1`, secure.SHA256(token)).Scan(&t.PhoneMask, &t.Stopped)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, apperr.New(apperr.NotFound, "链接无效")
	}
	return t, db.Err(err)
}

// Stop opts the number of the link's message out: later messages to it
// are recorded as opted out, and those still waiting are not sent.
// Idempotent: a second press changes nothing.
func Stop(ctx context.Context, pool *pgxpool.Pool, token string, now time.Time) (StopTarget, error) {
	var t StopTarget
	err := db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var hash []byte
		err := tx.QueryRow(ctx, `SELECT phone_hash, phone_mask FROM citizen_sms WHERE stop_token_hash = $1`,
			secure.SHA256(token)).Scan(&hash, &t.PhoneMask)
		if errors.Is(err, pgx.ErrNoRows) {
			return apperr.New(apperr.NotFound, "链接无效")
		} else if err != nil {
			return db.Err(err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO citizen_sms_optouts (phone_hash, created_at) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, hash, now); err != nil {
			return db.Err(err)
		}
		_, err = tx.Exec(ctx, `UPDATE citizen_sms SET state = 'opted_out', updated_at = $2
			WHERE phone_hash = $1 AND state IN ('pending', 'failed')`, hash, now)
		t.Stopped = true
		return db.Err(err)
	})
	return t, err
}
