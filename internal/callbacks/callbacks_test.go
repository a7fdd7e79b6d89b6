package callbacks_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/callbacks"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/targets"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

var office = audit.Actor{Name: "office"}

type world struct {
	t      *testing.T
	ctx    context.Context
	pool   *pgxpool.Pool
	keys   *secure.Keys
	now    time.Time
	units  []int64
	cycle  int64
	next   int64
	writer *ratings.Writer
}

func newWorld(t *testing.T) *world {
	pool := testutil.DB(t)
	keys, err := secure.NewKeys("callbacks-test-secret-callbacks-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	w := ratings.NewWriter(pool, 1, 500, shanghai, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(w.Close)
	x := &world{t: t, ctx: context.Background(), pool: pool, keys: keys, writer: w,
		now: time.Date(2026, 6, 15, 10, 0, 0, 0, shanghai)}
	x.tx(func(tx pgx.Tx) error {
		cfg := cycles.DefaultConfig([]float64{100, 80, 60, 30, 0})
		for i, y := range []int{2026, 2027} {
			cy, err := cycles.CreateCycle(x.ctx, tx, audit.System, cycles.CycleInput{Name: fmt.Sprintf("%d年度", y), Year: y,
				PeriodStart: fmt.Sprintf("%d-01-01", y), PeriodEnd: fmt.Sprintf("%d-12-31", y)}, cfg)
			if err != nil {
				return err
			}
			if i == 0 {
				x.cycle = cy.ID
			} else {
				x.next = cy.ID
			}
		}
		for i := range 2 {
			u, err := units.CreateUnit(x.ctx, tx, audit.System, units.UnitInput{Name: fmt.Sprintf("单位%d", i+1), Category: "社会服务类"},
				[]string{"社会服务类"})
			if err != nil {
				return err
			}
			x.units = append(x.units, u.ID)
		}
		return nil
	})
	return x
}

func (x *world) tx(fn func(pgx.Tx) error) {
	x.t.Helper()
	if err := db.Tx(x.ctx, x.pool, fn); err != nil {
		x.t.Fatal(err)
	}
}

// caseWithPhone stores a 差评 with the phone of the unit and a case for it
// (sent on the cycle's 2026-06-01, due dates as given).
func (x *world) caseWithPhone(unit int64, phone, status string, callbackDue string) int64 {
	x.t.Helper()
	r := ratings.NewRating{UnitID: unit, Level: 1, Channel: ratings.ChannelQR, Comment: "排队太久",
		RatedAt: x.now.Add(-time.Hour), Points: 0, RateChecked: true}
	if phone != "" {
		r.PhoneEnc, r.PhoneMask = x.keys.Encrypt(phone), secure.MaskPhone(phone)
	}
	res, err := x.writer.Write(x.ctx, []ratings.NewRating{r})
	if err != nil || res[0].Status != ratings.Created {
		x.t.Fatalf("rating: %v %v", err, res)
	}
	var id int64
	x.tx(func(tx pgx.Tx) error {
		if err := tx.QueryRow(x.ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, real_name,
			cycle_id, sent_on, callback_due, measures) VALUES ($1, 'rating', $2, '窗口排队时间过长', $3, $4, $5, '2026-06-01', $6, '增设窗口')
			RETURNING id`, unit, res[0].ID.String(), status, phone != "", x.cycle, callbackDue).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(x.ctx, `INSERT INTO case_sources (case_id, source_kind, source_id) VALUES ($1, 'rating', $2)`, id, res[0].ID.String())
		return err
	})
	return id
}

func TestPhonesFullOrMasked(t *testing.T) {
	x := newWorld(t)
	id := x.caseWithPhone(x.units[0], "13812345678", "sent", "2026-06-02")
	full, err := callbacks.Phones(x.ctx, x.pool, x.keys, id, true)
	if err != nil || len(full) != 1 || full[0].Number != "13812345678" || !full[0].Full {
		t.Fatalf("full phones %+v %v", full, err)
	}
	masked, err := callbacks.Phones(x.ctx, x.pool, x.keys, id, false)
	if err != nil || len(masked) != 1 || masked[0].Number == "13812345678" || masked[0].Number != secure.MaskPhone("13812345678") || masked[0].Full {
		t.Fatalf("masked phones %+v %v", masked, err)
	}
}

func TestCallsAndOverdueCallback(t *testing.T) {
	x := newWorld(t)
	due := x.caseWithPhone(x.units[0], "13812345678", "sent", "2026-06-10")
	fresh := x.caseWithPhone(x.units[1], "13900001111", "sent", "2026-06-20")
	anon := x.caseWithPhone(x.units[0], "", "sent", "2026-06-10")

	list, total, err := callbacks.ListCallbackCases(x.ctx, x.pool, callbacks.ListFilter{Today: "2026-06-15"})
	if err != nil || len(list) != 2 || total != 2 {
		t.Fatalf("call-back list %+v %v (the case without a phone is left out)", list, err)
	}
	over := map[int64]bool{}
	for _, k := range list {
		over[k.ID] = k.Overdue
	}
	if !over[due] || over[fresh] {
		t.Fatalf("overdue flags %v", over)
	}
	mine, _, _ := callbacks.ListCallbackCases(x.ctx, x.pool, callbacks.ListFilter{UnitID: &x.units[1], Today: "2026-06-15"})
	if len(mine) != 1 || mine[0].ID != fresh {
		t.Fatalf("unit list %+v", mine)
	}

	in := callbacks.CallInput{Outcome: callbacks.Unreachable, ClientKey: "k1"}
	x.tx(func(tx pgx.Tx) error {
		c, created, err := callbacks.RecordCall(x.ctx, tx, office, due, in, x.now, shanghai)
		if err != nil || !created || c.Outcome != callbacks.Unreachable {
			t.Fatalf("first call %+v %v %v", c, created, err)
		}
		_, created, err = callbacks.RecordCall(x.ctx, tx, office, due, in, x.now, shanghai)
		if err != nil || created {
			t.Fatalf("retry created %v %v", created, err)
		}
		_, created, err = callbacks.RecordCall(x.ctx, tx, office, due, callbacks.CallInput{CallerName: "王五",
			CalledAt: "2026-06-15T09:30", Said: "问题已解决，很满意", Outcome: callbacks.Satisfied}, x.now, shanghai)
		if err != nil || !created {
			t.Fatalf("second attempt %v %v", created, err)
		}
		return nil
	})
	calls, _ := callbacks.ListCalls(x.ctx, x.pool, due)
	if len(calls) != 2 || calls[0].CallerName != "王五" || calls[0].Said != "问题已解决，很满意" || calls[1].Outcome != callbacks.Unreachable {
		t.Fatalf("calls %+v", calls)
	}
	k, _ := callbacks.FindCase(x.ctx, x.pool, due, "2026-06-15")
	if k.Overdue || k.Calls != 2 || k.LastCalledAt == nil || !k.LastCalledAt.Equal(x.now) {
		t.Fatalf("after calls %+v (the latest call is the first one, at now; the second was entered as 09:30)", k)
	}
	checkCallbackStates(t, x, due, fresh)
	var n int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM audit_log WHERE action = 'case.callback'`).Scan(&n)
	if n != 2 {
		t.Fatalf("audited %d call-backs, want 2", n)
	}

	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, _, err := callbacks.RecordCall(x.ctx, tx, office, due, callbacks.CallInput{Outcome: "maybe"}, x.now, shanghai)
		return err
	})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["outcome"] == "" {
		t.Fatalf("bad outcome: %v", err)
	}
	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, _, err := callbacks.RecordCall(x.ctx, tx, office, anon, callbacks.CallInput{Outcome: callbacks.Unreachable}, x.now, shanghai)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("call-back of an anonymous case: %v", err)
	}
}

func (x *world) issue(caseID int64, days int) (string, error) {
	var tok string
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		l, err := callbacks.IssueLink(x.ctx, tx, office, caseID, days, x.now)
		tok = l.Token
		return err
	})
	return tok, err
}

func (x *world) submit(tok string, in callbacks.FollowupInput, at time.Time) error {
	return db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := callbacks.SubmitFollowup(x.ctx, tx, tok, in, at)
		return err
	})
}

func TestFollowupLinkOnceExpiryAndLevels(t *testing.T) {
	x := newWorld(t)
	open := x.caseWithPhone(x.units[0], "13812345678", "sent", "2026-06-02")
	if _, err := x.issue(open, 0); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("link for an open case: %v", err)
	}
	closed := x.caseWithPhone(x.units[0], "13812345678", "closed", "2026-06-02")
	if _, err := x.issue(closed, 91); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("link for 91 days: %v", err)
	}
	tok, err := x.issue(closed, 0)
	if err != nil || len(tok) < 30 {
		t.Fatalf("issue: %q %v", tok, err)
	}
	var stored int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM case_followup_links WHERE token_hash = $1 AND expires_at = $2`,
		secure.SHA256(tok), x.now.AddDate(0, 0, 30)).Scan(&stored)
	if stored != 1 {
		t.Fatal("the link's hash and 30-day expiry are not stored")
	}
	if err := x.submit(tok, callbacks.FollowupInput{Level: 6}, x.now); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("level 6: %v", err)
	}
	long := make([]rune, 501)
	for i := range long {
		long[i] = '好'
	}
	if err := x.submit(tok, callbacks.FollowupInput{Level: 4, Comment: string(long)}, x.now); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("501 characters: %v", err)
	}
	if err := x.submit("no-such-token", callbacks.FollowupInput{Level: 4}, x.now); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("unknown token: %v", err)
	}

	// Concurrent submits: exactly one is stored, the others see the link used.
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = x.submit(tok, callbacks.FollowupInput{Level: 5 - i%5, Comment: "整改后好多了"}, x.now)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, callbacks.ErrLinkUsed):
			t.Fatalf("concurrent submit: %v", err)
		}
	}
	got, _ := callbacks.ListFollowups(x.ctx, x.pool, closed)
	if ok != 1 || len(got) != 1 {
		t.Fatalf("%d submits accepted, %d stored; want 1", ok, len(got))
	}
	if err := x.submit(tok, callbacks.FollowupInput{Level: 5}, x.now); !errors.Is(err, callbacks.ErrLinkUsed) {
		t.Fatalf("second submit: %v", err)
	}
	// The 追评 is not a daily rating.
	var daily int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM ratings`).Scan(&daily)
	if daily != 2 {
		t.Fatalf("%d ratings, want the 2 source ratings only", daily)
	}

	tok2, err := x.issue(closed, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.submit(tok2, callbacks.FollowupInput{Level: 5}, x.now.AddDate(0, 0, 3)); !errors.Is(err, callbacks.ErrLinkExpired) {
		t.Fatalf("expired link: %v", err)
	}
	if err := x.submit(tok2, callbacks.FollowupInput{Level: 5}, x.now.AddDate(0, 0, 2)); err != nil {
		t.Fatalf("link before expiry: %v", err)
	}
}

func TestDeductionProposalConfirmedOnce(t *testing.T) {
	x := newWorld(t)
	a, b := x.units[0], x.units[1]
	late := x.caseWithPhone(a, "", "sent", "2026-06-02")
	lateFix := x.caseWithPhone(a, "", "answered", "2026-06-02")
	onTime := x.caseWithPhone(b, "", "answered", "2026-06-02")
	x.tx(func(tx pgx.Tx) error {
		// late: no answer, due 06-10. lateFix: answered in time, fix due 06-12 not done.
		// onTime: answered 06-05 before its 06-10 deadline, fix due 06-30.
		_, err := tx.Exec(x.ctx, `UPDATE rectification_cases SET answer_due = '2026-06-10' WHERE id = $1;`, late)
		if err != nil {
			return err
		}
		if _, err = tx.Exec(x.ctx, `UPDATE rectification_cases SET answer_due = '2026-06-10', answered_at = '2026-06-05 10:00+08',
			fix_due = '2026-06-12' WHERE id = $1`, lateFix); err != nil {
			return err
		}
		_, err = tx.Exec(x.ctx, `UPDATE rectification_cases SET answer_due = '2026-06-10', answered_at = '2026-06-05 10:00+08',
			fix_due = '2026-06-30' WHERE id = $1`, onTime)
		return err
	})
	list, err := callbacks.Proposals(x.ctx, x.pool, x.cycle, "targets_incomplete", "2026-06-15", shanghai, nil)
	if err != nil || len(list) != 1 {
		t.Fatalf("proposals %+v %v", list, err)
	}
	p := list[0]
	if p.UnitID != a || p.AnswerOverdue != 1 || p.FixOverdue != 1 || p.Items != 2 || p.Points != 4 || p.Filed != 0 {
		t.Fatalf("proposal %+v", p)
	}
	if _, err := callbacks.Proposals(x.ctx, x.pool, x.cycle, "no_such_reason", "2026-06-15", shanghai, nil); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("unknown reason: %v", err)
	}
	for round := range 2 {
		x.tx(func(tx pgx.Tx) error {
			created, err := callbacks.ConfirmProposal(x.ctx, tx, office, x.cycle, a, "targets_incomplete", "2026-06-15", shanghai)
			if err != nil {
				return err
			}
			if want := []int{2, 0}[round]; len(created) != want {
				t.Fatalf("round %d created %d, want %d", round, len(created), want)
			}
			return nil
		})
	}
	var n int
	var desc string
	x.pool.QueryRow(x.ctx, `SELECT count(*), min(description) FROM assessment_deductions WHERE cycle_id = $1 AND unit_id = $2
		AND reason_key = 'targets_incomplete'`, x.cycle, a).Scan(&n, &desc)
	if n != 2 || desc == "" {
		t.Fatalf("%d deductions (%q), want 2", n, desc)
	}
	list, _ = callbacks.Proposals(x.ctx, x.pool, x.cycle, "targets_incomplete", "2026-06-15", shanghai, nil)
	if list[0].Filed != 2 {
		t.Fatalf("filed %d", list[0].Filed)
	}
	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := callbacks.ConfirmProposal(x.ctx, tx, office, x.cycle, b, "targets_incomplete", "2026-06-15", shanghai)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("unit without overdue cases: %v", err)
	}
}

func TestCarryIntoNextCycleOnce(t *testing.T) {
	x := newWorld(t)
	a := x.units[0]
	k1 := x.caseWithPhone(a, "", "closed", "2026-06-02")
	k2 := x.caseWithPhone(a, "", "answered", "2026-06-02")
	x.caseWithPhone(a, "", "sent", "2026-06-02") // not marked
	x.tx(func(tx pgx.Tx) error {
		for _, id := range []int64{k1, k2} {
			if err := callbacks.MarkCarry(x.ctx, tx, office, id, true, x.now); err != nil {
				return err
			}
		}
		return nil
	})
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := callbacks.Carry(x.ctx, tx, office, x.next, callbacks.CarryInput{NextCycleID: x.cycle, Points: 2}, x.now)
		return err
	})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["next_cycle_id"] == "" {
		t.Fatalf("carry into an earlier cycle: %v", err)
	}
	for round := range 2 {
		x.tx(func(tx pgx.Tx) error {
			out, err := callbacks.Carry(x.ctx, tx, office, x.cycle, callbacks.CarryInput{NextCycleID: x.next, Points: 2.5}, x.now)
			if err != nil {
				return err
			}
			if want := []int{1, 0}[round]; len(out) != want {
				t.Fatalf("round %d carried for %d units, want %d", round, len(out), want)
			}
			return nil
		})
	}
	s, err := targets.FindSheetFor(x.ctx, x.pool, x.next, a)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != targets.StatusDraft || len(s.Indicators) != 2 {
		t.Fatalf("sheet %s with %d indicators, want a draft with 2", s.Status, len(s.Indicators))
	}
	in := s.Indicators[0]
	if in.Name != "整改：窗口排队时间过长" || in.Tasks != "增设窗口" || in.Points != 2.5 || in.Deadline != "2027-12-31" {
		t.Fatalf("indicator %+v", in)
	}
	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error { return callbacks.MarkCarry(x.ctx, tx, office, k1, false, x.now) })
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("unmark a carried case: %v", err)
	}
	marked, _ := callbacks.MarkedCases(x.ctx, x.pool, x.cycle)
	if len(marked) != 2 || marked[0].CarriedTo == nil || *marked[0].CarriedTo != x.next {
		t.Fatalf("marked %+v", marked)
	}
}
