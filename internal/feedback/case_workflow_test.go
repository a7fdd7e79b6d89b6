package feedback_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/ratings"
	"minyi/internal/scores/scorestest"
	"minyi/internal/workdays"
)

// openCase marks a fresh 差评 of unit valid at now and returns the case.
func (x *world) openCase(unit int64, phone bool, now time.Time) (feedback.Case, error) {
	x.t.Helper()
	r := ratings.NewRating{UnitID: unit, Level: 1, Comment: "窗口办事慢"}
	if phone {
		r.PhoneEnc, r.PhoneMask = []byte("enc"), "138****5678"
	}
	id := x.rate(r)[0]
	var c feedback.Case
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) (err error) {
		c, err = feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{
			Items: []feedback.Ref{{Kind: "rating", ID: id.String()}}}, now)
		return err
	})
	return c, err
}

func (x *world) step(fn func(pgx.Tx) (feedback.Case, error)) (feedback.Case, error) {
	var c feedback.Case
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) (err error) {
		c, err = fn(tx)
		return err
	})
	return c, err
}

func day(t *testing.T, s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(10 * time.Hour)
}

func TestCaseDeadlinesOverHolidays(t *testing.T) {
	x := newWorld(t, 1)
	// Sent on 2026-09-28: 15 working days skip the National Day holidays.
	c, err := x.openCase(x.units[0], true, day(t, "2026-09-28"))
	if err != nil {
		t.Fatal(err)
	}
	if *c.SentOn != "2026-09-28" || *c.AnswerDue != "2026-10-23" || c.CallbackDue == nil || *c.CallbackDue != "2026-09-29" ||
		c.SourceGroup != "feedback" || !c.RealName || c.Status != feedback.CaseSent {
		t.Errorf("case = %+v", c)
	}
	// A year without a calendar: the deadlines are provisional, counted
	// with weekends only (Sunday 2 March 2031 + 15: 3–7, 10–14, 17–21 March).
	c2, err := x.openCase(x.units[0], true, day(t, "2031-03-02"))
	if err != nil {
		t.Fatalf("no calendar: %v", err)
	}
	if *c2.AnswerDue != "2031-03-21" || !c2.AnswerDueProvisional || *c2.CallbackDue != "2031-03-03" || !c2.CallbackDueProvisional {
		t.Fatalf("provisional case %+v", c2)
	}
	// Entering 2031 (TEST DATA, not a real notice: 3 March off)
	// recomputes both, with a note each and one audit entry.
	var recomputed []workdays.Recomputation
	x.tx(func(tx pgx.Tx) error {
		in := workdays.YearInput{Year: 2031, Note: "测试数据", Days: []workdays.Day{{Date: "2031-03-03", Kind: workdays.Holiday, Name: "测试假日"}}}
		if _, err := workdays.SaveYear(x.ctx, tx, office, in, day(t, "2031-03-05")); err != nil {
			return err
		}
		cal, err := workdays.LoadAll(x.ctx, tx)
		if err != nil {
			return err
		}
		recomputed, err = feedback.RecomputeDeadlines(x.ctx, tx, office, cal, 2031, day(t, "2031-03-05"))
		return err
	})
	c2, _ = feedback.FindCase(x.ctx, x.pool, c2.ID)
	if len(recomputed) != 2 || *c2.AnswerDue != "2031-03-24" || c2.AnswerDueProvisional || *c2.CallbackDue != "2031-03-04" ||
		c2.CallbackDueProvisional {
		t.Errorf("after 2031 was entered: %+v, %+v", recomputed, c2)
	}
	notes, _ := feedback.ListCaseUpdates(x.ctx, x.pool, c2.ID, "note")
	if len(notes) != 2 || notes[0].Body != "答复期限已按2031年工作日历重新计算：原暂定 2031-03-21，现 2031-03-24" ||
		notes[1].Body != "回访期限已按2031年工作日历重新计算：原暂定 2031-03-03，现 2031-03-04" {
		t.Errorf("notes %+v", notes)
	}
	var audits int
	if err := x.pool.QueryRow(x.ctx, `SELECT count(*) FROM audit_log WHERE action = 'deadline.recompute' AND entity_id = $1`,
		c2.IDString()).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("audit entries %d, %v", audits, err)
	}
	// The case of 2026 was never provisional and is left alone.
	if again, _ := feedback.FindCase(x.ctx, x.pool, c.ID); *again.AnswerDue != "2026-10-23" || again.AnswerDueProvisional {
		t.Errorf("2026 case %+v", again)
	}
}

func TestCaseWorkflow(t *testing.T) {
	x := newWorld(t, 2)
	u1, u2 := x.units[0], x.units[1]
	now := day(t, "2026-11-02")
	c, err := x.openCase(u1, false, now)
	if err != nil {
		t.Fatal(err)
	}
	unit := feedback.CaseActor{Actor: audit.Actor{Name: "unit1"}, UnitID: &u1}
	other := feedback.CaseActor{Actor: audit.Actor{Name: "unit2"}, UnitID: &u2}
	off := feedback.CaseActor{Actor: office, Office: true}
	answer := feedback.CaseAction{Explanation: "人手不足", Responsible: "张科长", Measures: "增开窗口", Outcome: "排队不超过15分钟", FixDue: "2026-12-01"}
	refused := func(what string, want string, fn func(pgx.Tx) (feedback.Case, error)) {
		t.Helper()
		before, _ := feedback.FindCase(x.ctx, x.pool, c.ID)
		if _, err := x.step(fn); !apperr.Is(err, want) {
			t.Errorf("%s: %v, want %s", what, err, want)
		}
		after, _ := feedback.FindCase(x.ctx, x.pool, c.ID)
		if after.Version != before.Version || after.Status != before.Status {
			t.Errorf("%s changed the case", what)
		}
	}
	v := func() feedback.CaseAction {
		cur, _ := feedback.FindCase(x.ctx, x.pool, c.ID)
		a := answer
		a.Version = cur.Version
		return a
	}
	pdf := func(owner int64) string {
		var id string
		x.tx(func(tx pgx.Tx) error {
			f, err := assessment.SaveEvidence(x.ctx, tx, office, &owner, "整改.pdf", []byte("%PDF-1.4\n%%EOF\n"))
			id = f.ID
			return err
		})
		return id
	}

	refused("done before answer", apperr.Conflict, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body, a.EvidenceIDs = "已完成", []string{pdf(u1)}
		return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
	})
	refused("close before done", apperr.Conflict, func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.CloseCase(x.ctx, tx, off, c.ID, v(), now)
	})
	refused("other unit answers", apperr.NotFound, func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, other, c.ID, v(), now)
	})
	refused("office answers", apperr.Forbidden, func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, off, c.ID, v(), now)
	})
	refused("stale version", apperr.Conflict, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Version--
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, a, now)
	})
	refused("answer without plan", apperr.Invalid, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Measures = ""
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, a, now)
	})

	got, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, v(), now)
	})
	if err != nil || got.Status != feedback.CaseAnswered || *got.FixDue != "2026-12-01" || got.Responsible != "张科长" {
		t.Fatalf("answer: %+v %v", got, err)
	}
	if _, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body = "已增开两个窗口"
		return feedback.ProgressCase(x.ctx, tx, unit, c.ID, a, now)
	}); err != nil {
		t.Fatal(err)
	}
	refused("evidence of another unit", apperr.Invalid, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body, a.EvidenceIDs = "已完成", []string{pdf(u2)}
		return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
	})
	refused("done without evidence", apperr.Invalid, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body = "已完成"
		return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
	})
	got, err = x.step(func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body, a.EvidenceIDs = "已完成", []string{pdf(u1)}
		return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
	})
	if err != nil || got.Status != feedback.CaseDoneReported || len(got.DoneEvidence) != 1 {
		t.Fatalf("done: %+v %v", got, err)
	}
	// Returned: the unit must report again; then the office closes.
	if got, err = x.step(func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Reason = "证明材料不清晰"
		return feedback.ReturnCase(x.ctx, tx, off, c.ID, a, now)
	}); err != nil || got.Status != feedback.CaseReturned {
		t.Fatalf("return: %+v %v", got, err)
	}
	refused("done after return without new answer", apperr.Conflict, func(tx pgx.Tx) (feedback.Case, error) {
		a := v()
		a.Body, a.EvidenceIDs = "已完成", []string{pdf(u1)}
		return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
	})
	for _, fn := range []func(tx pgx.Tx) (feedback.Case, error){
		func(tx pgx.Tx) (feedback.Case, error) {
			return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, v(), now)
		},
		func(tx pgx.Tx) (feedback.Case, error) {
			a := v()
			a.Body, a.EvidenceIDs = "已补充材料", []string{pdf(u1)}
			return feedback.ReportDone(x.ctx, tx, unit, c.ID, a, now)
		},
		func(tx pgx.Tx) (feedback.Case, error) { return feedback.CloseCase(x.ctx, tx, off, c.ID, v(), now) },
	} {
		if _, err := x.step(fn); err != nil {
			t.Fatal(err)
		}
	}
	refused("answer after closed", apperr.Conflict, func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, v(), now)
	})
	ups, err := feedback.ListCaseUpdates(x.ctx, x.pool, c.ID)
	kinds := ""
	for _, u := range ups {
		kinds += u.Kind + " "
	}
	if err != nil || kinds != "answer progress done returned answer done closed " {
		t.Errorf("timeline: %q %v", kinds, err)
	}
	var audited int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM audit_log WHERE entity = 'rectification_case' AND entity_id = $1`, c.IDString()).Scan(&audited)
	if audited != 8 { // open + 7 steps
		t.Errorf("audited %d", audited)
	}
}

func TestCaseConcurrentOfficeActions(t *testing.T) {
	x := newWorld(t, 1)
	u := x.units[0]
	now := day(t, "2026-11-02")
	c, err := x.openCase(u, false, now)
	if err != nil {
		t.Fatal(err)
	}
	unit := feedback.CaseActor{Actor: audit.Actor{Name: "unit"}, UnitID: &u}
	c, err = x.step(func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, c.ID, feedback.CaseAction{Version: c.Version,
			Explanation: "a", Responsible: "b", Measures: "c", Outcome: "d", FixDue: "2026-12-01"}, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	off := feedback.CaseActor{Actor: office, Office: true}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = x.step(func(tx pgx.Tx) (feedback.Case, error) {
				return feedback.ReturnCase(x.ctx, tx, off, c.ID, feedback.CaseAction{Version: c.Version, Reason: "理由" + string(rune('A'+i))}, now)
			})
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.Is(err, apperr.Conflict) && apperr.From(err).Message == feedback.MsgCaseChanged:
			conflict++
		default:
			t.Errorf("unexpected %v", err)
		}
	}
	after, _ := feedback.FindCase(x.ctx, x.pool, c.ID)
	ups, _ := feedback.ListCaseUpdates(x.ctx, x.pool, c.ID, "returned")
	if ok != 1 || conflict != 1 || after.Version != c.Version+1 || len(ups) != 1 {
		t.Errorf("ok %d conflict %d version %d→%d returned %d", ok, conflict, c.Version, after.Version, len(ups))
	}
}

func TestOverdueCounts(t *testing.T) {
	x := newWorld(t, 2)
	u1, u2 := x.units[0], x.units[1]
	sent := day(t, "2026-09-28") // answer due 2026-10-23
	a, err := x.openCase(u1, false, sent)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.openCase(u1, false, sent); err != nil {
		t.Fatal(err)
	}
	b, err := x.openCase(u2, false, sent)
	if err != nil {
		t.Fatal(err)
	}
	unit := feedback.CaseActor{Actor: audit.Actor{Name: "u2"}, UnitID: &u2}
	if _, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.AnswerCase(x.ctx, tx, shanghai, unit, b.ID, feedback.CaseAction{Version: b.Version,
			Explanation: "a", Responsible: "b", Measures: "c", Outcome: "d", FixDue: "2026-11-10"}, sent)
	}); err != nil {
		t.Fatal(err)
	}
	period := feedback.OverduePeriod{From: "2026-01-01", To: "2026-12-31"}
	m, err := feedback.OverdueCounts(x.ctx, x.pool, period, day(t, "2026-10-23"))
	if err != nil || len(m) != 0 {
		t.Errorf("on the due day nothing is overdue: %v %v", m, err)
	}
	m, _ = feedback.OverdueCounts(x.ctx, x.pool, period, day(t, "2026-10-26"))
	if m[u1] != (feedback.OverdueCount{Answers: 2}) || len(m) != 1 {
		t.Errorf("after answer due: %v", m)
	}
	m, _ = feedback.OverdueCounts(x.ctx, x.pool, period, day(t, "2026-11-11"))
	if m[u1] != (feedback.OverdueCount{Answers: 2}) || m[u2] != (feedback.OverdueCount{Fixes: 1}) {
		t.Errorf("after fix due: %v", m)
	}
	// The overview's sums, of every unit and of one.
	if sum, err := feedback.OverdueTotal(x.ctx, x.pool, nil, day(t, "2026-11-11")); err != nil || sum != (feedback.OverdueCount{Answers: 2, Fixes: 1}) {
		t.Errorf("total of all units: %v %v", sum, err)
	}
	if sum, _ := feedback.OverdueTotal(x.ctx, x.pool, &u2, day(t, "2026-11-11")); sum != (feedback.OverdueCount{Fixes: 1}) {
		t.Errorf("total of one unit: %v", sum)
	}
	m, _ = feedback.OverdueCounts(x.ctx, x.pool, feedback.OverduePeriod{From: "2025-01-01", To: "2025-12-31"}, day(t, "2026-11-11"))
	if len(m) != 0 {
		t.Errorf("other period: %v", m)
	}
	list, n, _ := feedback.ListCases(x.ctx, x.pool, feedback.CaseFilter{Overdue: feedback.OverdueFix, Today: day(t, "2026-11-11")})
	if n != 1 || list[0].ID != b.ID || !list[0].FixOverdue(day(t, "2026-11-11")) || a.AnswerOverdue(day(t, "2026-10-23")) {
		t.Errorf("overdue filter: %d", n)
	}
}

func TestOfficeCasesAndSettings(t *testing.T) {
	x := newWorld(t, 1)
	u := x.units[0]
	d := scorestest.New(x.t, x.pool, shanghai)
	cy := d.Cycle("2026年度", 2026, scorestest.Config())
	now := day(t, "2026-09-28")
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.SaveCaseSettings(x.ctx, tx, office, map[string]int{"assessment": 5}, now)
		return err
	})
	c, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.OpenOfficeCase(x.ctx, tx, shanghai, office, feedback.OfficeCaseInput{Kind: "result", CycleID: cy.ID, UnitID: u, Problem: "群众满意度偏低"}, now)
	})
	// 5 working days after 2026-09-28: the holidays are skipped and the
	// Saturday 2026-10-10 is a working day.
	if err != nil || c.SourceGroup != "assessment" || c.SourceID != itoa(cy.ID)+":"+itoa(u) || *c.CycleID != cy.ID || *c.AnswerDue != "2026-10-10" {
		t.Fatalf("result case: %+v %v", c, err)
	}
	if _, err := x.step(func(tx pgx.Tx) (feedback.Case, error) {
		return feedback.OpenOfficeCase(x.ctx, tx, shanghai, office, feedback.OfficeCaseInput{Kind: "target", SourceID: 999999, Problem: "x"}, now)
	}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown sheet: %v", err)
	}
	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := feedback.SaveCaseSettings(x.ctx, tx, office, map[string]int{"feedback": 61}, now)
		return err
	})
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("61 days: %v", err)
	}
}

func itoa(n int64) string { return fmt.Sprint(n) }
