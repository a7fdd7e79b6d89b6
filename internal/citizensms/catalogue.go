// Package citizensms sends SMS to citizens (issue 14): the one-time 追评
// link after a case from a rating closes, the notice that a real-name
// 差评 was accepted and when it will be called back, and survey
// invitations and reminders. Only to numbers the citizens gave (a
// rating's call-back number, a survey respondent's number), only within
// the allowed hours (SMS_QUIET_HOURS), never to a number that opted out
// (every message ends with its opt-out link).
//
// A message is recorded in the transaction of the event that causes it
// (record.go, a transactional outbox) and sent by a river job scheduled at
// the first allowed moment (send.go), at most once even across instances
// and crashes, in the same way internal/notify sends staff notifications.
package citizensms

import (
	"strings"
	"unicode/utf8"

	"minyi/internal/notify"
)

// Kinds of citizen SMS (their texts are in internal/notify's catalogue,
// where the office edits them with its notifications).
const (
	KindCaseFollowup     = notify.KindSMSCaseFollowup
	KindCallbackNotice   = notify.KindSMSCallbackNotice
	KindSurveyInvite     = notify.KindSMSSurveyInvite
	KindSurveyReminder   = notify.KindSMSSurveyReminder
	KindInstrumentInvite = notify.KindSMSInstrumentInvite
	KindWindowInvite     = notify.KindSMSWindowInvite
)

// Placeholder names the events fill (notify's catalogue lists them per
// kind, in the office's words).
const (
	phUnit       = "单位"
	phCallback   = "回访日期"
	phSurvey     = "问卷"
	phCloses     = "截止时间"
	phLink       = "链接"
	phInstrument = "评价"
	phStop       = notify.PlaceholderStop
)

// Text is one kind of message: its Chinese name and whether it is
// automatic. The texts themselves are templates the office may edit
// (/console/notifications/templates; notify.SMSText reads the one in
// force); each has named placeholders in braces and ends with the opt-out
// link. The gateway puts the signature (SMS_SIGNATURE, 【…】) in front. A
// default text is kept short: one 70-character segment where the links
// allow.
type Text struct {
	Kind string
	Name string
	// Automatic kinds follow an event and can be switched off by the
	// office; the others are sent by the office's own action.
	Automatic bool
}

// Catalogue is every kind, in the order pages list them.
var Catalogue = []Text{
	{Kind: KindCaseFollowup, Name: "整改办结追评邀请", Automatic: true},
	{Kind: KindCallbackNotice, Name: "差评受理回访告知", Automatic: true},
	{Kind: KindSurveyInvite, Name: "问卷调查邀请"},
	{Kind: KindSurveyReminder, Name: "问卷作答提醒"},
	{Kind: KindInstrumentInvite, Name: "评价项目邀请"},
	{Kind: KindWindowInvite, Name: "窗口办件评价邀请", Automatic: true},
}

// KindName returns a kind's Chinese name.
func KindName(kind string) string {
	for _, t := range Catalogue {
		if t.Kind == kind {
			return t.Name
		}
	}
	return "短信"
}

// Values are a text's placeholders by name (without braces).
type Values map[string]string

// render fills the template tpl with v. It returns the text to send and
// its preview for the office: the same text with the links (which hold
// one-time tokens) cut.
func render(tpl string, v Values) (text, preview string) {
	cut := notify.Values{}
	for name, value := range v {
		if name == phLink || name == phStop {
			value = "[链接]"
		}
		cut[name] = value
	}
	return notify.Render(tpl, notify.Values(v)), notify.Render(tpl, cut)
}

// clip shortens a name put into a text to n characters.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
