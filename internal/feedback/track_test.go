package feedback

import (
	"strings"
	"testing"
	"time"
)

func TestTrackingSteps(t *testing.T) {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	later := at.Add(48 * time.Hour)
	str := func(s string) *string { return &s }
	caseID := int64(7)
	open := func(status string, answered, closed bool) Tracking {
		tr := Tracking{ReviewItem: true, Verdict: str("valid"), DecidedAt: &later, CaseID: &caseID, CaseStatus: &status, CaseSentAt: &later}
		if answered {
			tr.AnsweredAt = &later
		}
		if closed {
			tr.ClosedAt = &later
		}
		return tr
	}
	for _, c := range []struct {
		name   string
		tr     Tracking
		steps  string // label:state, in order
		status string
	}{
		{"praise without a message", Tracking{}, "已收到:done", "计入该单位的满意度统计"},
		{"pending", Tracking{ReviewItem: true},
			"已收到:done 核查中:current 已交办单位:next 单位已答复:next 已整改:next", "正在核查"},
		{"reopened", Tracking{ReviewItem: true, DecidedAt: &later},
			"已收到:done 核查中:current 已交办单位:next 单位已答复:next 已整改:next", "正在核查"},
		{"acknowledged", Tracking{ReviewItem: true, Verdict: str("acknowledged"), DecidedAt: &later},
			"已收到:done 核查中:done 已阅，无需处理:done", "无需另行处理"},
		{"invalid", Tracking{ReviewItem: true, Verdict: str("invalid"), DecidedAt: &later},
			"已收到:done 核查中:done 未予立案:done", "未予立案"},
		{"case sent", open(CaseSent, false, false),
			"已收到:done 核查中:done 已交办单位:done 单位已答复:current 已整改:next", "等待单位答复"},
		{"answered", open(CaseAnswered, true, false),
			"已收到:done 核查中:done 已交办单位:done 单位已答复:done 已整改:current", "单位已答复"},
		{"done reported", open(CaseDoneReported, true, false),
			"已收到:done 核查中:done 已交办单位:done 单位已答复:done 已整改:current", "等待绩效办核验"},
		{"returned", open(CaseReturned, true, false),
			"已收到:done 核查中:done 已交办单位:done 单位已答复:done 已整改:current", "继续整改"},
		{"closed", open(CaseClosed, true, true),
			"已收到:done 核查中:done 已交办单位:done 单位已答复:done 已整改:done", "已办结"},
		// A case opened from the rating without a verdict of the queue.
		{"case without a verdict", Tracking{CaseID: &caseID, CaseStatus: str(CaseSent), CaseSentAt: &later},
			"已收到:done 核查中:done 已交办单位:done 单位已答复:current 已整改:next", "等待单位答复"},
	} {
		var got []string
		for _, s := range c.tr.Steps() {
			got = append(got, s.Label+":"+s.State)
			if (s.State == StepDone) != (s.At != nil) {
				t.Errorf("%s: step %s is %s with time %v", c.name, s.Label, s.State, s.At)
			}
		}
		if g := strings.Join(got, " "); g != c.steps {
			t.Errorf("%s: steps\n %s\nwant\n %s", c.name, g, c.steps)
		}
		if s := c.tr.Status(); !strings.Contains(s, c.status) {
			t.Errorf("%s: status %q, want it to say %q", c.name, s, c.status)
		}
	}
}
