package citizensms

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// InviteInstrument sends an invitation with the invitee's own link
// (/e/<token>) to every invitee of the open evaluation instrument who left
// a mobile number and has not answered yet, once per invitee however often
// the office asks (an invitee added later gets theirs in the next round).
// It returns conflict when SMS is not configured, the instrument is
// answered by units or is not open, and not_found for an unknown
// instrument. Each round is audited (citizen_sms.instrument_invite, with
// how many were sent and skipped); each message keeps its invitee.
func (s *Service) InviteInstrument(ctx context.Context, tx pgx.Tx, base string, actor audit.Actor, instrumentID int64, now time.Time) (SurveyResult, error) {
	var res SurveyResult
	if s == nil || !s.Enabled {
		return res, apperr.New(apperr.Conflict, "未配置短信平台，无法发送短信")
	}
	var name, purpose, status string
	// The instrument's row lock orders two rounds of the same instrument.
	err := tx.QueryRow(ctx, `SELECT name, purpose, status FROM evaluation_instruments WHERE id = $1 FOR UPDATE`, instrumentID).
		Scan(&name, &purpose, &status)
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return res, apperr.New(apperr.NotFound, "评价项目不存在")
	} else if err != nil {
		return res, err
	}
	if purpose == "peer" || purpose == "grassroots" {
		return res, apperr.New(apperr.Conflict, "该评价项目由各单位通过单位账号评价，没有受邀评价人")
	}
	if status != "open" {
		return res, apperr.New(apperr.Conflict, "评价项目开始后、结束前才能发送短信邀请")
	}
	rows, _ := tx.Query(ctx, `SELECT v.id, v.phone_enc, v.token_enc FROM evaluation_instrument_invitees v
		WHERE v.instrument_id = $1 AND v.phone_enc IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM evaluation_instrument_answers a WHERE a.instrument_id = $1 AND a.invitee_id = v.id)
		ORDER BY v.id`, instrumentID)
	targets, err := pgx.CollectRows(rows, pgx.RowToStructByPos[roundTarget])
	if err != nil {
		return res, db.Err(err)
	}
	text, err := notify.SMSText(ctx, tx, KindInstrumentInvite)
	if err != nil {
		return res, err
	}
	res, err = s.round(ctx, tx, base, targets, now, func(t roundTarget, phone, token string) message {
		vid := t.ID
		return message{kind: KindInstrumentInvite, phone: phone, inviteeID: &vid, text: text,
			key:    KindInstrumentInvite + ":" + strconv.FormatInt(vid, 10),
			values: Values{phInstrument: clip(name, 20), phLink: base + "/e/" + token}}
	})
	if err != nil {
		return res, err
	}
	return res, audit.Record(ctx, tx, actor, "citizen_sms.instrument_invite", "instrument",
		strconv.FormatInt(instrumentID, 10), nil, res)
}
