package feedback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/feedback"
	"minyi/internal/notify"
	"minyi/internal/ratings"
	"minyi/internal/scores"
	"minyi/internal/scores/scorestest"
	"minyi/internal/secure"
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
	t     *testing.T
	ctx   context.Context
	pool  *pgxpool.Pool
	w     *ratings.Writer
	keys  *secure.Keys
	now   time.Time
	units []int64
}

func newWorld(t *testing.T, nunits int) *world {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, shanghai, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t.Cleanup(w.Close)
	keys, err := secure.NewKeys("feedback-test-secret-feedback-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	x := &world{t: t, ctx: context.Background(), pool: pool, w: w, keys: keys, now: time.Now()}
	for i := range nunits {
		x.tx(func(tx pgx.Tx) error {
			u, err := units.CreateUnit(x.ctx, tx, audit.System, units.UnitInput{Name: fmt.Sprintf("单位%d", i+1), Category: "社会服务类"}, []string{"社会服务类"})
			x.units = append(x.units, u.ID)
			return err
		})
	}
	return x
}

func (x *world) tx(fn func(pgx.Tx) error) {
	x.t.Helper()
	if err := db.Tx(x.ctx, x.pool, fn); err != nil {
		x.t.Fatal(err)
	}
}

// rate stores ratings and returns their ids.
func (x *world) rate(items ...ratings.NewRating) []uuid.UUID {
	x.t.Helper()
	for i := range items {
		if items[i].Channel == "" {
			items[i].Channel = ratings.ChannelQR
		}
		if items[i].RatedAt.IsZero() {
			items[i].RatedAt = x.now.Add(-time.Duration(len(items)-i) * time.Second)
		}
		items[i].Points = []float64{0, 30, 60, 80, 100}[items[i].Level-1]
		items[i].RateChecked = true
	}
	res, err := x.w.Write(x.ctx, items)
	if err != nil {
		x.t.Fatal(err)
	}
	ids := make([]uuid.UUID, len(res))
	for i, r := range res {
		if r.Status != ratings.Created {
			x.t.Fatalf("rating %d: %s", i, r.Status)
		}
		ids[i] = r.ID
	}
	return ids
}

// queue walks every page of the queue's filter (three items a page, over
// the default period unless the filter names one) and checks that the
// pages together list exactly what the total counts.
func (x *world) queue(f feedback.Filter) []feedback.Item {
	x.t.Helper()
	if f.From.IsZero() {
		f.From, f.To = x.now.Add(-feedback.DefaultPeriod), x.now.Add(time.Hour)
	}
	f.Limit = 3
	var all []feedback.Item
	for {
		p, err := feedback.Queue(x.ctx, x.pool, shanghai, f)
		if err != nil {
			x.t.Fatal(err)
		}
		all = append(all, p.Items...)
		if p.Older == nil {
			if !p.Total.Exact || p.Total.N != len(all) {
				x.t.Fatalf("total %+v, listed %d", p.Total, len(all))
			}
			return all
		}
		f.Older = p.Older
	}
}

// listAll runs a listing of the queue's filter, over the default period
// unless the filter names one, and checks it lists all it counts.
func listAll[T any](x *world, f feedback.Filter, list func(context.Context, db.DBTX, *time.Location, feedback.Filter) ([]T, int, error)) []T {
	x.t.Helper()
	if f.From.IsZero() {
		f.From, f.To = x.now.Add(-feedback.DefaultPeriod), x.now.Add(time.Hour)
	}
	items, total, err := list(x.ctx, x.pool, shanghai, f)
	if err != nil {
		x.t.Fatal(err)
	}
	if total != len(items) {
		x.t.Fatalf("total %d, listed %d", total, len(items))
	}
	return items
}

func (x *world) response(unitID int64, level int, opinion string) string {
	x.t.Helper()
	var survey int64
	err := x.pool.QueryRow(x.ctx, `SELECT id FROM surveys LIMIT 1`).Scan(&survey)
	if errors.Is(err, pgx.ErrNoRows) {
		d := scorestest.New(x.t, x.pool, shanghai)
		cy := d.Cycle("2026年度", x.now.In(shanghai).Year(), scorestest.Config())
		survey = d.Survey(cy.ID, "年度问卷", "open")
	} else if err != nil {
		x.t.Fatal(err)
	}
	var id string
	err = x.pool.QueryRow(x.ctx, `INSERT INTO survey_responses (survey_id, unit_id, group_key, source, level, opinion, submitted_on)
		VALUES ($1, $2, 'service_users', 'invitation', $3, $4, $5) RETURNING id::text`,
		survey, unitID, level, opinion, x.now.In(shanghai).Format(time.DateOnly)).Scan(&id)
	if err != nil {
		x.t.Fatal(err)
	}
	return id
}

func ids(items []feedback.Item) map[string]feedback.Item {
	out := map[string]feedback.Item{}
	for _, it := range items {
		out[it.ID] = it
	}
	return out
}

func TestQueueHoldsBadRatingsMessagesAndOpinions(t *testing.T) {
	x := newWorld(t, 2)
	u1, u2 := x.units[0], x.units[1]
	r := x.rate(
		ratings.NewRating{UnitID: u1, Level: 1, Reasons: []string{"态度差"}},
		ratings.NewRating{UnitID: u1, Level: 2, Comment: "排队太久"},
		ratings.NewRating{UnitID: u1, Level: 5, Comment: "很好，谢谢"},
		ratings.NewRating{UnitID: u1, Level: 5},
		ratings.NewRating{UnitID: u2, Level: 4},
		ratings.NewRating{UnitID: u2, Level: 3, Comment: "一般", Channel: ratings.ChannelTerminal},
	)
	resp := x.response(u2, 2, "窗口太少")
	x.response(u2, 5, "")

	got := ids(x.queue(feedback.Filter{}))
	if len(got) != 5 {
		t.Fatalf("queue has %d items, want 5: %v", len(got), got)
	}
	for _, id := range []string{r[0].String(), r[1].String(), r[2].String(), r[5].String(), resp} {
		if it, ok := got[id]; !ok || !it.Pending() {
			t.Errorf("item %s missing or not pending", id)
		}
	}
	if _, ok := got[r[3].String()]; ok {
		t.Error("a 5-star rating without a message is queued")
	}
	if it := got[resp]; it.Kind != feedback.KindResponse || it.Channel != feedback.ChannelSurvey || it.Text != "窗口太少" {
		t.Errorf("survey opinion item = %+v", it)
	}
	if n := len(x.queue(feedback.Filter{UnitID: &u1})); n != 3 {
		t.Errorf("unit filter: %d items, want 3", n)
	}
	if n := len(x.queue(feedback.Filter{Source: feedback.KindResponse})); n != 1 {
		t.Errorf("source filter: %d items, want 1", n)
	}
	if n := len(x.queue(feedback.Filter{Channel: ratings.ChannelTerminal})); n != 1 {
		t.Errorf("channel filter: %d items, want 1", n)
	}
	if n := len(x.queue(feedback.Filter{Level: 2})); n != 2 {
		t.Errorf("level filter: %d items, want 2", n)
	}
	old := feedback.Filter{From: x.now.Add(-48 * time.Hour), To: x.now.Add(-24 * time.Hour)}
	if n := len(x.queue(old)); n != 0 {
		t.Errorf("date filter: %d items, want 0", n)
	}
	if _, err := feedback.Queue(x.ctx, x.pool, shanghai, feedback.Filter{}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("queue without period: %v", err)
	}
}

func TestValidOpensCaseAndMergesDuplicates(t *testing.T) {
	x := newWorld(t, 2)
	u1, u2 := x.units[0], x.units[1]
	phone := "13800138000"
	r := x.rate(
		ratings.NewRating{UnitID: u1, Level: 1, Reasons: []string{"态度差"}, Comment: "窗口人员态度生硬",
			PhoneEnc: x.keys.Encrypt(phone), PhoneMask: secure.MaskPhone(phone)},
		ratings.NewRating{UnitID: u1, Level: 2, Comment: "排队太久"},
		ratings.NewRating{UnitID: u1, Level: 2, Comment: "排队一小时"},
		ratings.NewRating{UnitID: u2, Level: 1, Comment: "不是这个单位的事"},
	)
	var one feedback.Case
	x.tx(func(tx pgx.Tx) (err error) {
		one, err = feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{
			Items: []feedback.Ref{{Kind: "rating", ID: r[0].String()}}}, x.now)
		return err
	})
	if one.UnitID != u1 || one.Status != feedback.CaseSent || !one.RealName || one.Problem != "态度差：窗口人员态度生硬" || len(one.Sources) != 1 {
		t.Errorf("case = %+v", one)
	}
	var merged feedback.Case
	x.tx(func(tx pgx.Tx) (err error) {
		merged, err = feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{
			Items:   []feedback.Ref{{Kind: "rating", ID: r[1].String()}, {Kind: "rating", ID: r[2].String()}},
			Problem: "办事大厅排队时间过长"}, x.now)
		return err
	})
	if merged.Problem != "办事大厅排队时间过长" || len(merged.Sources) != 2 || merged.RealName {
		t.Errorf("merged case = %+v", merged)
	}
	items := ids(x.queue(feedback.Filter{UnitID: &u1}))
	for i, want := range []int64{one.ID, merged.ID, merged.ID} {
		it := items[r[i].String()]
		if it.Pending() || *it.Verdict != "valid" || it.CaseID == nil || *it.CaseID != want || it.Excluded {
			t.Errorf("item %d = %+v", i, it)
		}
	}
	// Different units cannot be merged; nothing is stored then.
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{
			Items: []feedback.Ref{{Kind: "rating", ID: r[3].String()}, {Kind: "rating", ID: r[0].String(), Version: 1}}}, x.now)
		return err
	})
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("merge across units: %v", err)
	}
	// A decided item cannot be decided again.
	err = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{Kind: "rating", ID: r[0].String(), Version: 1, Reason: "mistaken"}, x.now)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second verdict: %v", err)
	}
	list, total, err := feedback.ListCases(x.ctx, x.pool, feedback.CaseFilter{UnitID: &u1})
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("cases of unit: %d %v", total, err)
	}
	// A page past an offset is the next case in the same order.
	if second, total, err := feedback.ListCases(x.ctx, x.pool, feedback.CaseFilter{UnitID: &u1, Limit: 1, Offset: 1}); err != nil ||
		total != 2 || len(second) != 1 || second[0].ID != list[1].ID || len(second[0].Sources) != len(list[1].Sources) {
		t.Errorf("second page of one: %+v (total %d, %v), want case %d", second, total, err, list[1].ID)
	}
	if _, total, _ := feedback.ListCases(x.ctx, x.pool, feedback.CaseFilter{UnitID: &u2}); total != 0 {
		t.Errorf("other unit sees %d cases", total)
	}
}

func TestInvalidExcludesFromDailyCountsAndReopenRestores(t *testing.T) {
	x := newWorld(t, 1)
	u := x.units[0]
	r := x.rate(ratings.NewRating{UnitID: u, Level: 1, Comment: "乱评的"}, ratings.NewRating{UnitID: u, Level: 5})
	day := x.now.In(shanghai).Format(time.DateOnly)
	counts := func() ratings.LevelCounts {
		c, err := ratings.DailyLevelCounts(x.ctx, x.pool, day, day, shanghai, []int64{u})
		if err != nil {
			t.Fatal(err)
		}
		return c[u]
	}
	before := counts()
	if before[0] != 1 || before[4] != 1 {
		t.Fatalf("before = %v", before)
	}
	var it feedback.Item
	x.tx(func(tx pgx.Tx) (err error) {
		it, err = feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{
			Kind: "rating", ID: r[0].String(), Reason: feedback.ReasonMalicious, Note: "同一人反复差评"}, x.now)
		return err
	})
	if !it.Excluded || *it.Verdict != "invalid" || *it.Reason != "malicious" || it.Version != 1 {
		t.Errorf("item = %+v", it)
	}
	rt, _ := ratings.Find(x.ctx, x.pool, r[0])
	if rt.ExcludeReason == nil || *rt.ExcludeReason != "核查无效：恶意评价（同一人反复差评）" {
		t.Errorf("exclude reason = %v", rt.ExcludeReason)
	}
	if after := counts(); after[0] != 0 || after[4] != 1 {
		t.Errorf("after = %v, want the 差评 gone", after)
	}
	// Reopen at a stale version fails; at the current one restores.
	err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
		_, err := feedback.Reopen(x.ctx, tx, shanghai, office, "rating", r[0].String(), 0)
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("stale reopen: %v", err)
	}
	x.tx(func(tx pgx.Tx) (err error) {
		it, err = feedback.Reopen(x.ctx, tx, shanghai, office, "rating", r[0].String(), 1)
		return err
	})
	if !it.Pending() || it.Excluded || it.Version != 2 {
		t.Errorf("reopened = %+v", it)
	}
	if c := counts(); c != before {
		t.Errorf("after reopen = %v, want %v", c, before)
	}
	var n int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM audit_log WHERE action IN ('feedback.invalid', 'feedback.reopen', 'rating.exclude', 'rating.restore')`).Scan(&n)
	if n != 4 {
		t.Errorf("%d audit entries, want 4", n)
	}
}

func TestInvalidResponseLeavesScores(t *testing.T) {
	x := newWorld(t, 1)
	u := x.units[0]
	bad := x.response(u, 1, "随便填的")
	for range 3 {
		x.response(u, 5, "")
	}
	var cycle int64
	x.pool.QueryRow(x.ctx, `SELECT cycle_id FROM surveys LIMIT 1`).Scan(&cycle)
	score := func() float64 {
		rep, err := scores.Compute(x.ctx, x.pool, shanghai, x.now, scores.Query{CycleID: cycle})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range rep.Categories {
			for _, us := range c.Units {
				if us.Unit.ID == u && us.Result != nil {
					return float64(us.Result.Annual.Count)*1000 + us.Result.Annual.Mean
				}
			}
		}
		t.Fatal("unit not scored")
		return 0
	}
	before := score()
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{Kind: "response", ID: bad, Reason: feedback.ReasonMistaken}, x.now)
		return err
	})
	// score() is count×1000 + mean: 4 answers before, 3 (all 100) after.
	if after := score(); after != 3100 || before >= 4100 || before < 4000 {
		t.Errorf("annual part before %v after %v, want the level-1 answer left out", before, after)
	}
}

func TestConcurrentVerdictsOneWins(t *testing.T) {
	x := newWorld(t, 1)
	r := x.rate(ratings.NewRating{UnitID: x.units[0], Level: 1, Comment: "差"})
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Tx(x.ctx, x.pool, func(tx pgx.Tx) error {
				if i%2 == 0 {
					_, err := feedback.MarkValid(x.ctx, tx, shanghai, office, feedback.ValidInput{Items: []feedback.Ref{{Kind: "rating", ID: r[0].String()}}}, x.now)
					return err
				}
				_, err := feedback.MarkInvalid(x.ctx, tx, shanghai, office, feedback.InvalidInput{Kind: "rating", ID: r[0].String(), Reason: "mistaken"}, x.now)
				return err
			})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case apperr.Is(err, apperr.Conflict) && apperr.From(err).Message == feedback.MsgDecided:
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if wins != 1 {
		t.Errorf("%d verdicts won, want 1", wins)
	}
	var cases, excluded int
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM rectification_cases`).Scan(&cases)
	x.pool.QueryRow(x.ctx, `SELECT count(*) FROM ratings WHERE excluded`).Scan(&excluded)
	if cases+excluded != 1 {
		t.Errorf("%d cases and %d exclusions, want exactly one effect", cases, excluded)
	}
}

func TestAppealUpheldAndRejected(t *testing.T) {
	x := newWorld(t, 2)
	u1, u2 := x.units[0], x.units[1]
	r := x.rate(ratings.NewRating{UnitID: u1, Level: 1, Comment: "恶意"}, ratings.NewRating{UnitID: u1, Level: 2})
	unitActor := audit.Actor{Name: "unit1"}
	file := func(unit int64, id uuid.UUID) (feedback.Appeal, error) {
		var a feedback.Appeal
		err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) (err error) {
			a, err = feedback.FileAppeal(x.ctx, tx, unitActor, unit, id, feedback.AppealInput{Grounds: "该评价人当天未来办事"}, x.now)
			return err
		})
		return a, err
	}
	if _, err := file(u2, r[0]); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("appeal by another unit: %v", err)
	}
	a1, err := file(u1, r[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := file(u1, r[0]); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second open appeal: %v", err)
	}
	a2, err := file(u1, r[1])
	if err != nil {
		t.Fatal(err)
	}
	decide := func(id int64, uphold bool, reason string) (feedback.Appeal, error) {
		var a feedback.Appeal
		err := db.Tx(x.ctx, x.pool, func(tx pgx.Tx) (err error) {
			a, err = feedback.DecideAppeal(x.ctx, tx, office, id, uphold, reason, x.now)
			return err
		})
		return a, err
	}
	if _, err := decide(a1.ID, true, ""); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("decision without reason: %v", err)
	}
	got, err := decide(a1.ID, true, "核实为恶意评价")
	if err != nil || got.Status != feedback.AppealUpheld || got.DecisionReason != "核实为恶意评价" {
		t.Fatalf("upheld = %+v, %v", got, err)
	}
	if rt, _ := ratings.Find(x.ctx, x.pool, r[0]); !rt.Excluded || *rt.ExcludeReason != "申诉成立：核实为恶意评价" {
		t.Errorf("upheld rating = %+v", rt)
	}
	if it, _ := feedback.FindItem(x.ctx, x.pool, shanghai, "rating", r[0].String()); it.Pending() || *it.Reason != "malicious" {
		t.Errorf("upheld rating's review = %+v", it)
	}
	if _, err := decide(a1.ID, false, "再次处理"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second decision: %v", err)
	}
	got, err = decide(a2.ID, false, "理由不充分")
	if err != nil || got.Status != feedback.AppealRejected {
		t.Fatalf("rejected = %+v, %v", got, err)
	}
	if rt, _ := ratings.Find(x.ctx, x.pool, r[1]); rt.Excluded {
		t.Error("rejected appeal excluded the rating")
	}
	list, total, _ := feedback.ListAppeals(x.ctx, x.pool, feedback.AppealFilter{UnitID: &u2})
	if total != 0 || len(list) != 0 {
		t.Errorf("unit 2 sees %d appeals", total)
	}
}

// Filing an appeal tells the office (once per appeal, without the
// rating's message); deciding it tells the unit.
func TestAppealNotices(t *testing.T) {
	x := newWorld(t, 1)
	staff := x.account("office-1", "office", nil)
	unit := x.account("unit-1", "unit", &x.units[0])
	r := x.rate(ratings.NewRating{UnitID: x.units[0], Level: 1, Comment: "恶意留言内容"})
	var a feedback.Appeal
	x.tx(func(tx pgx.Tx) (err error) {
		a, err = feedback.FileAppeal(x.ctx, tx, audit.Actor{Name: "unit1"}, x.units[0], r[0], feedback.AppealInput{Grounds: "该评价人当天未来办事"}, x.now)
		return err
	})
	p, _ := notify.List(x.ctx, x.pool, staff, 10, 0)
	if len(p.Items) != 1 || p.Items[0].Kind != feedback.NoticeAppealFiled || p.Items[0].Title != "评价申诉待处理：单位1" ||
		p.Items[0].Body != "单位1对一条“非常不满意”评价提出申诉，理由：该评价人当天未来办事" || strings.Contains(p.Items[0].Body, "恶意留言") ||
		p.Items[0].Link != "/console/feedback/appeals#appeal-"+strconv.FormatInt(a.ID, 10) {
		t.Fatalf("office: %+v", p.Items)
	}
	x.tx(func(tx pgx.Tx) error {
		_, err := feedback.DecideAppeal(x.ctx, tx, office, a.ID, false, "理由不充分", x.now)
		return err
	})
	p, _ = notify.List(x.ctx, x.pool, unit, 10, 0)
	if len(p.Items) != 1 || p.Items[0].Kind != feedback.NoticeAppealDecided ||
		p.Items[0].Body != "绩效办处理了本单位对一条“非常不满意”评价的申诉：申诉不成立。理由：理由不充分" {
		t.Fatalf("unit: %+v", p.Items)
	}
}
