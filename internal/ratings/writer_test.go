package ratings_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func newWriter(t *testing.T, pool *pgxpool.Pool) *ratings.Writer {
	t.Helper()
	w := ratings.NewWriter(pool, 3, 500, nil, quiet)
	t.Cleanup(w.Close)
	return w
}

// fixture is a unit with terminals, made through the units package.
type fixture struct {
	unit      units.Unit
	terminals []units.Terminal
}

func makeUnit(t *testing.T, pool *pgxpool.Pool, name string, terminals int) fixture {
	t.Helper()
	ctx := context.Background()
	var f fixture
	err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
		f.unit, err = units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: name, Category: "社会服务类"}, []string{"社会服务类"})
		if err != nil {
			return err
		}
		for i := range terminals {
			tm, _, err := units.CreateTerminal(ctx, tx, audit.System, f.unit.ID, units.TerminalInput{Name: fmt.Sprintf("%d号评价器", i+1)})
			if err != nil {
				return err
			}
			f.terminals = append(f.terminals, tm)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// terminalRating is a terminal rating of the fixture's i-th terminal.
func (f fixture) terminalRating(i int, clientID, caseNo string) ratings.NewRating {
	id := f.terminals[i].ID
	return ratings.NewRating{Origin: id, ClientID: clientID, Channel: ratings.ChannelTerminal, UnitID: f.unit.ID,
		TerminalID: &id, Level: 4, Points: 80, CaseNo: caseNo, RatedAt: time.Now(), RateChecked: true}
}

func statuses(t *testing.T, w *ratings.Writer, items ...ratings.NewRating) []string {
	t.Helper()
	res, err := w.Write(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(items) {
		t.Fatalf("%d results for %d ratings", len(res), len(items))
	}
	out := make([]string, len(res))
	for i, r := range res {
		if r.ID != items[i].ID {
			t.Errorf("result %d is for rating %s, want %s (results out of order)", i, r.ID, items[i].ID)
		}
		out[i] = r.Status
	}
	return out
}

func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriterIdempotencyAndCaseNumbers(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 2)
	b := makeUnit(t, pool, "市税务局", 1)

	first := []ratings.NewRating{
		a.terminalRating(0, "r-1", ""),
		a.terminalRating(0, "r-2", "BJ-1"),
		a.terminalRating(0, "r-3", "BJ-1"), // the same case: the first in the batch wins
		a.terminalRating(0, "r-1", ""),     // the same id again in the batch
		a.terminalRating(1, "r-1", ""),     // the same id from another terminal is another rating
		b.terminalRating(0, "r-9", "BJ-1"), // the same case at another unit is fine
	}
	got := statuses(t, w, first...)
	want := []string{"created", "created", "case_conflict", "duplicate", "created", "created"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("first send: %v, want %v", got, want)
	}
	replay := []ratings.NewRating{
		a.terminalRating(0, "r-3", "BJ-1"), // rejected before: rejected again, not "duplicate"
		a.terminalRating(0, "r-2", "BJ-1"),
		a.terminalRating(0, "r-1", ""),
		a.terminalRating(1, "r-4", "BJ-1"), // another terminal of the unit with a used case
	}
	got = statuses(t, w, replay...)
	want = []string{"case_conflict", "duplicate", "duplicate", "case_conflict"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("replay: %v, want %v", got, want)
	}
	if n := count(t, pool, `SELECT count(*) FROM ratings`); n != 4 {
		t.Errorf("%d ratings stored, want 4", n)
	}
	// The rejected ids hold no key: once their case is free they are taken.
	if _, err := pool.Exec(context.Background(), `DELETE FROM rating_cases WHERE case_no = 'BJ-1' AND unit_id = $1`, a.unit.ID); err != nil {
		t.Fatal(err)
	}
	if got := statuses(t, w, a.terminalRating(0, "r-3", "BJ-1")); got[0] != "created" {
		t.Errorf("r-3 after its case was freed: %s, want created", got[0])
	}
}

func TestWriterStoresEveryField(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	at := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	r := a.terminalRating(0, "x-1", "BJ-7")
	r.Level, r.Points, r.Reasons, r.Comment = 2, 30, []string{"等候时间长", "其他"}, "排队一小时"
	r.WindowNo, r.StaffNo, r.RatedAt, r.RateChecked = "3", "A017", at, false
	batch := []ratings.NewRating{r}
	if got := statuses(t, w, batch...); got[0] != "created" {
		t.Fatalf("status %s", got[0])
	}
	var (
		level                                  int
		points                                 float64
		reasons                                []string
		comment, caseNo, window, staff, client string
		ratedAt                                time.Time
		checked                                bool
		terminalID                             int64
	)
	err := pool.QueryRow(context.Background(), `SELECT level, points::float8, reasons, comment, case_no, window_no, staff_no,
		client_id, rated_at, rate_checked, terminal_id FROM ratings WHERE id = $1`, batch[0].ID).Scan(&level, &points, &reasons,
		&comment, &caseNo, &window, &staff, &client, &ratedAt, &checked, &terminalID)
	if err != nil {
		t.Fatal(err)
	}
	if level != 2 || points != 30 || fmt.Sprint(reasons) != "[等候时间长 其他]" || comment != "排队一小时" || caseNo != "BJ-7" ||
		window != "3" || staff != "A017" || client != "x-1" || !ratedAt.Equal(at) || checked || terminalID != a.terminals[0].ID {
		t.Errorf("stored level=%d points=%v reasons=%v comment=%q case=%q window=%q staff=%q client=%q at=%v checked=%v terminal=%d",
			level, points, reasons, comment, caseNo, window, staff, client, ratedAt, checked, terminalID)
	}
	if n := count(t, pool, `SELECT count(*) FROM terminals WHERE id = $1 AND last_seen_at IS NOT NULL`, a.terminals[0].ID); n != 1 {
		t.Error("the terminal's last_seen_at was not set")
	}
}

func TestWriterRefusesRevokedTerminal(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 2)
	if _, err := pool.Exec(context.Background(), `UPDATE terminals SET revoked_at = now() WHERE id = $1`, a.terminals[0].ID); err != nil {
		t.Fatal(err)
	}
	got := statuses(t, w, a.terminalRating(0, "r-1", "BJ-1"), a.terminalRating(1, "r-1", "BJ-1"))
	if got[0] != "revoked" || got[1] != "created" {
		t.Errorf("statuses %v, want [revoked created]: a revoked terminal's rating must not take the case", got)
	}
	if n := count(t, pool, `SELECT count(*) FROM ratings WHERE terminal_id = $1`, a.terminals[0].ID); n != 0 {
		t.Errorf("%d ratings stored for the revoked terminal", n)
	}
}

func TestWriterDailyMarks(t *testing.T) {
	pool := testutil.DB(t)
	w := newWriter(t, pool)
	a := makeUnit(t, pool, "市政务服务中心", 0)
	b := makeUnit(t, pool, "市税务局", 0)
	day := time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	qr := func(f fixture, day time.Time, marks ...string) ratings.NewRating {
		r := ratings.NewRating{Channel: ratings.ChannelQR, UnitID: f.unit.ID, QRCode: f.unit.QRCode, Level: 5, Points: 100,
			RatedAt: day.Add(10 * time.Hour), RateChecked: true, Day: day}
		for _, m := range marks {
			r.Marks = append(r.Marks, []byte(m))
		}
		return r
	}
	steps := []struct {
		name string
		r    ratings.NewRating
		want string
	}{
		{"first rating of the day", qr(a, day, "device-1", "phone-1"), "created"},
		{"same device, same day", qr(a, day, "device-1"), "daily_limit"},
		{"same phone, other device", qr(a, day, "device-2", "phone-1"), "daily_limit"},
		{"the other device's mark was not used up", qr(a, day, "device-2"), "created"},
		{"same device, next day", qr(a, day.AddDate(0, 0, 1), "device-1", "phone-1"), "created"},
		{"same device, other unit", qr(b, day, "device-1", "phone-1"), "created"},
		{"no marks at all", qr(a, day), "created"},
	}
	for _, s := range steps {
		if got := statuses(t, w, s.r); got[0] != s.want {
			t.Errorf("%s: %s, want %s", s.name, got[0], s.want)
		}
	}
	// Two ratings with the same mark in one batch: the first wins.
	got := statuses(t, w, qr(a, day.AddDate(0, 0, 2), "device-9"), qr(a, day.AddDate(0, 0, 2), "device-9"))
	if fmt.Sprint(got) != "[created daily_limit]" {
		t.Errorf("same mark twice in a batch: %v", got)
	}
	if n := count(t, pool, `SELECT count(*) FROM ratings`); n != 6 {
		t.Errorf("%d ratings stored, want 6", n)
	}
}

// TestWriterConcurrentOverlaps writes the same client ids and case numbers
// from many goroutines at once, in different orders and batch sizes, and
// checks that every key ends with exactly one rating and that the results
// agree with what was stored. The group commit merges the goroutines' jobs,
// so one statement often holds the same key several times. It runs one
// flusher: with several, batches that claim overlapping keys in different
// orders can deadlock in Postgres (reported against writer.go).
func TestWriterConcurrentOverlaps(t *testing.T) {
	pool := testutil.DB(t)
	w := ratings.NewWriter(pool, 1, 500, nil, quiet)
	t.Cleanup(w.Close)
	a := makeUnit(t, pool, "市政务服务中心", 2)
	const keys, withCase, cases, goroutines = 40, 30, 20, 12
	type key struct {
		terminal int
		client   string
	}
	var mu sync.Mutex
	seen := map[key][]string{}
	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			term := g % 2
			var items []ratings.NewRating
			for _, k := range rng.Perm(keys) {
				caseNo := ""
				if k < withCase {
					caseNo = fmt.Sprintf("C-%d", k%cases)
				}
				items = append(items, a.terminalRating(term, fmt.Sprintf("k-%d", k), caseNo))
			}
			for len(items) > 0 {
				n := min(len(items), 1+rng.IntN(8))
				batch := items[:n]
				items = items[n:]
				res, err := w.Write(context.Background(), batch)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for i, r := range res {
					k := key{term, batch[i].ClientID}
					seen[k] = append(seen[k], r.Status)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("write failed under concurrency: %v", err)
	}
	created := 0
	for k, list := range seen {
		c, d, cc := 0, 0, 0
		for _, s := range list {
			switch s {
			case "created":
				c++
			case "duplicate":
				d++
			case "case_conflict":
				cc++
			default:
				t.Errorf("%v: unexpected status %s", k, s)
			}
		}
		created += c
		// A stored key is never refused for its case afterwards; a key
		// never stored was refused for its case.
		if c > 1 || (c == 1 && cc > 0) || (c == 0 && cc == 0) {
			t.Errorf("%v: %d created, %d duplicate, %d case_conflict", k, c, d, cc)
		}
	}
	stored := count(t, pool, `SELECT count(*) FROM ratings`)
	if stored != created {
		t.Errorf("%d ratings stored but %d results said created", stored, created)
	}
	// Every case number once, every rating without a case once per terminal.
	if want := cases + 2*(keys-withCase); stored != want {
		t.Errorf("%d ratings stored, want %d", stored, want)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT case_no FROM ratings WHERE case_no IS NOT NULL GROUP BY case_no HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d case numbers stored more than once", n)
	}
	if n := count(t, pool, `SELECT count(DISTINCT case_no) FROM ratings`); n != cases {
		t.Errorf("%d distinct case numbers stored, want %d", n, cases)
	}
	if n := count(t, pool, `SELECT count(*) FROM (SELECT 1 FROM ratings GROUP BY terminal_id, client_id HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d client ids stored more than once", n)
	}
}

func TestWriterUnreachableDatabase(t *testing.T) {
	pool := testutil.DB(t)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	down, err := db.Connect(context.Background(), "postgres://postgres@127.0.0.1:1/minyi?sslmode=disable", 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Close)
	w := newWriter(t, down)
	batch := []ratings.NewRating{a.terminalRating(0, "r-1", ""), a.terminalRating(0, "r-2", "BJ-1")}
	res, err := w.Write(context.Background(), batch)
	if apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Write on an unreachable database: %v, want unavailable", err)
	}
	if res != nil {
		t.Errorf("results %v returned with the error", res)
	}
	if n := count(t, pool, `SELECT count(*) FROM ratings`) + count(t, pool, `SELECT count(*) FROM rating_requests`); n != 0 {
		t.Errorf("%d rows stored", n)
	}
	// The same batch goes through once the database is back.
	if got := statuses(t, newWriter(t, pool), batch...); fmt.Sprint(got) != "[created created]" {
		t.Errorf("after recovery: %v", got)
	}
}

func TestWriterCancelledContext(t *testing.T) {
	pool := testutil.DB(t)
	a := makeUnit(t, pool, "市政务服务中心", 1)
	w := newWriter(t, pool)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.Write(ctx, []ratings.NewRating{a.terminalRating(0, "r-1", "")}); err == nil {
		t.Error("Write with a cancelled context returned no error")
	}
	if res, err := w.Write(context.Background(), nil); res != nil || err != nil {
		t.Errorf("empty write = %v, %v", res, err)
	}
}
