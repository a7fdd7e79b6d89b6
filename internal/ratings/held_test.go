package ratings_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
)

// localDay is the Shanghai day of t as a UTC midnight, as the server passes it.
func localDay(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// qrRating is a QR rating at the time at, counting against source's cap.
func qrRating(unitID int64, at time.Time, source string, limit int) ratings.NewRating {
	return ratings.NewRating{ID: uuid.Must(uuid.NewV7()), Channel: ratings.ChannelQR, UnitID: unitID, Level: 5, Points: 100, RatedAt: at,
		RateChecked: true, Day: localDay(at), Cap: ratings.DailyCap{Source: []byte(source), Limit: limit, Label: source}}
}

// heldState is, per rating id, "counted", "held" or "excluded".
func heldState(t *testing.T, pool *pgxpool.Pool) map[uuid.UUID]string {
	t.Helper()
	rows, _ := pool.Query(context.Background(), `SELECT id, CASE WHEN held AND excluded THEN 'held'
		WHEN held THEN 'held but counted' WHEN excluded THEN 'excluded' ELSE 'counted' END FROM ratings`)
	out := map[uuid.UUID]string{}
	var id uuid.UUID
	var st string
	if _, err := pgx.ForEachRow(rows, []any{&id, &st}, func() error { out[id] = st; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantStates checks the states of the ratings, in order.
func wantStates(t *testing.T, pool *pgxpool.Pool, items []ratings.NewRating, want ...string) {
	t.Helper()
	got := heldState(t, pool)
	var list []string
	for _, it := range items {
		list = append(list, got[it.ID])
	}
	if fmt.Sprint(list) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v", list, want)
	}
}

func TestDailyCapHoldsRatingsBeyondTheCap(t *testing.T) {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, shanghai, quiet)
	t.Cleanup(w.Close)
	fa := makeUnit(t, pool, "市行政审批局", 1)
	a, b := fa.unit.ID, makeUnit(t, pool, "市税务局", 0).unit.ID
	now := time.Now()
	// One batch: five from one address (the first three count), two from
	// another, two from the first address at another unit, and a terminal's
	// rating of two days ago, which has no cap (and makes the statement
	// touch the terminal and mark a late minute, parameters the caps follow).
	late := fa.terminalRating(0, "t-1", "")
	late.RatedAt = now.AddDate(0, 0, -2)
	var batch []ratings.NewRating
	for range 5 {
		batch = append(batch, qrRating(a, now, "addr-1", 3))
	}
	batch = append(batch, qrRating(a, now, "addr-2", 3), qrRating(a, now, "addr-2", 3),
		qrRating(b, now, "addr-1", 3), qrRating(b, now, "addr-1", 3), late)
	if got := statuses(t, w, batch...); fmt.Sprint(got) != fmt.Sprint([]string{"created", "created", "created",
		"created", "created", "created", "created", "created", "created", "created"}) {
		t.Fatalf("statuses %v: a held rating is stored, so created", got)
	}
	wantStates(t, pool, batch, "counted", "counted", "counted", "held", "held", "counted", "counted",
		"counted", "counted", "counted")
	// A later batch adds to the day's count: both held at a, one of two
	// counted at b.
	later := []ratings.NewRating{qrRating(a, now, "addr-1", 3), qrRating(b, now, "addr-1", 3), qrRating(b, now, "addr-1", 3)}
	statuses(t, w, later...)
	wantStates(t, pool, later, "held", "counted", "held")

	var reason string
	if err := pool.QueryRow(context.Background(), `SELECT exclude_reason FROM ratings WHERE id = $1`, batch[3].ID).Scan(&reason); err != nil || reason != ratings.HeldReasonAddress {
		t.Fatalf("held rating's reason %q (%v), want %q", reason, err, ratings.HeldReasonAddress)
	}
	if n := count(t, pool, `SELECT count(*) FROM rating_holds WHERE label = 'addr-1'`); n != 4 {
		t.Fatalf("rating_holds lists %d ratings of addr-1, want 4", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM rating_holds WHERE label <> 'addr-1'`); n != 0 {
		t.Fatalf("rating_holds lists %d ratings within their cap", n)
	}
	// What counts is what the aggregate and the statistics see.
	day := now.In(shanghai).Format(time.DateOnly)
	counts, err := ratings.DailyLevelCounts(context.Background(), pool, day, day, shanghai, nil)
	if err != nil {
		t.Fatal(err)
	}
	if counts[a].Total() != 5 || counts[b].Total() != 3 {
		t.Fatalf("daily counts a=%d b=%d, want 5 and 3", counts[a].Total(), counts[b].Total())
	}
	if n := count(t, pool, `SELECT count(*) FROM terminals WHERE last_seen_at IS NOT NULL`); n != 1 {
		t.Fatalf("the terminal was not touched")
	}
}

func TestDailyCapRetriedRatingsCountOnce(t *testing.T) {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, shanghai, quiet)
	t.Cleanup(w.Close)
	unit := makeUnit(t, pool, "市行政审批局", 0).unit.ID
	now := time.Now()
	first := qrRating(unit, now, "addr-1", 3)
	first.ClientID = "form-1"
	statuses(t, w, first)
	// The same form again (a new id, as a retried post gets), within a
	// batch the fast statement refuses, so it goes the slow way; a rating
	// refused by the once-a-day rule counts nothing either.
	again := qrRating(unit, now, "addr-1", 3)
	again.ClientID = "form-1"
	marked := qrRating(unit, now, "addr-1", 3)
	marked.Marks = [][]byte{[]byte("device-1")}
	twice := qrRating(unit, now, "addr-1", 3)
	twice.Marks = [][]byte{[]byte("device-1")}
	batch := []ratings.NewRating{again, marked, twice, qrRating(unit, now, "addr-1", 3), qrRating(unit, now, "addr-1", 3)}
	got := statuses(t, w, batch...)
	if fmt.Sprint(got) != "[duplicate created daily_limit created created]" {
		t.Fatalf("statuses %v", got)
	}
	wantStates(t, pool, []ratings.NewRating{first, marked, batch[3], batch[4]}, "counted", "counted", "counted", "held")
	if n := count(t, pool, `SELECT n FROM rating_cap_counts`); n != 4 {
		t.Fatalf("the counter says %d, want the 4 ratings stored", n)
	}
}

func TestDailyCapHoldsAcrossConcurrentWriters(t *testing.T) {
	pool := testutil.DB(t)
	// Two writers are two instances: their batches race for the counter.
	w1, w2 := ratings.NewWriter(pool, 2, 4, shanghai, quiet), ratings.NewWriter(pool, 2, 4, shanghai, quiet)
	t.Cleanup(w1.Close)
	t.Cleanup(w2.Close)
	unit := makeUnit(t, pool, "市行政审批局", 0).unit.ID
	now := time.Now()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := w1
			if i%2 == 1 {
				w = w2
			}
			if _, err := w.Write(context.Background(), []ratings.NewRating{qrRating(unit, now, "addr-1", 7)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if c, h := count(t, pool, `SELECT count(*) FROM ratings WHERE NOT excluded`), count(t, pool, `SELECT count(*) FROM ratings WHERE held`); c != 7 || h != 33 {
		t.Fatalf("%d counted and %d held, want 7 and 33", c, h)
	}
}

// holdWorld is a unit with ratings held on a past day, the day rolled into
// the daily aggregate.
type holdWorld struct {
	t     *testing.T
	pool  *pgxpool.Pool
	unit  int64
	at    time.Time
	actor audit.Actor
}

func newHoldWorld(t *testing.T) *holdWorld {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, shanghai, quiet)
	t.Cleanup(w.Close)
	x := &holdWorld{t: t, pool: pool, unit: makeUnit(t, pool, "市行政审批局", 0).unit.ID,
		at: time.Now().AddDate(0, 0, -3), actor: audit.Actor{Name: "office1"}}
	var batch []ratings.NewRating
	for i := range 6 {
		for _, src := range []string{"addr-1", "addr-2"} {
			r := qrRating(x.unit, x.at.Add(time.Duration(i)*time.Minute), src, 2)
			r.Level = 1 + i%5
			batch = append(batch, r)
		}
	}
	statuses(t, w, batch...)
	if _, err := ratings.RollUp(context.Background(), pool, time.Now(), shanghai); err != nil {
		t.Fatal(err)
	}
	return x
}

// key is the key of the group held from source.
func (x *holdWorld) key(source string) string {
	return ratings.HoldKey(x.unit, localDay(x.at), []byte(source))
}

// group counts the group's ratings: held, counted after the hold, and
// excluded after it.
func (x *holdWorld) group(source string) string {
	x.t.Helper()
	var held, counted, excluded int
	err := x.pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE r.held),
		count(*) FILTER (WHERE NOT r.held AND NOT r.excluded), count(*) FILTER (WHERE NOT r.held AND r.excluded)
		FROM rating_holds h JOIN ratings r ON r.id = h.rating_id WHERE h.label = $1`, source).Scan(&held, &counted, &excluded)
	if err != nil {
		x.t.Fatal(err)
	}
	x.mirrored()
	return fmt.Sprintf("held %d, counted %d, excluded %d", held, counted, excluded)
}

// mirrored checks that every row of rating_holds keeps its rating's level,
// held and excluded (migration 0077: the review queue's groups read them
// there).
func (x *holdWorld) mirrored() {
	x.t.Helper()
	if n := count(x.t, x.pool, `SELECT count(*) FROM rating_holds h JOIN ratings r ON r.id = h.rating_id AND r.rated_at = h.rated_at
		WHERE (h.level, h.held, h.excluded) IS DISTINCT FROM (r.level, r.held, r.excluded)`); n != 0 {
		x.t.Fatalf("%d rows of rating_holds differ from their ratings", n)
	}
	if n := count(x.t, x.pool, `SELECT count(*) FROM rating_holds`); n == 0 {
		x.t.Fatal("no held ratings to compare")
	}
}

// exact checks that the daily aggregate equals the direct count, and
// returns the unit's count.
func (x *holdWorld) exact() int64 {
	x.t.Helper()
	day := x.at.In(shanghai).Format(time.DateOnly)
	got, err := ratings.DailyLevelCounts(context.Background(), x.pool, day, day, shanghai, nil)
	if err != nil {
		x.t.Fatal(err)
	}
	if want := directCounts(x.t, x.pool, day, day, shanghai, nil); fmt.Sprint(got) != fmt.Sprint(want) {
		x.t.Fatalf("daily aggregate %v, direct count %v", got, want)
	}
	return got[x.unit].Total()
}

func (x *holdWorld) decide(d ratings.HoldDecision) (int, error) {
	var n int
	err := db.Tx(context.Background(), x.pool, func(tx pgx.Tx) (err error) {
		n, err = ratings.DecideHoldGroup(context.Background(), tx, x.actor, d)
		return err
	})
	return n, err
}

func TestDecideHoldGroupKeepsTheAggregateExact(t *testing.T) {
	x := newHoldWorld(t)
	if n := x.exact(); n != 4 {
		t.Fatalf("the day counts %d ratings, want 2 of each address", n)
	}
	if g := x.group("addr-1"); g != "held 4, counted 0, excluded 0" {
		t.Fatalf("addr-1: %s", g)
	}
	// Counting the group puts its ratings back into the day, in the
	// aggregate too (the day was rolled before).
	n, err := x.decide(ratings.HoldDecision{Key: x.key("addr-1"), Count: true, Until: x.at.Add(time.Hour)})
	if err != nil || n != 4 {
		t.Fatalf("count: %d, %v", n, err)
	}
	if n := x.exact(); n != 8 {
		t.Fatalf("the day counts %d after counting addr-1, want 8", n)
	}
	if _, err := x.decide(ratings.HoldDecision{Key: x.key("addr-1"), Count: true}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("deciding again: %v, want conflict", err)
	}
	// Not counting needs a reason, and deciding up to a time leaves the
	// ratings held after it waiting.
	key2 := x.key("addr-2")
	if _, err := x.decide(ratings.HoldDecision{Key: key2, Reason: "  "}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("no reason: %v, want invalid", err)
	}
	if _, err := x.decide(ratings.HoldDecision{Key: key2, Reason: "刷票\x00"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("a NUL in the reason: %v, want invalid", err)
	}
	// The held ratings of addr-2 are its 3rd to 6th, a minute apart.
	n, err = x.decide(ratings.HoldDecision{Key: key2, Reason: "同一地址集中刷好评", Until: x.at.Add(3 * time.Minute)})
	if err != nil || n != 2 {
		t.Fatalf("not count up to the second rating: %d, %v", n, err)
	}
	if n := x.exact(); n != 8 {
		t.Fatalf("the day counts %d after not counting, want 8", n)
	}
	if g := x.group("addr-2"); g != "held 2, counted 0, excluded 2" {
		t.Fatalf("addr-2 after a partial decision: %s", g)
	}
	if g := x.group("addr-1"); g != "held 0, counted 4, excluded 0" {
		t.Fatalf("addr-1 after counting: %s", g)
	}
	if n := count(t, x.pool, `SELECT count(*) FROM ratings WHERE exclude_reason = '超出每日上限，核查后不计入：同一地址集中刷好评' AND NOT held`); n != 2 {
		t.Fatalf("%d ratings carry the office's reason, want 2", n)
	}
	if n := count(t, x.pool, `SELECT count(*) FROM audit_log WHERE action IN ('rating_hold.count', 'rating_hold.not_count')`); n != 2 {
		t.Fatalf("%d audit entries, want one per decision", n)
	}
	if _, err := x.decide(ratings.HoldDecision{Key: "1-2026-zz", Count: true}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("a malformed key: %v, want not_found", err)
	}
}

func TestRestoringAHeldRatingEndsItsHold(t *testing.T) {
	x := newHoldWorld(t)
	var id uuid.UUID
	if err := x.pool.QueryRow(context.Background(), `SELECT id FROM ratings WHERE held LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	err := db.Tx(context.Background(), x.pool, func(tx pgx.Tx) error {
		_, err := ratings.Restore(context.Background(), tx, x.actor, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := heldState(t, x.pool)[id]; st != "counted" {
		t.Fatalf("restored held rating is %q, want counted", st)
	}
	x.mirrored()
	if n := x.exact(); n != 5 {
		t.Fatalf("the day counts %d, want 5", n)
	}
}

func TestHeldRatingsKeepTheirStateInRatingHolds(t *testing.T) {
	x := newHoldWorld(t)
	x.mirrored()
	ctx := context.Background()
	if _, err := x.decide(ratings.HoldDecision{Key: x.key("addr-1"), Count: true}); err != nil {
		t.Fatal(err)
	}
	x.mirrored()
	// A counted rating of the group excluded later, and restored again.
	var counted, held uuid.UUID
	if err := x.pool.QueryRow(ctx, `SELECT r.id FROM rating_holds h JOIN ratings r ON r.id = h.rating_id
		WHERE h.label = 'addr-1' LIMIT 1`).Scan(&counted); err != nil {
		t.Fatal(err)
	}
	tx := func(f func(tx pgx.Tx) error) {
		t.Helper()
		if err := db.Tx(ctx, x.pool, f); err != nil {
			t.Fatal(err)
		}
	}
	tx(func(tx pgx.Tx) error {
		_, err := ratings.Exclude(ctx, tx, x.actor, counted, "核查无效：误评")
		return err
	})
	if g := x.group("addr-1"); g != "held 0, counted 3, excluded 1" {
		t.Fatalf("addr-1 after excluding one: %s", g)
	}
	tx(func(tx pgx.Tx) error { _, err := ratings.Restore(ctx, tx, x.actor, counted); return err })
	if g := x.group("addr-1"); g != "held 0, counted 4, excluded 0" {
		t.Fatalf("addr-1 after restoring it: %s", g)
	}
	// A held rating settled by a verdict stays excluded and is no longer held.
	if err := x.pool.QueryRow(ctx, `SELECT rating_id FROM rating_holds WHERE label = 'addr-2' LIMIT 1`).Scan(&held); err != nil {
		t.Fatal(err)
	}
	tx(func(tx pgx.Tx) error {
		return ratings.SettleHeld(ctx, tx, x.actor, held, "核查无效：恶意评价")
	})
	if g := x.group("addr-2"); g != "held 3, counted 0, excluded 1" {
		t.Fatalf("addr-2 after a verdict on one: %s", g)
	}
}

// BenchmarkWriteQRBatch measures what the daily cap costs the write path:
// batches of 64 QR ratings, as group commit makes them under load, without
// caps (the write path before the cap), each from its own address (a new
// counter row per rating, as real traffic has) and all from one address
// beyond its cap (every rating held). The three take turns in each
// iteration, so that a busy machine slows them alike; each is reported in
// µs per rating.
func BenchmarkWriteQRBatch(b *testing.B) {
	pool := testutil.DB(b)
	var unit int64
	if err := pool.QueryRow(context.Background(), `INSERT INTO units (name, category) VALUES ('市行政审批局', '社会服务类')
		RETURNING id`).Scan(&unit); err != nil {
		b.Fatal(err)
	}
	w := ratings.NewWriter(pool, 1, 500, shanghai, quiet)
	b.Cleanup(w.Close)
	modes := []struct {
		name  string
		limit int
		one   bool
	}{{"no-cap", 0, false}, {"own-address", 20, false}, {"held", 1, true}}
	spent := make([]time.Duration, len(modes))
	n := 0
	now := time.Now()
	for range b.N {
		for m, mode := range modes {
			batch := make([]ratings.NewRating, 64)
			for i := range batch {
				n++
				src := fmt.Sprintf("addr-%d", n)
				if mode.one {
					src = "addr-0"
				}
				batch[i] = qrRating(unit, now, src, mode.limit)
				batch[i].Marks = [][]byte{[]byte(fmt.Sprintf("device-%d", n))}
			}
			start := time.Now()
			if _, err := w.Write(context.Background(), batch); err != nil {
				b.Fatal(err)
			}
			spent[m] += time.Since(start)
		}
	}
	for m, mode := range modes {
		b.ReportMetric(float64(spent[m].Microseconds())/float64(b.N*64), "µs/rating-"+mode.name)
	}
}
