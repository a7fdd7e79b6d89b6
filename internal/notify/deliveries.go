package notify

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// plan creates the deliveries of notification id on the configured
// channels and returns the ids of those it created (none when it ran
// before):
//   - e-mail and SMS to each reader of the notification (its inbox rows)
//     who is active, has the address and has the channel switched on
//     (users.notify_channels);
//   - the webhook once for every notification: it feeds the office's own
//     systems, which route by kind;
//   - the 企业微信 and 钉钉 robots once for a notification addressed to the
//     office: their group is the office's, and a unit's case is not the
//     whole group's business;
//   - for a notification addressed to a unit, the unit's own channels it
//     switched on (unit_notify_channels): its robots, which need no office
//     configuration since the unit gave their addresses, and its duty
//     mailbox and mobile, which go through the office's SMTP server and
//     SMS gateway and so only when those are configured.
func plan(ctx context.Context, tx pgx.Tx, id int64, configured []string, now time.Time) ([]int64, error) {
	unitChannels := []string{channels.WeCom, channels.DingTalk}
	for _, c := range configured {
		if c == channels.Email || c == channels.SMS {
			unitChannels = append(unitChannels, c)
		}
	}
	rows, _ := tx.Query(ctx, `INSERT INTO notification_deliveries (notification_id, channel, user_id, unit_id, created_at, updated_at)
		SELECT i.notification_id, c.channel, u.id, NULL::bigint, $3::timestamptz, $3::timestamptz
		FROM notification_inbox i JOIN users u ON u.id = i.user_id CROSS JOIN unnest($2::text[]) c(channel)
		WHERE i.notification_id = $1 AND u.disabled_at IS NULL AND c.channel = ANY (u.notify_channels)
			AND ((c.channel = 'email' AND u.email <> '') OR (c.channel = 'sms' AND u.mobile <> ''))
		UNION ALL
		SELECT n.id, c.channel, NULL::bigint, NULL::bigint, $3::timestamptz, $3::timestamptz
		FROM notifications n CROSS JOIN unnest($2::text[]) c(channel)
		WHERE n.id = $1 AND (c.channel = 'webhook' OR (c.channel IN ('wecom', 'dingtalk') AND n.recipient = 'office'))
		UNION ALL
		SELECT n.id, c.channel, NULL::bigint, n.unit_id, $3::timestamptz, $3::timestamptz
		FROM notifications n JOIN unit_notify_channels uc ON uc.unit_id = n.unit_id CROSS JOIN unnest($4::text[]) c(channel)
		WHERE n.id = $1 AND n.recipient = 'unit' AND CASE c.channel
			WHEN 'wecom' THEN uc.wecom_on WHEN 'dingtalk' THEN uc.dingtalk_on
			WHEN 'email' THEN uc.email_on WHEN 'sms' THEN uc.sms_on ELSE false END
		ON CONFLICT DO NOTHING RETURNING id`, id, configured, now, unitChannels)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, db.Err(err)
}

// ChannelNames are the channels as pages name them.
var ChannelNames = map[string]string{
	channels.Email: "邮件", channels.SMS: "短信", channels.Webhook: "对接系统（Webhook）",
	channels.WeCom: "企业微信群", channels.DingTalk: "钉钉群",
}

// StateNames are the delivery states as pages name them.
var StateNames = map[string]string{
	"pending": "待发送", "sending": "发送中", "sent": "已发送", "failed": "发送失败，将自动重试", "given_up": "已放弃",
}

// Delivery is one delivery as the office's list shows it. Recipient is
// the account's name (or username), or the unit's name for a unit's own
// channel; Address the masked address (mailbox, mobile or robot); both are
// empty for the office-wide channels.
type Delivery struct {
	ID             int64      `json:"id" db:"id"`
	NotificationID int64      `json:"notification_id" db:"notification_id"`
	Title          string     `json:"title" db:"title"`
	Channel        string     `json:"channel" db:"channel"`
	State          string     `json:"state" db:"state"`
	Attempts       int        `json:"attempts" db:"attempts"`
	LastError      string     `json:"last_error" db:"last_error"`
	Reason         string     `json:"reason" db:"-"`
	Recipient      string     `json:"recipient" db:"recipient"`
	Address        string     `json:"address" db:"address"`
	UpdatedAt      time.Time  `json:"updated_at" db:"updated_at"`
	SentAt         *time.Time `json:"sent_at" db:"sent_at"`
}

// CanResend reports whether the office may resend it: given up. A failed
// delivery is still being retried by its job.
func (d Delivery) CanResend() bool { return d.State == "given_up" }

// ChannelName and StateName are the Chinese names.
func (d Delivery) ChannelName() string { return ChannelNames[d.Channel] }
func (d Delivery) StateName() string   { return StateNames[d.State] }

// Failures returns the failed and given-up deliveries, newest first,
// limit from offset, and how many there are.
func Failures(ctx context.Context, q db.DBTX, limit, offset int) ([]Delivery, int, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries
		WHERE state IN ('failed', 'given_up')`).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `SELECT d.id, d.notification_id, n.title, d.channel, d.state, d.attempts, d.last_error,
			coalesce(nullif(u.name, ''), u.username, un.name, '') AS recipient,
			CASE d.channel WHEN 'email' THEN coalesce(u.email, uc.duty_email, '') WHEN 'sms' THEN coalesce(u.mobile, uc.duty_mobile, '')
				WHEN 'wecom' THEN coalesce(uc.wecom_url, '') WHEN 'dingtalk' THEN coalesce(uc.dingtalk_url, '') ELSE '' END AS address,
			d.updated_at, d.sent_at
		FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
		LEFT JOIN users u ON u.id = d.user_id
		LEFT JOIN units un ON un.id = d.unit_id LEFT JOIN unit_notify_channels uc ON uc.unit_id = d.unit_id
		WHERE d.state IN ('failed', 'given_up')
		ORDER BY d.updated_at DESC, d.id DESC LIMIT $1 OFFSET $2`, limit, offset)
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[Delivery])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	for i := range ds {
		ds[i].Address = maskAddress(ds[i].Channel, ds[i].Address)
		ds[i].Reason = Reason(ds[i].LastError)
	}
	if ds == nil {
		ds = []Delivery{}
	}
	return ds, total, nil
}

// CountFailures returns how many deliveries failed or were given up.
func CountFailures(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM notification_deliveries WHERE state IN ('failed', 'given_up')`).Scan(&n)
	return n, db.Err(err)
}

// Resend queues a given-up delivery again: pending, with a new send job,
// recorded in the audit log. It returns not_found for an unknown delivery
// and conflict for one not given up (sent, or still being retried).
func Resend(ctx context.Context, pool *pgxpool.Pool, actor audit.Actor, id int64, now time.Time) error {
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM notification_deliveries WHERE id = $1 FOR UPDATE`, id).Scan(&state)
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return apperr.New(apperr.NotFound, "发送记录不存在")
		} else if err != nil {
			return err
		}
		if state != "given_up" {
			return apperr.New(apperr.Conflict, "只能重新发送已放弃的消息")
		}
		if _, err := tx.Exec(ctx, `UPDATE notification_deliveries SET state = 'pending', updated_at = $2
			WHERE id = $1`, id, now); err != nil {
			return db.Err(err)
		}
		if err := enqueueSends(ctx, tx, []int64{id}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor, "notification.resend", "notification_delivery", strconv.FormatInt(id, 10),
			map[string]string{"state": state}, map[string]string{"state": "pending"})
	})
}

// maskAddress hides most of an address: 138****1234, w***@example.gov.cn,
// a robot's key (channels.MaskURL).
func maskAddress(channel, addr string) string {
	switch {
	case addr == "":
		return ""
	case channel == channels.SMS:
		return secure.MaskPhone(addr)
	case channel == channels.WeCom || channel == channels.DingTalk:
		return channels.MaskURL(addr)
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "***"
	}
	return string([]rune(addr[:at])[0]) + "***" + addr[at:]
}

// Reason explains a delivery's last error in plain Chinese where it can;
// errors this package writes are Chinese already.
func Reason(lastError string) string {
	return ReasonOr(lastError, "发送失败，请检查该渠道的配置")
}

// ReasonOr is Reason with the words for an error it does not know
// (otherwise: what to check for the sender at hand).
func ReasonOr(lastError, otherwise string) string {
	e := strings.ToLower(lastError)
	switch {
	case lastError == "":
		return ""
	case !strings.ContainsAny(lastError, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"):
		return lastError
	case strings.Contains(e, "535") || strings.Contains(e, "auth"):
		return "邮件服务器拒绝登录，请检查邮件账号和密码"
	case strings.Contains(e, "550") || strings.Contains(e, "mailbox") || strings.Contains(e, "to \""):
		return "邮件服务器拒收，邮箱地址可能有误"
	case strings.Contains(e, "refused") || strings.Contains(e, "no such host") || strings.Contains(e, "timeout") ||
		strings.Contains(e, "deadline") || strings.Contains(e, "eof") || strings.Contains(e, "reset"):
		return "无法连接接收方服务器"
	case strings.Contains(e, "http 5") || strings.Contains(e, "http 429"):
		return "接收方服务器暂时无法处理"
	case strings.Contains(e, "http 4"):
		return "接收方拒绝了消息，请检查地址和密钥配置"
	case strings.Contains(e, "errcode 310000"):
		return "钉钉机器人拒绝了消息：加签密钥不符、消息不含机器人设置的关键词，或服务器不在机器人的IP白名单内"
	case strings.Contains(e, "errcode 300001") || strings.Contains(e, "errcode 400101") || strings.Contains(e, "errcode 93000"):
		return "机器人地址无效，或机器人已被移出群聊，请重新复制机器人地址"
	case strings.Contains(e, "errcode"):
		return "群机器人拒绝了消息，请检查机器人地址、密钥或关键词设置"
	case strings.Contains(e, "gateway refused"):
		return "短信平台拒绝了消息"
	}
	return otherwise
}
