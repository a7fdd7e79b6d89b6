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
)

// Kinds of citizen SMS.
const (
	KindCaseFollowup   = "case_followup"
	KindCallbackNotice = "callback_notice"
	KindSurveyInvite   = "survey_invite"
	KindSurveyReminder = "survey_reminder"
)

// Text is one kind of message: its Chinese name and default text. The
// texts are a small catalogue with named placeholders in braces, kept in
// one place so they can be connected to the template editor of the staff
// notifications later:
//
//	{unit}   the unit's name          {date}  a deadline or closing date
//	{survey} the survey's title       {link}  the 追评 or survey link
//	{stop}   the opt-out link (every text ends with it)
//
// The gateway puts the signature (SMS_SIGNATURE, 【…】) in front. A text
// is kept short: one 70-character segment where the links allow.
type Text struct {
	Kind    string
	Name    string
	Default string
	// Automatic kinds follow an event and can be switched off by the
	// office; the others are sent by the office's own action.
	Automatic bool
}

// Catalogue is every kind's text, in the order pages list them.
var Catalogue = []Text{
	{Kind: KindCaseFollowup, Name: "整改办结追评邀请", Automatic: true,
		Default: "您反映的问题已整改办结，请评价整改结果：{link} 退订：{stop}"},
	{Kind: KindCallbackNotice, Name: "差评受理回访告知", Automatic: true,
		Default: "您对{unit}的评价已受理，我们将于{date}前电话回访。退订：{stop}"},
	{Kind: KindSurveyInvite, Name: "问卷调查邀请",
		Default: "诚邀您参加“{survey}”，请点击作答：{link} 退订：{stop}"},
	{Kind: KindSurveyReminder, Name: "问卷作答提醒",
		Default: "“{survey}”将于{date}截止，您尚未提交，请点击作答：{link} 退订：{stop}"},
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

// render fills the kind's text with v. It returns the text to send and
// its preview for the office: the same text with the links (which hold
// one-time tokens) cut.
func render(kind string, v Values) (text, preview string) {
	tpl := ""
	for _, t := range Catalogue {
		if t.Kind == kind {
			tpl = t.Default
		}
	}
	var full, cut []string
	for name, value := range v {
		full = append(full, "{"+name+"}", value)
		if name == "link" || name == "stop" {
			value = "[链接]"
		}
		cut = append(cut, "{"+name+"}", value)
	}
	return strings.NewReplacer(full...).Replace(tpl), strings.NewReplacer(cut...).Replace(tpl)
}

// clip shortens a name put into a text to n characters.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
