package todos

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"minyi/internal/users"
	"minyi/internal/workdays"
)

// officeSources are the office's to-dos.
var officeSources = []source{officeReviewBacklog, officeCounts, officeReviewApplications, officeOverdueCases,
	officeSurveys, officeReportReceipts, officeDeductionProposals, officeResultReceipts, officeSelfEvalOverdue}

// overdueUnitsShown is how many units the overdue-cases items name; the
// rest are gathered in one item.
const overdueUnitsShown = 10

// officeReviewBacklog is the review queue's pending items over its
// default period, counted within the queue's budget (an estimate past it).
func officeReviewBacklog(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	to := env.today().AddDate(0, 0, 1)
	t, err := feedback.CountQueue(ctx, q, env.Loc, feedback.Filter{From: to.Add(-env.ReviewPeriod - 24*time.Hour), To: to,
		Status: "pending"})
	if err != nil || t.N == 0 {
		return nil, err
	}
	n := httpx.GroupDigits(t.N)
	switch {
	case t.Estimated:
		n = "约 " + n
	case !t.Exact:
		n += "+"
	}
	return []Item{{Kind: KindReviewBacklog, Count: t.N, CountText: n, Title: "民意核查待处理 " + n + " 条",
		Detail: "差评和留言逐条核查：立案交办、剔除计分或标为已阅", Link: "/console/feedback"}}, nil
}

// officeCounts are the office's gathered items that one statement counts:
// appeals against 差评, call-backs due, cases to verify, suspicious
// patterns, target sheets and changes to approve.
func officeCounts(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	var appeals, callbacks, verify, flags, sheets, changes int
	var callbackDue *string
	var sheetCycle *int64
	err := q.QueryRow(ctx, `WITH callbacks AS (
			SELECT count(*) AS n, to_char(min(c.callback_due), 'YYYY-MM-DD') AS due FROM rectification_cases c
			WHERE c.real_name AND c.callback_due <= $1::date AND c.status <> 'closed'
			  AND NOT EXISTS (SELECT FROM case_callbacks cb WHERE cb.case_id = c.id)
		), sheets AS (
			SELECT count(*) AS n, max(cycle_id) AS cycle FROM target_sheets WHERE status = 'submitted'
		)
		SELECT (SELECT count(*) FROM feedback_appeals WHERE status = 'open'), callbacks.n, callbacks.due,
			(SELECT count(*) FROM rectification_cases WHERE status = 'done_reported'),
			(SELECT count(*) FROM feedback_flags WHERE status = 'open'), sheets.n, sheets.cycle,
			(SELECT count(*) FROM target_change_requests WHERE status = 'pending')
		FROM callbacks, sheets`, env.todayString()).
		Scan(&appeals, &callbacks, &callbackDue, &verify, &flags, &sheets, &sheetCycle, &changes)
	if err != nil {
		return nil, db.Err(err)
	}
	var out []Item
	add := func(n int, it Item) {
		if n > 0 {
			it.Count = n
			out = append(out, it)
		}
	}
	add(callbacks, Item{Kind: KindCallbacksDue, Title: "实名差评回访 " + strconv.Itoa(callbacks) + " 件待回访",
		Detail: "回访期限已到，尚无回访记录", Due: callbackDue, Link: "/console/callbacks"})
	add(verify, Item{Kind: KindCaseVerify, Title: "核验整改完成情况 " + strconv.Itoa(verify) + " 件",
		Detail: "单位已报告整改完成，待核验结案", Link: "/console/cases?status=done_reported"})
	add(appeals, Item{Kind: KindFeedbackAppeals, Title: "单位对差评的申诉 " + strconv.Itoa(appeals) + " 件待裁定",
		Link: "/console/feedback/appeals?status=open"})
	add(flags, Item{Kind: KindPatternFlags, Title: "可疑评价 " + strconv.Itoa(flags) + " 组待核查",
		Detail: "同一地址、同一设备或同一号码集中评价", Link: "/console/feedback/flags"})
	link := "/console/targets"
	if sheetCycle != nil {
		link += "?" + url.Values{"cycle_id": {strconv.FormatInt(*sheetCycle, 10)}}.Encode()
	}
	add(sheets, Item{Kind: KindTargetApproval, Title: "审核单位报送的目标责任书 " + strconv.Itoa(sheets) + " 份", Link: link})
	add(changes, Item{Kind: KindChangeRequests, Title: "审核目标调整申请 " + strconv.Itoa(changes) + " 件", Link: "/console/targets"})
	return out, nil
}

// officeReviewApplications are the units' applications for review of
// their preliminary results (复核申请) not yet answered, each with its
// answer deadline.
func officeReviewApplications(ctx context.Context, q db.DBTX, _ users.User, _ Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT a.cycle_id, a.unit_id, u.name, c.name, to_char(a.answer_due, 'YYYY-MM-DD')
		FROM assessment_appeals a JOIN units u ON u.id = a.unit_id JOIN assessment_cycles c ON c.id = a.cycle_id
		WHERE a.status = 'pending' ORDER BY a.answer_due, a.id LIMIT 200`)
	var out []Item
	var cycle, unit int64
	var unitName, cycleName, due string
	_, err := pgx.ForEachRow(rows, []any{&cycle, &unit, &unitName, &cycleName, &due}, func() error {
		out = append(out, Item{Kind: KindReviewApplication, UnitID: ptr(unit), UnitName: unitName, Title: "答复" + unitName + "的复核申请",
			Detail: cycleName, Due: ptr(due), Link: resultLink(cycle, unit) + "#appeal"})
		return nil
	})
	return out, db.Err(err)
}

// officeOverdueCases names the units with the most overdue cases (answers
// and fixes past their deadlines), each with its oldest deadline; the
// others are one item.
func officeOverdueCases(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT c.unit_id, u.name, count(*)::int,
			to_char(min(CASE WHEN `+feedback.OverdueAnswerSQL("c", "$1")+` THEN c.answer_due ELSE c.fix_due END), 'YYYY-MM-DD')
		FROM rectification_cases c JOIN units u ON u.id = c.unit_id
		WHERE c.status IN ('sent', 'answered', 'returned')
		  AND (`+feedback.OverdueAnswerSQL("c", "$1")+` OR `+feedback.OverdueFixSQL("c", "$1")+`)
		GROUP BY c.unit_id, u.name ORDER BY 3 DESC, 4, c.unit_id`, env.todayString())
	var out []Item
	var restUnits, restCases int
	var restDue *string
	var unit int64
	var name, due string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&unit, &name, &n, &due}, func() error {
		if len(out) == overdueUnitsShown {
			restUnits, restCases = restUnits+1, restCases+n
			if restDue == nil || due < *restDue {
				restDue = ptr(due)
			}
			return nil
		}
		out = append(out, Item{Kind: KindOverdueCases, UnitID: ptr(unit), UnitName: name, Count: n,
			Title: name + "：逾期整改案件 " + strconv.Itoa(n) + " 件", Detail: "督促单位答复或落实整改", Due: ptr(due),
			Link: "/console/cases?" + url.Values{"unit_id": {strconv.FormatInt(unit, 10)}, "overdue": {feedback.OverdueAny}}.Encode()})
		return nil
	})
	if restUnits > 0 {
		out = append(out, Item{Kind: KindOverdueCases, Count: restCases, Due: restDue,
			Title:  "其余 " + strconv.Itoa(restUnits) + " 个单位：逾期整改案件 " + strconv.Itoa(restCases) + " 件",
			Detail: "督促单位答复或落实整改", Link: "/console/cases?overdue=" + feedback.OverdueAny})
	}
	return out, db.Err(err)
}

// officeSurveys are the open surveys closing within env.SurveyAhead days
// (or past their close and still open) with respondents who have not
// submitted.
func officeSurveys(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT s.id, s.title, s.closes_at,
			(SELECT count(*)::int FROM survey_respondents r WHERE r.survey_id = s.id AND r.status <> 'submitted')
		FROM surveys s WHERE s.status = 'open' AND s.closes_at IS NOT NULL AND s.closes_at < $1
		ORDER BY s.closes_at, s.id`, env.Now.AddDate(0, 0, env.SurveyAhead))
	var out []Item
	var id int64
	var title string
	var closes time.Time
	var waiting int
	_, err := pgx.ForEachRow(rows, []any{&id, &title, &closes, &waiting}, func() error {
		it := Item{Kind: KindSurveyClosing, Title: "问卷即将截止：" + title, Due: ptr(closes.In(env.Loc).Format(dateLayout)),
			Link: idLink("/console/surveys/", id)}
		if closes.Before(env.Now) {
			it.Title = "问卷已过截止时间，请关闭：" + title
		}
		if waiting > 0 {
			it.Detail, it.Count = strconv.Itoa(waiting)+" 位受邀评议人尚未提交", waiting
		}
		out = append(out, it)
		return nil
	})
	return out, db.Err(err)
}

// officeCalendar asks for a missing working-day calendar: this year's at
// any time, next year's from 1 October (the State Council publishes the
// holidays in November or later); the deadlines stay provisional until
// it is entered. cal is the calendar For loaded for the due dates.
func officeCalendar(cal *workdays.Calendar, env Env) []Item {
	now := env.Now.In(env.Loc)
	var out []Item
	for _, y := range workdays.MissingYears(cal, now) {
		it := Item{Kind: KindCalendarMissing, Title: "录入" + strconv.Itoa(y) + "年工作日历",
			Detail: "未录入前，按工作日计算的期限只计周末、不计法定节假日，为暂定期限",
			Link:   "/console/workdays/new?year=" + strconv.Itoa(y)}
		if y > now.Year() {
			it.Due = ptr(strconv.Itoa(now.Year()) + "-12-31")
		}
		out = append(out, it)
	}
	return out
}

// officeReportReceipts are the written rectification reports submitted
// and not yet received (签收).
func officeReportReceipts(ctx context.Context, q db.DBTX, _ users.User, _ Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT r.cycle_id, r.unit_id, u.name, c.name FROM assessment_rectification_reports r
		JOIN units u ON u.id = r.unit_id JOIN assessment_cycles c ON c.id = r.cycle_id
		WHERE r.received_at IS NULL ORDER BY r.submitted_at LIMIT 200`)
	var out []Item
	var cycle, unit int64
	var unitName, cycleName string
	_, err := pgx.ForEachRow(rows, []any{&cycle, &unit, &unitName, &cycleName}, func() error {
		out = append(out, Item{Kind: KindReportReceipt, UnitID: ptr(unit), UnitName: unitName, Title: "签收" + unitName + "的书面整改报告",
			Detail: cycleName, Link: resultLink(cycle, unit) + "#rectification"})
		return nil
	})
	return out, db.Err(err)
}

// officeDeductionProposals are the assessor units' deduction proposals
// (扣分建议) waiting for the office's confirmation, one item per cycle.
func officeDeductionProposals(ctx context.Context, q db.DBTX, _ users.User, _ Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT p.cycle_id, c.name, count(*)::int FROM deduction_proposals p
		JOIN assessment_cycles c ON c.id = p.cycle_id WHERE p.status = 'pending'
		GROUP BY p.cycle_id, c.name ORDER BY p.cycle_id DESC LIMIT 20`)
	var out []Item
	var cycle int64
	var cycleName string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&cycle, &cycleName, &n}, func() error {
		out = append(out, Item{Kind: KindDeductionProposal, Count: n, CountText: strconv.Itoa(n),
			Title: "审核考评单位的扣分建议 " + strconv.Itoa(n) + " 条", Detail: cycleName,
			Link: "/console/cycles/" + strconv.FormatInt(cycle, 10) + "/deduction-proposals"})
		return nil
	})
	return out, db.Err(err)
}

// officeResultReceipts are the cycles whose preliminary results some units
// have neither signed for nor had their delivery recorded (the final
// results wait for them), due the last day a receipt still starts a
// unit's review window; past it, their windows count from the
// notification and the office is asked to record the deliveries.
func officeResultReceipts(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	rows, _ := q.Query(ctx, `SELECT p.cycle_id, c.name FROM assessment_publications p
		JOIN assessment_cycles c ON c.id = p.cycle_id
		WHERE p.stage = 'preliminary'
		  AND NOT EXISTS (SELECT 1 FROM assessment_publications f WHERE f.cycle_id = p.cycle_id AND f.stage = 'final')
		ORDER BY p.id DESC LIMIT 5`)
	var refs []cycleRef
	var ref cycleRef
	if _, err := pgx.ForEachRow(rows, []any{&ref.ID, &ref.Name}, func() error { refs = append(refs, ref); return nil }); err != nil {
		return nil, db.Err(err)
	}
	var out []Item
	for _, c := range refs {
		s, err := results.SummarizeReceipts(ctx, q, env.Loc, env.Now, c.ID)
		if err != nil {
			return nil, err
		}
		if !s.Published || s.Unreceived == 0 {
			continue
		}
		n := strconv.Itoa(s.Unreceived)
		it := Item{Kind: KindResultReceipts, Count: s.Unreceived, CountText: n, Title: n + " 个单位尚未签收初步考核结果",
			Detail: c.Name + "：签收或登记送达后，申请复核期限自该日起计算", Due: ptr(s.ReceiptBy),
			Link: "/console/cycles/" + strconv.FormatInt(c.ID, 10) + "/results/receipts?state=pending"}
		if s.Overdue > 0 {
			it.Title = n + " 个单位逾期未签收初步考核结果，请登记送达日期"
			it.Detail = c.Name + "：未登记的，申请复核期限自通知之日起计算"
		}
		out = append(out, it)
	}
	return out, nil
}
