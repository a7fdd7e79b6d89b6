package notify

import (
	"context"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/channels"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// ProbeResult is the outcome of a test message: whether the receiver took
// it, what to tell the user in Chinese, and the receiver's own answer
// (for the API and the logs; pages show Message only).
type ProbeResult struct {
	OK      bool   `json:"ok"`
	Message string `json:"message"`
	Detail  string `json:"detail,omitempty"`
}

// ProbeTimeout bounds a test message: the user waits for the answer.
const ProbeTimeout = 15 * time.Second

// Probe is what a test message needs besides the unit: the keys that open
// the 钉钉 secret, the allowed robot hosts, the configured senders (e-mail
// and SMS go through the office's SMTP server and SMS gateway), and the
// link the message carries.
type Probe struct {
	Keys    *secure.Keys
	Hosts   channels.RobotHosts
	Senders map[string]channels.Sender
	Link    string
}

// ProbeUnitChannel sends a test message on one of unit's own saved
// channels right away (synchronously, not through the delivery queue: the
// user is checking an address they just entered, and a test is not a
// notification anyone must receive). It returns an invalid-field error
// when the channel cannot be tried (nothing saved, or no SMTP server or
// SMS gateway configured); a refusal by the receiver is a result, not an
// error. Each call sends one more message.
func ProbeUnitChannel(ctx context.Context, q db.DBTX, p Probe, unitID int64, unitName, channel string) (ProbeResult, error) {
	r, err := scanUnitRow(q.QueryRow(ctx, `SELECT `+unitRowCols+` FROM unit_notify_channels WHERE unit_id = $1`, unitID))
	if err != nil {
		return ProbeResult{}, err
	}
	m := channels.Message{Kind: "test", Title: "测试消息：" + unitName + "的通知渠道",
		Text: "这是一条测试消息。收到即说明" + unitName + "的通知今后会发到这里，无需回复。", Link: p.Link, At: time.Now()}
	var sender channels.Sender
	missing := func(field, msg string) (ProbeResult, error) { return ProbeResult{}, apperr.InvalidField(field, msg) }
	switch channel {
	case channels.WeCom, channels.DingTalk:
		m.RobotURL = r.WeComURL
		if channel == channels.DingTalk {
			m.RobotURL = r.DingTalkURL
		}
		if m.RobotURL == "" {
			return missing(channel+"_url", "请先填写并保存机器人地址，再发送测试消息")
		}
		if p.Hosts.Check(m.RobotURL) != nil {
			return missing(channel+"_url", "机器人地址不在允许的范围内，请重新填写")
		}
		if channel == channels.DingTalk && r.DingTalkSecret != nil {
			if m.RobotSecret, err = p.Keys.Decrypt(r.DingTalkSecret); err != nil {
				return missing("dingtalk_secret", "加签密钥无法读取，请重新填写并保存")
			}
		}
		sender = channels.RobotSender(channel)
	case channels.Email:
		if m.Email = r.DutyEmail; m.Email == "" {
			return missing("duty_email", "请先填写并保存值班邮箱，再发送测试邮件")
		}
		if sender = p.Senders[channels.Email]; sender == nil {
			return missing("duty_email", "本系统尚未配置邮件发送服务器，值班邮箱暂时收不到通知，请联系系统管理员")
		}
	case channels.SMS:
		if m.Phone = r.DutyMobile; m.Phone == "" {
			return missing("duty_mobile", "请先填写并保存值班手机，再发送测试短信")
		}
		if sender = p.Senders[channels.SMS]; sender == nil {
			return missing("duty_mobile", "本系统尚未配置短信平台，值班手机暂时收不到通知，请联系系统管理员")
		}
	default:
		return missing("channel", "请选择要测试的渠道")
	}
	ctx, cancel := context.WithTimeout(ctx, ProbeTimeout)
	defer cancel()
	if err := sender.Send(ctx, m); err != nil {
		return ProbeResult{Message: "发送失败：" + Reason(err.Error()), Detail: err.Error()}, nil
	}
	return ProbeResult{OK: true, Message: probeSent[channel]}, nil
}

var probeSent = map[string]string{
	channels.WeCom:    "测试消息已发送到企业微信群，请在群里查看。",
	channels.DingTalk: "测试消息已发送到钉钉群，请在群里查看。",
	channels.Email:    "测试邮件已发出，请到值班邮箱查收。",
	channels.SMS:      "测试短信已发出，请在值班手机上查收。",
}
