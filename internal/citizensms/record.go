package citizensms

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Service records citizen SMS. The zero Service (no SMS gateway
// configured) records nothing: the hooks return at once and the pages say
// that SMS is not configured.
type Service struct {
	// Enabled is whether the SMS gateway is configured (SMS_GATEWAY_URL).
	Enabled bool
	// Quiet are the hours no SMS goes to a citizen (SMS_QUIET_HOURS).
	Quiet channels.QuietHours
	Keys  *secure.Keys
}

// mobileRE is a mainland mobile number: landlines, which a citizen may
// also leave, get no SMS.
var mobileRE = regexp.MustCompile(`^1[3-9]\d{9}$`)

// message is one SMS to record: kind, idempotency key, the number it goes
// to and the text's values other than {stop}.
type message struct {
	kind, key string
	phone     string
	// text is the kind's template in force (notify.SMSText), read once
	// per event or round by the caller.
	text         string
	values       Values
	caseID       *int64
	respondentID *int64
	inviteeID    *int64
}

// phoneKey is the short keyed-hash part of an idempotency key: the same
// number gives the same key, and the key does not reveal the number.
func (s *Service) phoneKey(phone string) string {
	return hex.EncodeToString(s.Keys.Hash("phone", phone)[:8])
}

// exists reports whether the message with key was recorded already.
func exists(ctx context.Context, tx pgx.Tx, key string) (bool, error) {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM citizen_sms WHERE idem_key = $1)`, key).Scan(&ok)
	return ok, db.Err(err)
}

// record stores m in tx with its opt-out link under base
// (PUBLIC_BASE_URL) and enqueues its send job at the first allowed moment.
// A message recorded before (same key) is left as it is; one to a number
// that opted out is recorded as opted_out and never sent. It reports
// whether a message was added.
func (s *Service) record(ctx context.Context, tx pgx.Tx, base string, m message, now time.Time) (bool, error) {
	if !mobileRE.MatchString(m.phone) {
		return false, nil
	}
	hash := s.Keys.Hash("phone", m.phone)
	stop := secure.Token(9) // 72 random bits: the link only stops SMS to one number
	v := Values{phStop: base + "/sms/stop/" + stop}
	for k, x := range m.values {
		v[k] = x
	}
	text, preview := render(m.text, v)
	state := "pending"
	var opted bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM citizen_sms_optouts WHERE phone_hash = $1)`, hash).
		Scan(&opted); err != nil {
		return false, db.Err(err)
	}
	if opted {
		state = "opted_out"
	}
	notBefore := s.Quiet.NextAllowed(now)
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO citizen_sms (kind, idem_key, phone_enc, phone_hash, phone_mask, body_enc, preview,
			stop_token_hash, case_id, respondent_id, invitee_id, state, not_before, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
		ON CONFLICT (idem_key) DO NOTHING RETURNING id`,
		m.kind, m.key, s.Keys.Encrypt(m.phone), hash, secure.MaskPhone(m.phone), s.Keys.Encrypt(text), preview,
		secure.SHA256(stop), m.caseID, m.respondentID, m.inviteeID, state, notBefore, now).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.Err(err)
	}
	if opted {
		return true, nil
	}
	return true, enqueue(ctx, tx, id, notBefore)
}

// SendArgs is the river job that sends one citizen SMS.
type SendArgs struct {
	ID int64 `json:"citizen_sms_id"`
}

// Kind names the job in river_job.
func (SendArgs) Kind() string { return "citizen_sms_send" }

// SendAttempts is how many times a message is tried before it is given up.
const SendAttempts = 8

// InsertOpts caps the tries.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: SendAttempts} }

// inserter is the insert-only river client: every insert goes through the
// caller's transaction.
var inserter = sync.OnceValues(func() (*river.Client[pgx.Tx], error) {
	return river.NewClient(riverpgxv5.New(nil), &river.Config{})
})

// enqueue adds the send job of message id in tx, due at at: river keeps
// it scheduled until then, so a message recorded at night waits for the
// morning without holding a worker.
func enqueue(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error {
	client, err := inserter()
	if err != nil {
		return fmt.Errorf("citizensms: river client: %w", err)
	}
	if _, err := client.InsertTx(ctx, tx, SendArgs{ID: id}, &river.InsertOpts{ScheduledAt: at}); err != nil {
		return fmt.Errorf("citizensms: enqueue %d: %w", id, db.Err(err))
	}
	return nil
}

// NewService builds the service from the configured outbound channels
// (channels.Config.Senders): enabled when an SMS gateway is among them.
func NewService(senders map[string]channels.Sender, quiet channels.QuietHours, keys *secure.Keys) *Service {
	_, ok := senders[channels.SMS]
	return &Service{Enabled: ok, Quiet: quiet, Keys: keys}
}
