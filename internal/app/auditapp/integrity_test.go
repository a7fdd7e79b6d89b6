package auditapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minyi/internal/audit"
	"minyi/internal/testutil/apptest"
)

// The 防篡改校验 page and its API show the chain's head, the daily
// checkpoints and the newest verification; a failed one is named on the
// page and on the overview. Units and leaders cannot read them.
func TestIntegrityPageShowsVerificationAndCheckpoints(t *testing.T) {
	w := newAuditWorld(t)
	ctx := context.Background()
	p := apptest.Get(t, w.Page, "/console/audit/integrity")
	if p.Status != 200 || !strings.Contains(p.Body, "尚未校验") {
		t.Fatalf("before any verification: %d %s", p.Status, p.Body)
	}
	if o := apptest.Get(t, w.Page, "/console"); !strings.Contains(o.Body, "尚未校验") {
		t.Error("the overview does not say the audit log was not verified yet")
	}
	if err := audit.DailyUpkeep(ctx, w.App.Pool, time.Now(), w.App.Config.Location); err != nil {
		t.Fatal(err)
	}
	var in struct {
		Last *struct {
			OK      bool
			Checked int64
		} `json:"last_verification"`
		Head        struct{ Seq int64 }
		Checkpoints []struct {
			Seq  int64
			Hash string
		}
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/audit/integrity", "", "").Decode(t, 200, &in)
	var entries int64
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if in.Last == nil || !in.Last.OK || in.Last.Checked != entries || in.Head.Seq != entries ||
		len(in.Checkpoints) != 1 || in.Checkpoints[0].Seq != entries || len(in.Checkpoints[0].Hash) != 64 {
		t.Fatalf("integrity %+v over %d entries", in, entries)
	}
	p = apptest.Get(t, w.Page, "/console/audit/integrity")
	want := apptest.Itoa(entries) + ":" + in.Checkpoints[0].Hash
	if !strings.Contains(p.Body, "校验通过") || !strings.Contains(p.Body, want) {
		t.Fatalf("page after verification lacks the result or the checkpoint %s", want)
	}

	// Someone deletes an entry behind the product's back; the next day's
	// verification names it on the page and the overview.
	for _, s := range []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
		`DELETE FROM audit_log WHERE id = (SELECT min(id) FROM audit_log)`} {
		if _, err := w.App.Pool.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.DailyUpkeep(ctx, w.App.Pool, time.Now().Add(24*time.Hour), w.App.Config.Location); err != nil {
		t.Fatal(err)
	}
	if p := apptest.Get(t, w.Page, "/console/audit/integrity"); !strings.Contains(p.Body, "校验未通过") ||
		!strings.Contains(p.Body, "已被删除") {
		t.Errorf("the page does not report the deleted entry")
	}
	if o := apptest.Get(t, w.Page, "/console"); !strings.Contains(o.Body, `id="audit-check-failed"`) {
		t.Errorf("the overview does not warn of the failed verification")
	}

	unit := apptest.SignedIn(t, w.App, "zhangsan", "unit-pass-123")
	if p := apptest.Get(t, unit, "/console/audit/integrity"); p.Status != 403 {
		t.Errorf("a unit user got the integrity page: %d", p.Status)
	}
}
