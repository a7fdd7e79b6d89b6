package overviewapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// The public's front page (/) is a portal, not the staff sign-in: how to
// rate, and what the office has published (results, targets, released
// cases), with the office's name; staff sign in at /login.
func TestPortalIsThePublicsFrontPage(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	p := apptest.Get(t, w.Anon, "/")
	if p.Status != http.StatusOK {
		t.Fatalf("/: %d %s", p.Status, p.Location)
	}
	for _, want := range []string{"如何评价", "尚无公布的考核结果", "尚无公开的绩效目标", "尚无公开的整改案件", `href="/login"`, "绩效管理工作机构"} {
		if !apptest.HasText(p, want) {
			t.Errorf("the portal lacks %q", want)
		}
	}
	if strings.Contains(p.Body, `name="password"`) {
		t.Error("the portal asks for a password")
	}
	cs := fixtures.QRCase(t, w, "13800001111")
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE rectification_cases SET released = true WHERE id = $1`, cs.ID); err != nil {
		t.Fatal(err)
	}
	if p = apptest.Get(t, w.Anon, "/"); !apptest.HasText(p, "已公开 1 件") || !p.Has(`href="/cases"`) {
		t.Errorf("the released case is not on the portal")
	}
	if p = apptest.Get(t, w.Anon, "/login"); p.Status != http.StatusOK || !p.Has(`name="password"`) {
		t.Errorf("/login: %d", p.Status)
	}
}
