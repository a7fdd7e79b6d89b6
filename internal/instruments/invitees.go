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
	"minyi/internal/secure"
)

// Invitee is a leader, deputy or member invited to rate, with a secret
// link (as a survey's respondents have): the token is kept encrypted so the
// office can hand the link out again, and looked up by its hash.
type Invitee struct {
	ID           int64     `json:"id" db:"id"`
	InstrumentID int64     `json:"instrument_id" db:"instrument_id"`
	Name         string    `json:"name" db:"name"`
	Group        string    `json:"group" db:"group_name"`
	TokenEnc     []byte    `json:"-" db:"token_enc"`
	Answered     int       `json:"answered" db:"answered"`
	CreatedAt    time.Time `json:"created_at" db:"created_at"`
}

// Token is the invitee's link token.
func (v Invitee) Token(keys *secure.Keys) (string, error) { return keys.Decrypt(v.TokenEnc) }

// InviteeInput names an invitee and the group shown where the instrument
// is anonymous (市领导, 人大代表…).
type InviteeInput struct {
	Name  string `json:"name"`
	Group string `json:"group"`
}

const inviteeColumns = `v.id, v.instrument_id, v.name, v.group_name, v.token_enc, v.created_at,
	(SELECT count(*) FROM evaluation_instrument_answers a WHERE a.instrument_id = v.instrument_id AND a.invitee_id = v.id) AS answered`

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
	if err := f.Err(); err != nil {
		return Invitee{}, false, err
	}
	token := secure.Token(24)
	var vid int64
	err = tx.QueryRow(ctx, `INSERT INTO evaluation_instrument_invitees (instrument_id, name, group_name, token_hash, token_enc)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instrument_id, name) DO NOTHING RETURNING id`,
		id, in.Name, in.Group, secure.SHA256(token), keys.Encrypt(token)).Scan(&vid)
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
	return v, true, audit.Record(ctx, tx, actor, "instrument.invite", "instrument", strconv.FormatInt(id, 10), nil, in)
}

// ListInvitees returns a page of an instrument's invitees by id, and the
// total.
func ListInvitees(ctx context.Context, q db.DBTX, id int64, limit, offset int) ([]Invitee, int, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM evaluation_instrument_invitees WHERE instrument_id = $1`, id).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT `+inviteeColumns+` FROM evaluation_instrument_invitees v
		WHERE v.instrument_id = $1 ORDER BY v.id LIMIT $2 OFFSET $3`, id, limit, offset)
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
