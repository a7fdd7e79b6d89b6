package selfeval_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"minyi/internal/audit"
	"minyi/internal/channels"
	"minyi/internal/channels/channelstest"
	"minyi/internal/notify"
	"minyi/internal/secure"
	"minyi/internal/selfeval"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// quickRetry retries a failed send at once, instead of river's back-off.
type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

func (w world) account(t *testing.T, name, role string, unit *int64, email string) int64 {
	t.Helper()
	var id int64
	if err := w.pool.QueryRow(ctx, `INSERT INTO users (username, password_hash, role, unit_id, email, notify_channels)
		VALUES ($1, 'x', $2, $3, $4, $5) RETURNING id`, name, role, unit, email, []string{"email"}).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (w world) kinds(t *testing.T, user int64) []string {
	t.Helper()
	p, err := notify.List(ctx, w.pool, user, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(p.Items) - 1; i >= 0; i-- {
		out = append(out, p.Items[i].Kind)
	}
	return out
}

// Units are told, once per unit and period each, that a report is due
// soon and that it is overdue, however often and on however many
// instances the reminder step runs; the office is told of a late report.
// The reminders reach unit A's own 企业微信 robot and duty mailbox and the
// office's mailbox through the delivery worker; a unit that reported on
// time, and a locked cycle, hear nothing more.
func TestRemindersReachTheUnitsChannelsOnce(t *testing.T) {
	w := newWorld(t)
	half := w.period(t, selfeval.PeriodInput{Name: "半年自评", CoversTo: "2026-06-30", DueOn: "2026-07-15"})
	userA := w.account(t, "unit-a", "unit", &w.unitA, "")
	userB := w.account(t, "unit-b", "unit", &w.unitB, "")
	office := w.account(t, "office-1", "office", nil, "office1@example.gov.cn")

	keys, err := secure.NewKeys("test-secret-key-0123456789abcdef-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	robot := channelstest.NewReceiver(t, 200, `{"errcode":0,"errmsg":"ok"}`)
	mailbox := channelstest.StartMailbox(t)
	hosts, err := channels.ParseRobotHosts(robot.URL)
	if err != nil {
		t.Fatal(err)
	}
	on, hook, duty := true, robot.URL+"/cgi-bin/webhook/send?key=unit-a-key-0123456789", "zhiban-a@example.gov.cn"
	if _, err := inTx(w, func(tx pgx.Tx) (notify.UnitChannels, error) {
		return notify.SaveUnitChannels(ctx, tx, keys, hosts, audit.System, w.unitA,
			notify.UnitChannelsInput{WeComOn: &on, WeComURL: &hook, EmailOn: &on, DutyEmail: &duty}, now)
	}); err != nil {
		t.Fatal(err)
	}
	worker, err := notify.NewWorker(w.pool, notify.Options{Workers: 2, BaseURL: "https://minyi.example.gov.cn",
		Senders: map[string]channels.Sender{channels.Email: mailbox.Sender("绩效办 <minyi@example.gov.cn>")},
		Keys:    keys, RobotHosts: hosts, RetryPolicy: quickRetry{}, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = worker.Stop(stop)
	})

	run := func(day string) int {
		t.Helper()
		at, _ := time.ParseInLocation("2006-01-02", day, shanghai)
		n, err := selfeval.SendReminders(ctx, w.pool, at.Add(9*time.Hour), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := run("2026-07-07"); n != 0 {
		t.Fatalf("eight days ahead: %d notices", n)
	}
	// Two instances at once: each unit is told once.
	var wg sync.WaitGroup
	got := make([]int, 2)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = run("2026-07-08") }()
	}
	wg.Wait()
	if got[0]+got[1] != 2 {
		t.Fatalf("seven days ahead on two instances: %v notices, want 2 in all", got)
	}
	if n := run("2026-07-14"); n != 0 {
		t.Fatalf("the step ran again: %d notices", n)
	}
	if _, err := inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
		return selfeval.SaveReport(ctx, tx, clerk, half, w.unitB, selfeval.ReportInput{Body: "按时提交"}, "2026-07-15", now)
	}); err != nil {
		t.Fatal(err)
	}
	if n := run("2026-07-16"); n != 1 {
		t.Fatalf("a day late: %d notices, want unit A's", n)
	}
	if n := run("2026-07-20"); n != 0 {
		t.Fatalf("later: %d notices", n)
	}
	if _, err := inTx(w, func(tx pgx.Tx) (selfeval.Report, error) {
		return selfeval.SaveReport(ctx, tx, clerk, half, w.unitA, selfeval.ReportInput{Body: "补交"}, "2026-07-21", now)
	}); err != nil {
		t.Fatal(err)
	}
	if k := w.kinds(t, userA); len(k) != 2 || k[0] != selfeval.NoticeDueSoon || k[1] != selfeval.NoticeOverdue {
		t.Errorf("unit A's notices %v", k)
	}
	if k := w.kinds(t, userB); len(k) != 1 || k[0] != selfeval.NoticeDueSoon {
		t.Errorf("unit B's notices %v", k)
	}
	if k := w.kinds(t, office); len(k) != 1 || k[0] != selfeval.NoticeLate {
		t.Errorf("office's notices %v", k)
	}
	p, _ := notify.List(ctx, w.pool, office, 5, 0)
	if want := "市甲局于2026年7月21日提交了2026年度“半年自评”的自评报告，晚于报送期限（2026年7月15日），已标记为逾期提交。"; len(p.Items) != 1 ||
		p.Items[0].Body != want {
		t.Errorf("office's text %+v", p.Items)
	}

	// Delivered: A's robot gets both reminders with their links, A's duty
	// mailbox both, the office's mailbox the late report; B has no
	// channel with an address.
	deadline := time.Now().Add(time.Minute) // a bound against hanging, not a timing assertion
	for len(robot.Got()) < 2 || len(mailbox.Mails()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("robot got %d, mailbox %d", len(robot.Got()), len(mailbox.Mails()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	hooks := robot.Got()
	link := "https://minyi.example.gov.cn/console/self-eval-periods/" + itoa(half.ID) + "/units/" + itoa(w.unitA)
	if len(hooks) != 2 || !strings.Contains(hooks[0].Body, "自评报告即将到期：半年自评") || !strings.Contains(hooks[0].Body, "还剩7天") ||
		!strings.Contains(hooks[1].Body, "自评报告已逾期：半年自评") || !strings.Contains(hooks[1].Body, link) {
		t.Errorf("robot got %+v", hooks)
	}
	to := map[string]int{}
	for _, m := range mailbox.Mails() {
		for _, r := range m.To {
			to[r]++
		}
	}
	if len(to) != 2 || to["zhiban-a@example.gov.cn"] != 2 || to["office1@example.gov.cn"] != 1 {
		t.Errorf("mails to %v", to)
	}

	// A locked cycle reminds no one of a new period.
	w.period(t, selfeval.PeriodInput{Name: "三季度自评", CoversTo: "2026-09-30", DueOn: "2026-10-15"})
	if _, err := w.pool.Exec(ctx, `INSERT INTO target_settings (cycle_id, self_eval_locked) VALUES ($1, true)`, w.cycle); err != nil {
		t.Fatal(err)
	}
	if n := run("2026-10-10") + run("2026-10-20"); n != 0 {
		t.Fatalf("locked cycle: %d notices", n)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
