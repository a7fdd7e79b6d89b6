package notify_test

import (
	"strings"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/export"
	"minyi/internal/feedback"
	"minyi/internal/notify"
	"minyi/internal/results"
	"minyi/internal/selfeval"
	"minyi/internal/surveys"
	"minyi/internal/targets"
)

// Every kind of the catalogue is complete and renders its default texts
// with its example values to a title and body without a brace left; each
// placeholder it lists is one its default uses.
func TestEveryKindRendersItsExamples(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range notify.Catalogue() {
		if seen[k.Kind] || k.Name == "" || (k.For != notify.ToUnitKind && k.For != notify.ToOfficeKind && k.For != notify.ForLeader && k.For != notify.ForStarter &&
			!(k.For == notify.ForCitizen && k.SMS)) {
			t.Errorf("%s: listed twice, unnamed or for %q", k.Kind, k.For)
		}
		seen[k.Kind] = true
		if err := k.Validate(k.Default); err != nil {
			t.Errorf("%s: the default is refused: %v", k.Kind, apperr.From(err).Fields)
		}
		used := strings.Join(notify.Names(k.Default.Title+k.Default.Body), ",")
		for _, p := range k.Placeholders {
			if p.About == "" || p.Example == "" || !strings.Contains(","+used+",", ","+p.Name+",") {
				t.Errorf("%s: placeholder %+v undescribed, without an example or unused by the default", k.Kind, p)
			}
		}
		r := k.Preview(k.Default)
		if (r.Title == "") != k.SMS || r.Body == "" || strings.ContainsAny(r.Title+r.Body, "{}") {
			t.Errorf("%s renders %+v", k.Kind, r)
		}
	}
	if len(seen) < 18+4 {
		t.Fatalf("%d kinds in the catalogue", len(seen))
	}
}

// Every kind an event sends is in the catalogue (Send refuses any other,
// so the events' own tests catch a kind added without its entry too).
func TestEveryKindAnEventSendsIsInTheCatalogue(t *testing.T) {
	for _, kind := range []string{
		feedback.NoticeCaseSent, feedback.NoticeCaseReturned, feedback.NoticeCallbackDue,
		feedback.NoticeAppealFiled, feedback.NoticeAppealDecided,
		feedback.NoticeCaseDueSoon, feedback.NoticeCaseOverdue, feedback.NoticeCaseEscalated,
		targets.NoticeSheetSubmitted, targets.NoticeSheetReturned, targets.NoticeSheetApproved, targets.NoticeReportDue,
		results.NoticePreliminary, results.NoticeAppealFiled, results.NoticeAppealAnswered,
		assessment.NoticeBonusDecided, assessment.NoticeDeduction, surveys.NoticeClosing, assessors.NoticeProposalDecided,
		selfeval.NoticeDueSoon, selfeval.NoticeOverdue, selfeval.NoticeLate,
		export.NoticeReady, export.NoticeFailed,
	} {
		if _, ok := notify.Lookup(kind); !ok {
			t.Errorf("%s is sent but not in the catalogue", kind)
		}
	}
}

func TestRenderFillsOncePerPass(t *testing.T) {
	got := notify.Render("整改案件“{案件}”退回理由：{退回理由}。{未知}", notify.Values{
		"案件": "窗口{退回理由}", "退回理由": "措施不具体"})
	if want := "整改案件“窗口{退回理由}”退回理由：措施不具体。{未知}"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestValidateRefusesWhatCannotBeSent(t *testing.T) {
	k, _ := notify.Lookup(notify.KindCaseSent)
	for _, c := range []struct {
		text  notify.Text
		field string
		words []string
	}{
		{notify.Text{Title: "新案件：{案件}", Body: "请于{截止日期}前答复{单位名称}。"}, "body", []string{"{截止日期}", "{单位名称}"}},
		{notify.Text{Title: " ", Body: "请答复"}, "title", []string{"请填写标题"}},
		{notify.Text{Title: "新案件", Body: ""}, "body", []string{"请填写正文"}},
		{notify.Text{Title: strings.Repeat("案", 101), Body: "请答复"}, "title", []string{"100"}},
		{notify.Text{Title: "新案件", Body: strings.Repeat("案", 1001)}, "body", []string{"1000"}},
		{notify.Text{Title: "新案件\x00", Body: "请答复"}, "title", []string{"无法识别的字符"}},
	} {
		err := k.Validate(c.text)
		msg := apperr.From(err).Fields[c.field]
		if !apperr.Is(err, apperr.Invalid) || msg == "" {
			t.Errorf("%+v: %v", c.text, err)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(msg, w) {
				t.Errorf("%+v: message %q does not say %q", c.text, msg, w)
			}
		}
	}
	if err := k.Validate(notify.Text{Title: "交办：{案件}", Body: "{答复期限}前答复，共{答复工作日}个工作日。"}); err != nil {
		t.Fatalf("known placeholders refused: %v", err)
	}
}

// An SMS text to citizens has no title and must keep the opt-out link;
// Send refuses an SMS kind (it goes through internal/citizensms).
func TestSMSTextsKeepTheOptOut(t *testing.T) {
	k, ok := notify.Lookup(notify.KindSMSSurveyInvite)
	if !ok || !k.SMS {
		t.Fatalf("%s: %+v", notify.KindSMSSurveyInvite, k)
	}
	if err := k.Validate(notify.Text{Body: "请参加“{问卷}”：{链接}"}); apperr.From(err).Fields["body"] == "" ||
		!strings.Contains(apperr.From(err).Fields["body"], "退订链接") {
		t.Errorf("a text without the opt-out link: %v", err)
	}
	if err := k.Validate(notify.Text{Body: "请参加“{问卷}”：{链接}，退订：{退订链接}"}); err != nil {
		t.Errorf("a text with the opt-out link refused: %v", err)
	}
	if err := k.Validate(notify.Text{Body: strings.Repeat("问", 301) + "{退订链接}"}); err == nil {
		t.Error("an SMS of 300+ characters accepted")
	}
}
