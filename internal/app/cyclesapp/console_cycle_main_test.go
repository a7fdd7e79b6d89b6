package cyclesapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleCycleMain: the create form chooses 主考核 or 专项考核; a
// second main cycle of a year is refused in Chinese with the form kept;
// the cycle's page switches the main flag.
func TestConsoleCycleMain(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	form := func(name, main string) url.Values {
		return url.Values{"name": {name}, "year": {"2025"}, "period_start": {"2025-01-01"}, "period_end": {"2025-12-31"}, "main": {main}}
	}
	if p := apptest.Get(t, w.Office, "/console/cycles"); !p.Has("考核类型") || !p.Has("专项考核（不计入连续年度）") {
		t.Fatal("create form without 考核类型")
	}
	r := apptest.Post(t, w.Office, "/console/cycles", form("2025年度", "1"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create main: %d", r.Status)
	}
	first := strings.SplitN(r.Location, "?", 2)[0]
	r = apptest.Post(t, w.Office, "/console/cycles", form("2025年度补充", "1"))
	if r.Status != http.StatusUnprocessableEntity || !r.Has("同一年度只能有一个主考核") || !r.Has(`value="2025年度补充"`) {
		t.Fatalf("second main: %d", r.Status)
	}
	r = apptest.Post(t, w.Office, "/console/cycles", form("2025年度专项", "0"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create extra: %d", r.Status)
	}
	extra := strings.SplitN(r.Location, "?", 2)[0]
	if p := apptest.Get(t, w.Office, extra); !p.Has("专项考核（不计入连续年度）") || !p.Has("设为本年度主考核") {
		t.Error("extra cycle's page")
	}
	if p := apptest.Post(t, w.Office, extra+"/main", url.Values{"main": {"1"}}); p.Status != http.StatusUnprocessableEntity || !p.Has(`id="main-err" role="alert">2025年度已有主考核`) ||
		!p.Has("设为本年度主考核") {
		t.Errorf("switch to a second main: %d", p.Status)
	}
	if p := apptest.Post(t, w.Office, first+"/main", url.Values{"main": {"0"}}); p.Status != http.StatusSeeOther {
		t.Errorf("take main off: %d", p.Status)
	}
	if p := apptest.Post(t, w.Office, extra+"/main", url.Values{"main": {"1"}}); p.Status != http.StatusSeeOther {
		t.Errorf("make extra main: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, extra); !p.Has(`id="cycle-main">主考核<`) || !p.Has("取消主考核") {
		t.Error("extra is not shown as main")
	}
	if p := apptest.Post(t, w.UnitUser, extra+"/main", url.Values{"main": {"0"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit user switches: %d", p.Status)
	}
}
