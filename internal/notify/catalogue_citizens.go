package notify

// The SMS to citizens (internal/citizensms) as the office edits them: a
// body without a title, ending with the opt-out link. The kinds are
// citizensms's; they never pass through Send.
const (
	KindSMSCaseFollowup   = "case_followup"
	KindSMSCallbackNotice = "callback_notice"
	KindSMSSurveyInvite   = "survey_invite"
	KindSMSSurveyReminder = "survey_reminder"
	// KindSMSInstrumentInvite invites a leader, deputy or member to an
	// evaluation instrument (评价项目) with their own link.
	KindSMSInstrumentInvite = "instrument_invite"
	// KindSMSWindowInvite invites the applicant of a window case whose
	// rating request expired unanswered (主动邀评) with a one-time link.
	KindSMSWindowInvite = "window_invite"
)

// ForCitizen are the kinds read by citizens, as SMS.
const ForCitizen = "citizen"

// PlaceholderStop is the opt-out link every SMS text must carry.
const PlaceholderStop = "退订链接"

var stopPlaceholder = Placeholder{Name: PlaceholderStop, About: "退订短信的链接（每条短信必须包含）",
	Example: "https://minyi.example.gov.cn/sms/stop/Ab3dE5"}

var citizenTemplates = []Template{
	{Kind: KindSMSCaseFollowup, Name: "整改办结追评邀请（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "链接", About: "一次性的追评链接", Example: "https://minyi.example.gov.cn/f/9Kx2mQ"},
			stopPlaceholder},
		Default: Text{Body: "您反映的问题已整改办结，请评价整改结果：{链接} 退订：{退订链接}"}},
	{Kind: KindSMSCallbackNotice, Name: "差评受理回访告知（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "单位", About: "被评价的单位，最多20字", Example: "市人社局"},
			{Name: "回访日期", About: "电话回访的最后一天", Example: "12月10日"},
			stopPlaceholder},
		Default: Text{Body: "您对{单位}的评价已受理，我们将于{回访日期}前电话回访。退订：{退订链接}"}},
	{Kind: KindSMSSurveyInvite, Name: "问卷调查邀请（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "问卷", About: "问卷标题，最多20字", Example: "2026年度群众满意度测评"},
			{Name: "链接", About: "受访人本人的作答链接", Example: "https://minyi.example.gov.cn/s/Qw8rT1"},
			stopPlaceholder},
		Default: Text{Body: "诚邀您参加“{问卷}”，请点击作答：{链接} 退订：{退订链接}"}},
	{Kind: KindSMSSurveyReminder, Name: "问卷作答提醒（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "问卷", About: "问卷标题，最多20字", Example: "2026年度群众满意度测评"},
			{Name: "截止时间", About: "问卷截止的日期和时间", Example: "12月31日18:00"},
			{Name: "链接", About: "受访人本人的作答链接", Example: "https://minyi.example.gov.cn/s/Qw8rT1"},
			stopPlaceholder},
		Default: Text{Body: "“{问卷}”将于{截止时间}截止，您尚未提交，请点击作答：{链接} 退订：{退订链接}"}},
	{Kind: KindSMSInstrumentInvite, Name: "评价项目邀请（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "评价", About: "评价项目名称，最多20字", Example: "2026年度领导评价"},
			{Name: "链接", About: "评价人本人的评价链接", Example: "https://minyi.example.gov.cn/e/Qw8rT1"},
			stopPlaceholder},
		Default: Text{Body: "诚邀您参加“{评价}”，请点击评价：{链接} 退订：{退订链接}"}},
	{Kind: KindSMSWindowInvite, Name: "窗口办件评价邀请（短信）", For: ForCitizen, SMS: true,
		Placeholders: []Placeholder{
			{Name: "单位", About: "办件的单位，最多20字", Example: "市政务服务中心"},
			{Name: "链接", About: "本次办件的一次性评价链接", Example: "https://minyi.example.gov.cn/w/Qw8rT1"},
			stopPlaceholder},
		Default: Text{Body: "您刚在{单位}办理了业务，请为本次服务评价：{链接} 退订：{退订链接}"}},
}
