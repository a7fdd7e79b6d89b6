package notify

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
	"minyi/internal/secure"
)

// SendAttempts is how many times a delivery is tried before it is given
// up; river spaces the tries with its exponential back-off (seconds at
// first, hours by the eighth).
const SendAttempts = 8

// Interrupted is the error of a delivery whose send was cut off (the
// instance stopped mid-send) on a channel whose receiver cannot recognise
// a repeat: it is not sent again on its own, the office resends it.
const Interrupted = "发送中断，无法确认是否已送达"

// SendArgs is the river job that sends one delivery.
type SendArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job in river_job.
func (SendArgs) Kind() string { return "notification_send" }

// InsertOpts caps the tries.
func (SendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: SendAttempts} }

// resendable reports whether a channel's receiver can drop a message it
// receives twice: the webhook carries the delivery id in X-Minyi-Delivery,
// an e-mail a Message-ID made from it. SMS and the group robots have no
// such key.
func resendable(channel string) bool { return channel == channels.Webhook || channel == channels.Email }

// sendWorker sends one delivery on its channel.
type sendWorker struct {
	river.WorkerDefaults[SendArgs]
	pool    *pgxpool.Pool
	senders map[string]channels.Sender
	baseURL string
	// keys open a unit's 钉钉 secret; robotHosts are where a unit's robot
	// may be (both from Options).
	keys       *secure.Keys
	robotHosts channels.RobotHosts
}

// Work sends the delivery at most once: it first marks the delivery
// sending (one more attempt) in its own transaction, then sends, then
// records the outcome. Finding the delivery already sending means an
// earlier attempt stopped mid-send; then it resends only where the
// receiver can drop the repeat, and gives up otherwise. A temporary
// failure returns an error, so river retries after its back-off, until
// the last attempt, which gives up.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	id := job.Args.DeliveryID
	m, sender, ok, err := w.begin(ctx, id)
	if err != nil || !ok {
		return err
	}
	state, lastError, retry := channels.Outcome(sender.Send(ctx, m), job.Attempt, job.MaxAttempts)
	if err := w.finish(ctx, id, state, lastError); err != nil {
		return err
	}
	return retry
}

// begin locks the delivery, decides whether to send it and, if so, marks
// it sending and returns its message and sender. ok is false when there
// is nothing to send: the delivery is gone, done, or given up here. A
// unit's own channel is read now, as the unit has it: switched off or
// removed since the delivery was planned, it is given up; its robot goes
// out through a sender of its own (channels.RobotSender) to the address
// it carries, checked again against the allowed hosts.
func (w *sendWorker) begin(ctx context.Context, id int64) (m channels.Message, sender channels.Sender, ok bool, err error) {
	err = db.Tx(ctx, w.pool, func(tx pgx.Tx) error {
		var state, channel, kind, title, body, link, email, mobile, robotURL string
		var secret []byte
		var unitID *int64
		var at time.Time
		err := tx.QueryRow(ctx, `SELECT d.state, d.channel, d.unit_id, n.kind, n.title, n.body, n.link, n.created_at,
				CASE WHEN d.unit_id IS NULL THEN coalesce(u.email, '') WHEN uc.email_on THEN uc.duty_email ELSE '' END,
				CASE WHEN d.unit_id IS NULL THEN coalesce(u.mobile, '') WHEN uc.sms_on THEN uc.duty_mobile ELSE '' END,
				coalesce(CASE d.channel WHEN 'wecom' THEN CASE WHEN uc.wecom_on THEN uc.wecom_url END
					WHEN 'dingtalk' THEN CASE WHEN uc.dingtalk_on THEN uc.dingtalk_url END END, ''),
				uc.dingtalk_secret
			FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
			LEFT JOIN users u ON u.id = d.user_id
			LEFT JOIN unit_notify_channels uc ON uc.unit_id = d.unit_id
			WHERE d.id = $1 FOR UPDATE OF d`, id).
			Scan(&state, &channel, &unitID, &kind, &title, &body, &link, &at, &email, &mobile, &robotURL, &secret)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return db.Err(err)
		}
		unitRobot := unitID != nil && (channel == channels.WeCom || channel == channels.DingTalk)
		sender = w.senders[channel]
		if unitRobot {
			sender = channels.RobotSender(channel)
		}
		var robotSecret string
		giveUp := ""
		switch {
		case state == "sent" || state == "given_up":
			return nil
		case state == "sending" && !resendable(channel):
			giveUp = Interrupted
		case sender == nil:
			giveUp = "该渠道已不再配置"
		case unitRobot && robotURL == "":
			giveUp = "单位已关闭或删除该机器人"
		case unitRobot && w.robotHosts.Check(robotURL) != nil:
			giveUp = channels.ErrRobotHost.Error()
		case channel == channels.Email && email == "" && unitID != nil:
			giveUp = "单位已关闭或删除值班邮箱"
		case channel == channels.SMS && mobile == "" && unitID != nil:
			giveUp = "单位已关闭或删除值班手机"
		case channel == channels.Email && email == "":
			giveUp = "账号没有邮箱地址"
		case channel == channels.SMS && mobile == "":
			giveUp = "账号没有手机号码"
		}
		if giveUp == "" && unitRobot && channel == channels.DingTalk && secret != nil {
			if robotSecret, err = w.keys.Decrypt(secret); err != nil {
				giveUp = "钉钉机器人的加签密钥无法读取，请单位重新填写"
			}
		}
		if giveUp != "" {
			return setState(ctx, tx, id, "given_up", giveUp)
		}
		if _, err := tx.Exec(ctx, `UPDATE notification_deliveries SET state = 'sending', attempts = attempts + 1,
			updated_at = $2 WHERE id = $1`, id, time.Now()); err != nil {
			return db.Err(err)
		}
		m = channels.Message{ID: strconv.FormatInt(id, 10), Kind: kind, Title: title, Text: body,
			Link: w.baseURL + link, At: at}
		switch channel {
		case channels.Email:
			m.Email = email
		case channels.SMS:
			m.Phone = mobile
		case channels.WeCom, channels.DingTalk:
			if unitRobot {
				m.RobotURL, m.RobotSecret = robotURL, robotSecret
			}
		}
		ok = true
		return nil
	})
	if err != nil {
		return m, nil, false, fmt.Errorf("notify: delivery %d: %w", id, err)
	}
	return m, sender, ok, nil
}

// finish records the outcome of a send.
func (w *sendWorker) finish(ctx context.Context, id int64, state, lastError string) error {
	// The send is over whatever ctx says now: record it regardless.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	return setState(ctx, w.pool, id, state, lastError)
}

func setState(ctx context.Context, q db.DBTX, id int64, state, lastError string) error {
	now := time.Now()
	var sentAt *time.Time
	if state == "sent" {
		sentAt = &now
	}
	_, err := q.Exec(ctx, `UPDATE notification_deliveries SET state = $2, last_error = $3, updated_at = $4, sent_at = $5
		WHERE id = $1`, id, state, lastError, now, sentAt)
	return db.Err(err)
}
