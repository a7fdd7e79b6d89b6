package instruments

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
)

// Invitee is a leader, deputy or member invited to rate, with a secret
// link (as a survey's respondents have): the token is kept encrypted so the
// office can hand the link out again, and looked up by its hash.
type Invitee struct {
	ID           int64   `json:"id" db:"id"`
	InstrumentID int64   `json:"instrument_id" db:"instrument_id"`
	Name         string  `json:"name" db:"name"`
	Group        string  `json:"group" db:"group_name"`
	TokenEnc     []byte  `json:"-" db:"token_enc"`
	PhoneMask    *string `json:"phone_mask" db:"phone_mask"`
	Answered     int     `json:"answered" db:"answered"`
	// SMSState is the state of the invitee's newest SMS invitation
	// (citizensms: pending, sent, …), nil when none was sent.
	SMSState  *string   `json:"sms_state" db:"sms_state"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// Token is the invitee's link token.
func (v Invitee) Token(keys *secure.Keys) (string, error) { return keys.Decrypt(v.TokenEnc) }

// InviteeInput names an invitee, the group shown where the instrument is
// anonymous (市领导, 人大代表…) and optionally a phone number: a mobile
// gets the link by SMS, the others a printed letter.
type InviteeInput struct {
	Name  string `json:"name"`
	Group string `json:"group"`
	Phone string `json:"phone"`
}

// inviteeAudit is what the audit log keeps of an invitee: the number
// masked.
type inviteeAudit struct {
	Name      string  `json:"name"`
	Group     string  `json:"group"`
	PhoneMask *string `json:"phone_mask,omitempty"`
}

const inviteeColumns = `v.id, v.instrument_id, v.name, v.group_name, v.token_enc, v.phone_mask, v.created_at,
	(SELECT count(*) FROM evaluation_instrument_answers a WHERE a.instrument_id = v.instrument_id AND a.invitee_id = v.id) AS answered,
	(SELECT m.state FROM citizen_sms m WHERE m.invitee_id = v.id ORDER BY m.id DESC LIMIT 1) AS sms_state`

// AddInvitee invites a rater to an instrument answered by invitees. A name
// already invited returns that invitee with added false.
func AddInvitee(ctx context.Context, tx pgx.Tx, keys *secure.Keys, actor audit.Actor, id int64, in InviteeInput) (Invitee, bool, error) {
	inst, err := lock(ctx, tx, id)
	if err != nil {
		return Invitee{}, false, err
	}
	if inst.ByUnits() {
		return Invitee{}, false, apperr.New(apperr.Conflict, "该评价项目由各单位通过单位账号评价，不需要邀请评价人")
	}
	if inst.Status == StatusClosed {
		return Invitee{}, false, apperr.New(apperr.Conflict, "评价项目已结束，不能再邀请评价人")
	}
	in.Name, in.Group = strings.TrimSpace(in.Name), strings.TrimSpace(in.Group)
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 50 {
		f.Add("name", "请填写评价人姓名（不超过50字）")
	}
	if in.Group == "" {
		in.Group = PurposeLabel(inst.Purpose)
	}
	if utf8.RuneCountInString(in.Group) > 50 {
		f.Add("group", "评价人类别不能超过50字")
	}
	in.Phone = ratings.NormalizePhone(strings.TrimSpace(in.Phone))
	if in.Phone != "" && !ratings.ValidPhone(in.Phone) {
		f.Add("phone", "请填写正确的手机号码或固定电话")
	}
	if err := f.Err(); err != nil {
		return Invitee{}, false, err
	}
	var phoneEnc []byte
	var phoneMask *string
	if in.Phone != "" {
		m := secure.MaskPhone(in.Phone)
		phoneEnc, phoneMask = keys.Encrypt(in.Phone), &m
	}
	token := secure.Token(24)
	var vid int64
	err = tx.QueryRow(ctx, `INSERT INTO evaluation_instrument_invitees (instrument_id, name, group_name, token_hash, token_enc,
			phone_enc, phone_mask)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (instrument_id, name) DO NOTHING RETURNING id`,
		id, in.Name, in.Group, secure.SHA256(token), keys.Encrypt(token), phoneEnc, phoneMask).Scan(&vid)
	added := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return Invitee{}, false, db.Err(err)
	}
	rows, _ := tx.Query(ctx, `SELECT `+inviteeColumns+` FROM evaluation_instrument_invitees v
		WHERE v.instrument_id = $1 AND v.name = $2`, id, in.Name)
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invitee])
	if err != nil || !added {
		return v, false, db.Err(err)
	}
	return v, true, audit.Record(ctx, tx, actor, "instrument.invite", "instrument", strconv.FormatInt(id, 10), nil,
		inviteeAudit{in.Name, in.Group, phoneMask})
}

// InviteeFilter selects invitees: those without a mobile number (for
// printed letters) or all, and a page.
type InviteeFilter struct {
	NoMobile      bool
	Limit, Offset int
}

// ListInvitees returns a page of an instrument's invitees by id, and the
// total matching f.
func ListInvitees(ctx context.Context, q db.DBTX, id int64, f InviteeFilter) ([]Invitee, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	// A mobile's mask keeps its first three digits: 1[3-9]x****xxxx.
	const where = `v.instrument_id = $1 AND (NOT $2 OR v.phone_mask IS NULL OR v.phone_mask !~ '^1[3-9][0-9]\*{4}[0-9]{4}$')`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM evaluation_instrument_invitees v WHERE `+where, id, f.NoMobile).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT `+inviteeColumns+` FROM evaluation_instrument_invitees v
		WHERE `+where+` ORDER BY v.id LIMIT $3 OFFSET $4`, id, f.NoMobile, f.Limit, f.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Invitee])
	return list, total, db.Err(err)
}

// OpenInvitation returns the instrument and invitee of a link token, or
// not_found.
func OpenInvitation(ctx context.Context, q db.DBTX, token string) (Instrument, Invitee, error) {
	rows, _ := q.Query(ctx, `SELECT `+inviteeColumns+` FROM evaluation_instrument_invitees v WHERE v.token_hash = $1`,
		secure.SHA256(token))
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Invitee])
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Instrument{}, Invitee{}, apperr.New(apperr.NotFound, "邀请链接无效，请向绩效办核对链接")
		}
		return Instrument{}, Invitee{}, db.Err(err)
	}
	inst, err := Find(ctx, q, v.InstrumentID)
	return inst, v, err
}
