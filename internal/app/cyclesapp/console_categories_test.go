package cyclesapp_test

import (
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleCategoriesAndGroups covers the categories page: the presets
// and the list (a removal with units refused in Chinese until confirmed),
// a group refused without categories then saved, the scheme page and
// editor per group (a group of another cycle refused), and the read-only
// view and 403 of a unit user.
func TestConsoleCategoriesAndGroups(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	other := w.CreateCycle(t, "2025年度乡镇", 2025, nil)
	base := "/console/cycles/" + apptest.Itoa(cy.ID)
	path := base + "/categories"

	if p := apptest.Get(t, w.Office, base); !p.Has(`href="` + path + `"`) {
		t.Errorf("cycle page lacks the categories link")
	}
	p := apptest.Get(t, w.Office, path)
	for _, s := range []string{"单位类别与方案分组", "中央驻赣类", "阜新市（三个系列）", "尚未设置方案分组", "新增方案分组"} {
		if !apptest.HasText(p, s) {
			t.Errorf("categories page lacks %q", s)
		}
	}

	// Zhongshan's categories would drop both units: refused until confirmed.
	p = apptest.Post(t, w.Office, path, url.Values{"preset": {"zhongshan"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "下有1个单位，删除或改名后这些单位将不参加本年度考核") {
		t.Fatalf("unconfirmed removal: %d", p.Status)
	}
	p = apptest.Post(t, w.Office, path, url.Values{"list": {"社会服务类\n经济发展类\n驻市单位"}})
	if p.Status != http.StatusSeeOther || p.Location != path+"?msg=categories_saved" {
		t.Fatalf("save the list: %d %q", p.Status, p.Location)
	}
	_ = apptest.Post(t, w.Office, path, url.Values{"list": {"社会服务类"}}) // refused: 经济发展类 has a unit
	if p := apptest.Get(t, w.Office, path); !apptest.HasText(p, "驻市单位") {
		t.Fatalf("a refused list changed the categories")
	}

	// A group without categories is refused in Chinese; then saved.
	groups := base + "/scheme-groups"
	p = apptest.Post(t, w.Office, groups, url.Values{"name": {"窗口单位"}})
	if p.Status != http.StatusUnprocessableEntity || !apptest.HasText(p, "方案分组须至少包含一个单位类别") {
		t.Fatalf("empty group: %d", p.Status)
	}
	p = apptest.Post(t, w.Office, groups, url.Values{"name": {"窗口单位"}, "category": {"社会服务类"}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save group: %d", p.Status)
	}
	var cats struct{ Groups []schemes.Group }
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/categories", nil).Decode(t, http.StatusOK, &cats)
	if len(cats.Groups) != 1 {
		t.Fatalf("groups %+v", cats.Groups)
	}
	g := apptest.Itoa(cats.Groups[0].ID)

	// The scheme page and the editor work on the group's own chain.
	p = apptest.Get(t, w.Office, base+"/scheme?group="+g)
	if !apptest.HasText(p, "方案分组“窗口单位”尚未设置考核方案") || !p.Has(`id="scheme-groups"`) {
		t.Fatalf("group scheme page %d", p.Status)
	}
	saved := apptest.Post(t, w.Office, base+"/scheme", url.Values{"mode": {"preset"}, "preset": {"county"}, "group": {g}})
	if saved.Status != http.StatusSeeOther || saved.Location != base+"/scheme?group="+g+"&msg=scheme_saved" {
		t.Fatalf("save the group's scheme: %d %q", saved.Status, saved.Location)
	}
	if p := apptest.Get(t, w.Office, base+"/scheme"); !apptest.HasText(p, "本考核年度尚未设置考核方案") {
		t.Errorf("the group's scheme leaked into the default scheme")
	}
	if p := apptest.Get(t, w.Office, base+"/scheme/edit?group="+g); !apptest.HasText(p, "以当前第1版为基础") || !p.Has(`name="group" value="`+g+`"`) {
		t.Errorf("editor on the group: %d", p.Status)
	}
	// A group of another cycle.
	if p := apptest.Get(t, w.Office, "/console/cycles/"+apptest.Itoa(other.ID)+"/scheme?group="+g); p.Status != http.StatusNotFound ||
		!apptest.HasText(p, "属于其他考核年度") {
		t.Errorf("group of another cycle: %d", p.Status)
	}

	// A unit user reads, without forms, and cannot post.
	p = apptest.Get(t, w.UnitUser, path)
	if p.Status != http.StatusOK || p.Has(`action="`+groups+`"`) || !apptest.HasText(p, "窗口单位") {
		t.Errorf("unit view %d", p.Status)
	}
	if p := apptest.Post(t, w.UnitUser, groups, url.Values{"name": {"x"}, "category": {"驻市单位"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit post %d", p.Status)
	}
}
