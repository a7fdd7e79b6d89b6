package notify_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
)

func (w *world) saveTemplate(kind string, x notify.Text) (notify.Current, error) {
	var c notify.Current
	err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		c, err = notify.SaveTemplate(w.ctx, tx, audit.System, kind, x, time.Now())
		return err
	})
	return c, err
}

func (w *world) resetTemplate(kind string) notify.Current {
	w.t.Helper()
	var c notify.Current
	if err := db.Tx(w.ctx, w.pool, func(tx pgx.Tx) (err error) {
		c, err = notify.ResetTemplate(w.ctx, tx, audit.System, kind)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) audited(action string) int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// The office's texts are what Send records from then on, saving them
// again changes nothing, and 恢复默认 brings the default back; each change
// is audited once.
func TestSavedTemplateIsSentUntilReset(t *testing.T) {
	w := newWorld(t)
	a := w.unit("甲局")
	a1 := w.user("a1", "unit", &a, false)
	mine := notify.Text{Title: "【交办】{案件}", Body: "请于{答复期限}前（{答复工作日}个工作日）答复。\r\n市绩效办"}
	c, err := w.saveTemplate(notify.KindCaseSent, mine)
	if err != nil || !c.Edited || c.Body != "请于{答复期限}前（{答复工作日}个工作日）答复。\n市绩效办" {
		t.Fatalf("saved %+v, %v", c, err)
	}
	if _, err := w.saveTemplate(notify.KindCaseSent, mine); err != nil {
		t.Fatal(err)
	}
	if n := w.audited("notification_template.save"); n != 1 {
		t.Fatalf("%d saves audited, want 1: the same text again is no change", n)
	}
	w.send(notice("case.sent:1", notify.ToUnit(a)), time.Now())
	got := w.list(a1).Items[0]
	if got.Title != "【交办】窗口人员态度生硬" || got.Body != "请于2026年12月22日前（5个工作日）答复。 市绩效办" {
		t.Fatalf("sent %q / %q", got.Title, got.Body)
	}

	if c := w.resetTemplate(notify.KindCaseSent); c.Edited || c.Text != c.Default {
		t.Fatalf("after reset %+v", c)
	}
	w.resetTemplate(notify.KindCaseSent)
	if n := w.audited("notification_template.reset"); n != 1 {
		t.Fatalf("%d resets audited, want 1", n)
	}
	w.send(notice("case.sent:2", notify.ToUnit(a)), time.Now())
	got = w.list(a1).Items[0]
	if got.Title != "新的整改案件：窗口人员态度生硬" ||
		got.Body != "绩效办向本单位交办了整改案件“窗口人员态度生硬”。请在5个工作日内，即2026年12月22日前，提交答复和整改方案。" {
		t.Fatalf("after reset sent %q / %q", got.Title, got.Body)
	}
}

func TestTemplateStoreRefusals(t *testing.T) {
	w := newWorld(t)
	if _, err := w.saveTemplate("case.unknown", notify.Text{Title: "t", Body: "b"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown kind: %v", err)
	}
	_, err := w.saveTemplate(notify.KindCaseSent, notify.Text{Title: "{案件}", Body: "{截止日期}前答复"})
	if msg := apperr.From(err).Fields["body"]; msg == "" {
		t.Errorf("unknown placeholder: %v", err)
	}
	list, err := notify.ListTemplates(w.ctx, w.pool)
	if err != nil || len(list) != len(notify.Catalogue()) || list[0].For != notify.ToUnitKind || list[len(list)-1].For != notify.ForCitizen {
		t.Fatalf("list %d (%v)", len(list), err)
	}
	for _, c := range list {
		if c.Edited {
			t.Errorf("%s edited after refusals", c.Kind)
		}
	}
}
