package notify_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/notify"
	"minyi/internal/testutil"
)

type world struct {
	t    *testing.T
	ctx  context.Context
	pool *pgxpool.Pool
}

func newWorld(t *testing.T) *world {
	return &world{t: t, ctx: context.Background(), pool: testutil.DB(t)}
}

func (w *world) unit(name string) int64 {
	w.t.Helper()
	var id int64
	if err := w.pool.QueryRow(w.ctx, `INSERT INTO units (name, category) VALUES ($1, '政府部门') RETURNING id`, name).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

// user adds an account; a disabled one has disabled_at set.
func (w *world) user(name, role string, unit *int64, disabled bool) int64 {
	w.t.Helper()
	var id int64
	var off *time.Time
	if disabled {
		now := time.Now()
		off = &now
	}
	if err := w.pool.QueryRow(w.ctx, `INSERT INTO users (username, password_hash, role, unit_id, disabled_at)
		VALUES ($1, 'x', $2, $3, $4) RETURNING id`, "user_"+name, role, unit, off).Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) send(n notify.Notice, at time.Time) (int64, bool) {
	w.t.Helper()
	var id int64
	var sent bool
	err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		id, sent, err = notify.Send(w.ctx, tx, n, at)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id, sent
}

func (w *world) list(user int64) notify.Page {
	w.t.Helper()
	p, err := notify.List(w.ctx, w.pool, user, 50, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

func notice(key string, to notify.Recipient) notify.Notice {
	return notify.Notice{Kind: notify.KindCaseSent, Key: key, To: to, Link: "/console/cases/1",
		Values: notify.Values{"案件": "窗口人员态度生硬", "答复工作日": "5", "答复期限": "2026年12月22日"}}
}

func TestFanOutReachesEveryActiveAccountOfTheRecipient(t *testing.T) {
	w := newWorld(t)
	a, b := w.unit("甲局"), w.unit("乙局")
	a1, a2 := w.user("a1", "unit", &a, false), w.user("a2", "unit", &a, false)
	aOff := w.user("a3", "unit", &a, true)
	b1 := w.user("b1", "unit", &b, false)
	o1, o2 := w.user("o1", "office", nil, false), w.user("o2", "office", nil, false)
	lead := w.user("lead", "leader", nil, false)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

	w.send(notice("unit:a", notify.ToUnit(a)), at)
	w.send(notice("office", notify.ToOffice()), at.Add(time.Minute))
	w.send(notice("user:lead", notify.ToUser(lead)), at.Add(2*time.Minute))

	want := map[int64]int{a1: 1, a2: 1, aOff: 0, b1: 0, o1: 1, o2: 1, lead: 1}
	for user, n := range want {
		if p := w.list(user); p.Total != n || p.Unread != n || len(p.Items) != n {
			t.Errorf("user %d: total %d unread %d items %d, want %d", user, p.Total, p.Unread, len(p.Items), n)
		}
	}
	var rows int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM notifications`).Scan(&rows); err != nil || rows != 3 {
		t.Fatalf("notifications = %d (%v), want one row per event", rows, err)
	}
}

func TestTheSameEventNotifiesOnce(t *testing.T) {
	w := newWorld(t)
	a := w.unit("甲局")
	a1 := w.user("a1", "unit", &a, false)
	at := time.Now()
	id, sent := w.send(notice("case.sent:1:2026-12-22", notify.ToUnit(a)), at)
	again, sentAgain := w.send(notice("case.sent:1:2026-12-22", notify.ToUnit(a)), at.Add(time.Hour))
	if !sent || id == 0 || sentAgain || again != 0 {
		t.Fatalf("first (%d, %v), second (%d, %v): want the second refused quietly", id, sent, again, sentAgain)
	}
	if p := w.list(a1); p.Total != 1 {
		t.Fatalf("inbox has %d notifications, want 1", p.Total)
	}
	var jobs int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM river_job WHERE kind = 'notification_deliver'`).Scan(&jobs); err != nil || jobs != 1 {
		t.Fatalf("delivery jobs = %d (%v), want 1", jobs, err)
	}
}

// A notification, its inbox rows and its job exist only if the event's
// transaction commits.
func TestNothingIsRecordedWhenTheEventRollsBack(t *testing.T) {
	w := newWorld(t)
	a := w.unit("甲局")
	w.user("a1", "unit", &a, false)
	tx, err := w.pool.Begin(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := notify.Send(w.ctx, tx, notice("k", notify.ToUnit(a)), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(w.ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := w.pool.QueryRow(w.ctx, `SELECT (SELECT count(*) FROM notifications) + (SELECT count(*) FROM notification_inbox)
		+ (SELECT count(*) FROM river_job)`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows left after rollback: %d (%v)", n, err)
	}
}

func TestReadStateIsEachReadersOwn(t *testing.T) {
	w := newWorld(t)
	a := w.unit("甲局")
	a1, a2 := w.user("a1", "unit", &a, false), w.user("a2", "unit", &a, false)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	first, _ := w.send(notice("one", notify.ToUnit(a)), at)
	second, _ := w.send(notice("two", notify.ToUnit(a)), at.Add(time.Hour))
	third, _ := w.send(notice("three", notify.ToUnit(a)), at.Add(2*time.Hour))

	p := w.list(a1)
	if len(p.Items) != 3 || p.Items[0].ID != third || p.Items[2].ID != first {
		t.Fatalf("list not newest first: %+v", p.Items)
	}
	it, err := notify.Open(w.ctx, w.pool, a1, second, at.Add(3*time.Hour))
	if err != nil || !it.Read() || it.Link != "/console/cases/1" {
		t.Fatalf("open: %+v, %v", it, err)
	}
	if n, _ := notify.UnreadCount(w.ctx, w.pool, a1); n != 2 {
		t.Errorf("a1 unread = %d after opening one, want 2", n)
	}
	if n, _ := notify.UnreadCount(w.ctx, w.pool, a2); n != 3 {
		t.Errorf("a2 unread = %d, want 3: a1's reading is not a2's", n)
	}
	// Marking another reader's ids changes nothing of theirs.
	if n, err := notify.MarkRead(w.ctx, w.pool, a2, []int64{first}, at); err != nil || n != 1 {
		t.Fatalf("mark read: %d, %v", n, err)
	}
	if n, _ := notify.UnreadCount(w.ctx, w.pool, a1); n != 2 {
		t.Errorf("a1 unread = %d after a2 read one, want 2", n)
	}
	if n, err := notify.MarkAllRead(w.ctx, w.pool, a1, at); err != nil || n != 2 {
		t.Fatalf("mark all read: %d, %v", n, err)
	}
	if p := w.list(a1); p.Unread != 0 || p.Total != 3 {
		t.Errorf("after all read: %+v", p)
	}
}

func TestAReaderCannotOpenAnothersNotification(t *testing.T) {
	w := newWorld(t)
	a, b := w.unit("甲局"), w.unit("乙局")
	w.user("a1", "unit", &a, false)
	b1 := w.user("b1", "unit", &b, false)
	id, _ := w.send(notice("a only", notify.ToUnit(a)), time.Now())
	if _, err := notify.Open(w.ctx, w.pool, b1, id, time.Now()); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("open another unit's notification: %v, want not_found", err)
	}
}

func TestUnreadCountStopsAtTheCap(t *testing.T) {
	w := newWorld(t)
	o := w.user("o1", "office", nil, false)
	at := time.Now()
	for i := range notify.UnreadCap + 5 {
		w.send(notice("n"+time.Duration(i).String(), notify.ToOffice()), at)
	}
	if n, err := notify.UnreadCount(w.ctx, w.pool, o); err != nil || n != notify.UnreadCap {
		t.Fatalf("unread = %d (%v), want the cap %d", n, err, notify.UnreadCap)
	}
}

func TestMalformedNoticesAreRefused(t *testing.T) {
	w := newWorld(t)
	with := func(change func(*notify.Notice)) notify.Notice {
		n := notice("k", notify.ToOffice())
		change(&n)
		return n
	}
	bad := []notify.Notice{
		with(func(n *notify.Notice) { n.Key = "" }),
		with(func(n *notify.Notice) { n.Link = "https://example.com/" }),
		with(func(n *notify.Notice) { n.To = notify.ToUnit(0) }),
		with(func(n *notify.Notice) { n.Kind = "case.unknown" }),
		with(func(n *notify.Notice) { delete(n.Values, "答复期限") }),
		with(func(n *notify.Notice) { n.Values["申诉理由"] = "多余" }),
	}
	for _, n := range bad {
		err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) error { _, _, err := notify.Send(w.ctx, tx, n, time.Now()); return err })
		if err == nil {
			t.Errorf("%+v accepted", n)
		}
	}
}

// The river worker delivers each notification: its job completes and the
// notification is marked delivered.
func TestWorkerMarksNotificationsDelivered(t *testing.T) {
	w := newWorld(t)
	a := w.unit("甲局")
	w.user("a1", "unit", &a, false)
	worker, err := notify.NewWorker(w.pool, notify.Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	done, stop := worker.Completed()
	defer stop()
	if err := worker.Start(w.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = worker.Stop(ctx)
	})
	id, _ := w.send(notice("deliver me", notify.ToUnit(a)), time.Now())
	ev := <-done
	if ev.Job.Kind != "notification_deliver" {
		t.Fatalf("completed %s", ev.Job.Kind)
	}
	var state string
	var at *time.Time
	if err := w.pool.QueryRow(w.ctx, `SELECT state, delivered_at FROM notifications WHERE id = $1`, id).Scan(&state, &at); err != nil {
		t.Fatal(err)
	}
	if state != "delivered" || at == nil {
		t.Fatalf("state %s delivered_at %v", state, at)
	}
}
