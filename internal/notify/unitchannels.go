package notify

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// A unit's own channels (migration 0039): for notifications addressed to
// the unit, its own 企业微信 and 钉钉 group robots and a duty mailbox and
// mobile besides its accounts, each switched on or off. plan adds their
// deliveries; the unit's page edits them (the unit for itself, the office
// for any unit).

// UnitChannels are a unit's settings as pages and the API show them: the
// robot addresses masked, the 钉钉 secret only as whether one is set.
type UnitChannels struct {
	UnitID            int64      `json:"unit_id"`
	WeComOn           bool       `json:"wecom_enabled"`
	WeComURL          string     `json:"wecom_url"`
	DingTalkOn        bool       `json:"dingtalk_enabled"`
	DingTalkURL       string     `json:"dingtalk_url"`
	DingTalkSecretSet bool       `json:"dingtalk_secret_set"`
	EmailOn           bool       `json:"email_enabled"`
	DutyEmail         string     `json:"duty_email"`
	SMSOn             bool       `json:"sms_enabled"`
	DutyMobile        string     `json:"duty_mobile"`
	UpdatedAt         *time.Time `json:"updated_at"`
}

// unitRow is the stored row, addresses in full.
type unitRow struct {
	WeComOn, DingTalkOn, EmailOn, SMSOn bool
	WeComURL, DingTalkURL               string
	DingTalkSecret                      []byte
	DutyEmail, DutyMobile               string
	UpdatedAt                           *time.Time
}

func (r unitRow) view(unitID int64) UnitChannels {
	return UnitChannels{UnitID: unitID, WeComOn: r.WeComOn, WeComURL: channels.MaskURL(r.WeComURL),
		DingTalkOn: r.DingTalkOn, DingTalkURL: channels.MaskURL(r.DingTalkURL), DingTalkSecretSet: r.DingTalkSecret != nil,
		EmailOn: r.EmailOn, DutyEmail: r.DutyEmail, SMSOn: r.SMSOn, DutyMobile: r.DutyMobile, UpdatedAt: r.UpdatedAt}
}

const unitRowCols = `wecom_on, wecom_url, dingtalk_on, dingtalk_url, dingtalk_secret, email_on, duty_email,
	sms_on, duty_mobile, updated_at`

func scanUnitRow(row pgx.Row) (unitRow, error) {
	var r unitRow
	err := row.Scan(&r.WeComOn, &r.WeComURL, &r.DingTalkOn, &r.DingTalkURL, &r.DingTalkSecret, &r.EmailOn,
		&r.DutyEmail, &r.SMSOn, &r.DutyMobile, &r.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return unitRow{}, nil // never saved: everything off
	}
	return r, db.Err(err)
}

// LoadUnitChannels returns unit's settings (all off when never saved).
func LoadUnitChannels(ctx context.Context, q db.DBTX, unitID int64) (UnitChannels, error) {
	r, err := scanUnitRow(q.QueryRow(ctx, `SELECT `+unitRowCols+` FROM unit_notify_channels WHERE unit_id = $1`, unitID))
	return r.view(unitID), err
}

// UnitChannelsInput changes a unit's settings: each nil field is kept. An
// empty robot address removes the robot (and the 钉钉 secret with it); an
// empty DingTalkSecret removes the secret alone.
type UnitChannelsInput struct {
	WeComOn, DingTalkOn, EmailOn, SMSOn                          *bool
	WeComURL, DingTalkURL, DingTalkSecret, DutyEmail, DutyMobile *string
}

var (
	dutyMobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	dutyEmailRE  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// apply sets the input on r, checking each value; f collects the refusals
// by field (the API's names).
func (in UnitChannelsInput) apply(r *unitRow, keys *secure.Keys, hosts channels.RobotHosts, f apperr.Fields) {
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.WeComOn, in.WeComOn)
	set(&r.DingTalkOn, in.DingTalkOn)
	set(&r.EmailOn, in.EmailOn)
	set(&r.SMSOn, in.SMSOn)
	robot := func(field string, dst *string, v *string) {
		if v == nil {
			return
		}
		s := strings.TrimSpace(*v)
		switch {
		case s == "":
		case len(s) > 1000 || !safetext.Valid(s) || strings.ContainsAny(s, " \r\n"):
			f.Add(field, "机器人地址格式不正确，请从群机器人设置中复制完整的地址")
			return
		case hosts.Check(s) != nil:
			f.Add(field, "机器人地址不在允许的范围内，只能填写"+strings.Join(hosts.Origins(), "、")+"的地址")
			return
		}
		*dst = s
	}
	robot("wecom_url", &r.WeComURL, in.WeComURL)
	robot("dingtalk_url", &r.DingTalkURL, in.DingTalkURL)
	if in.DingTalkSecret != nil {
		s := strings.TrimSpace(*in.DingTalkSecret)
		switch {
		case s == "":
			r.DingTalkSecret = nil
		case len(s) > 200 || !safetext.Valid(s) || strings.ContainsAny(s, " \r\n"):
			f.Add("dingtalk_secret", "加签密钥格式不正确，请从钉钉机器人的安全设置中复制（以 SEC 开头）")
		default:
			r.DingTalkSecret = keys.Encrypt(s)
		}
	}
	if r.DingTalkURL == "" {
		r.DingTalkSecret = nil
	}
	if in.DutyEmail != nil {
		s := strings.TrimSpace(*in.DutyEmail)
		if s != "" && (len(s) > 254 || !dutyEmailRE.MatchString(s) || !safetext.Valid(s)) {
			f.Add("duty_email", "值班邮箱格式不正确，例如 zhiban@example.gov.cn")
		} else {
			r.DutyEmail = s
		}
	}
	if in.DutyMobile != nil {
		s := strings.TrimSpace(*in.DutyMobile)
		if s != "" && !dutyMobileRE.MatchString(s) {
			f.Add("duty_mobile", "值班手机须为11位数字，以1开头")
		} else {
			r.DutyMobile = s
		}
	}
	need := func(on bool, addr, field, msg string) {
		if on && addr == "" && f[field] == "" {
			f.Add(field, msg)
		}
	}
	need(r.WeComOn, r.WeComURL, "wecom_url", "启用企业微信群机器人须填写机器人地址")
	need(r.DingTalkOn, r.DingTalkURL, "dingtalk_url", "启用钉钉群机器人须填写机器人地址")
	need(r.EmailOn, r.DutyEmail, "duty_email", "启用值班邮箱须填写邮箱地址")
	need(r.SMSOn, r.DutyMobile, "duty_mobile", "启用值班手机须填写手机号")
}

// SaveUnitChannels applies in to unit's settings as actor, records the
// change in the audit log (the secret only as set, changed or removed) and
// returns the settings after it. Saving the same values again changes and
// records nothing.
func SaveUnitChannels(ctx context.Context, tx pgx.Tx, keys *secure.Keys, hosts channels.RobotHosts, actor audit.Actor,
	unitID int64, in UnitChannelsInput, now time.Time) (UnitChannels, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO unit_notify_channels (unit_id, updated_at) VALUES ($1, $2)
		ON CONFLICT DO NOTHING`, unitID, now); err != nil {
		return UnitChannels{}, db.Err(err)
	}
	before, err := scanUnitRow(tx.QueryRow(ctx, `SELECT `+unitRowCols+` FROM unit_notify_channels
		WHERE unit_id = $1 FOR UPDATE`, unitID))
	if err != nil {
		return UnitChannels{}, err
	}
	after := before
	f := apperr.Fields{}
	in.apply(&after, keys, hosts, f)
	if err := f.Err(); err != nil {
		return UnitChannels{}, err
	}
	secretChanged := in.DingTalkSecret != nil && after.DingTalkSecret != nil && strings.TrimSpace(*in.DingTalkSecret) != ""
	if secretChanged && before.DingTalkSecret != nil {
		// The same secret saved again is no change: compare the plaintexts.
		old, oerr := keys.Decrypt(before.DingTalkSecret)
		secretChanged = oerr != nil || old != strings.TrimSpace(*in.DingTalkSecret)
		if !secretChanged {
			after.DingTalkSecret = before.DingTalkSecret
		}
	}
	if !secretChanged && before.WeComOn == after.WeComOn && before.WeComURL == after.WeComURL &&
		before.DingTalkOn == after.DingTalkOn && before.DingTalkURL == after.DingTalkURL &&
		(before.DingTalkSecret == nil) == (after.DingTalkSecret == nil) && before.EmailOn == after.EmailOn &&
		before.DutyEmail == after.DutyEmail && before.SMSOn == after.SMSOn && before.DutyMobile == after.DutyMobile {
		return before.view(unitID), nil
	}
	after.UpdatedAt = &now
	if _, err := tx.Exec(ctx, `UPDATE unit_notify_channels SET wecom_on = $2, wecom_url = $3, dingtalk_on = $4,
		dingtalk_url = $5, dingtalk_secret = $6, email_on = $7, duty_email = $8, sms_on = $9, duty_mobile = $10,
		updated_at = $11 WHERE unit_id = $1`, unitID, after.WeComOn, after.WeComURL, after.DingTalkOn, after.DingTalkURL,
		after.DingTalkSecret, after.EmailOn, after.DutyEmail, after.SMSOn, after.DutyMobile, now); err != nil {
		return UnitChannels{}, db.Err(err)
	}
	if err := audit.Record(ctx, tx, actor, "unit.notify_channels", "unit", strconv.FormatInt(unitID, 10),
		auditFields(before, false), auditFields(after, secretChanged)); err != nil {
		return UnitChannels{}, err
	}
	return after.view(unitID), nil
}

// auditFields are the settings as the audit log keeps them: addresses
// masked (a robot address is a credential), the secret as a word.
func auditFields(r unitRow, secretChanged bool) map[string]any {
	secret := "none"
	switch {
	case secretChanged:
		secret = "changed"
	case r.DingTalkSecret != nil:
		secret = "set"
	}
	return map[string]any{
		"wecom_enabled": r.WeComOn, "wecom_url": channels.MaskURL(r.WeComURL),
		"dingtalk_enabled": r.DingTalkOn, "dingtalk_url": channels.MaskURL(r.DingTalkURL), "dingtalk_secret": secret,
		"email_enabled": r.EmailOn, "duty_email": r.DutyEmail,
		"sms_enabled": r.SMSOn, "duty_mobile": maskAddress(channels.SMS, r.DutyMobile),
	}
}
