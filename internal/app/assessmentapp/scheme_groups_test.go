package assessmentapp_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/todos"
	"minyi/internal/units"
	"minyi/internal/users"
)

// groupsWorld is a county cycle whose categories are all in scheme groups:
// towns (甲镇, 乙镇) on 乡镇方案 — econ (60, by 县财政局) and party (40) —
// and departments (县财政局, 县教育局) on 部门方案 — duty (70) and econ
// (30, by 县教育局; the same key as the towns' econ). 市外单位 is in the
// register but not in the cycle.
type groupsWorld struct {
	app                        *apptest.App
	cycle, townG, deptG        int64
	jia, yi, fin, edu, outside int64
}

func newGroupsWorld(t *testing.T) *groupsWorld {
	t.Helper()
	app := apptest.New(t, apptest.Options{})
	w := &groupsWorld{app: app}
	ctx := context.Background()
	known := []string{"乡镇", "县直部门", "党政综合类"}
	if err := db.Tx(ctx, app.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度县考核", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycle = cy.ID
		if _, _, err := cycles.SetCategories(ctx, tx, audit.System, cy.ID, cycles.CategoriesInput{
			Categories: []string{"乡镇", "县直部门"}, ConfirmRemove: true}, known); err != nil {
			return err
		}
		for _, u := range []struct {
			id        *int64
			name, cat string
		}{{&w.jia, "甲镇", "乡镇"}, {&w.yi, "乙镇", "乡镇"}, {&w.fin, "县财政局", "县直部门"}, {&w.edu, "县教育局", "县直部门"},
			{&w.outside, "市外单位", "党政综合类"}} {
			x, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: u.name, Category: u.cat}, known)
			if err != nil {
				return err
			}
			*u.id = x.ID
		}
		tg, err := schemes.SaveGroup(ctx, tx, audit.System, cy.ID, 0, schemes.GroupInput{Name: "乡镇方案", Categories: []string{"乡镇"}})
		if err != nil {
			return err
		}
		dg, err := schemes.SaveGroup(ctx, tx, audit.System, cy.ID, 0, schemes.GroupInput{Name: "部门方案", Categories: []string{"县直部门"}})
		if err != nil {
			return err
		}
		w.townG, w.deptG = tg.ID, dg.ID
		leaf := func(key, name string, max float64, unit *int64) schemes.Node {
			return schemes.Node{Key: key, Name: name, Kind: schemes.KindManual, Max: max,
				Assessor: &schemes.Assessor{Name: "考评单位", UnitID: unit}}
		}
		town := schemes.Node{Key: "town", Name: "乡镇考核", Kind: schemes.KindSum, Children: []schemes.Node{
			leaf("econ", "经济发展", 60, &w.fin), leaf("party", "党的建设", 40, nil)}}
		dept := schemes.Node{Key: "dept", Name: "部门考核", Kind: schemes.KindSum, Children: []schemes.Node{
			leaf("duty", "职能工作", 70, nil), leaf("econ", "服务发展", 30, &w.edu)}}
		if _, _, err := schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{GroupID: &w.townG, Tree: &town}); err != nil {
			return err
		}
		_, _, err = schemes.Set(ctx, tx, audit.System, cy.ID, schemes.Change{GroupID: &w.deptG, Tree: &dept})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	app.AddUser(t, "unit-fin", "unit-pass-f", "unit", &w.fin)
	return w
}

// rowUnits are the unit rows of the entry table, in order.
func rowUnits(p apptest.Page) string {
	var out []string
	for _, m := range entryRowRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return strings.Join(out, ",")
}

func TestEntryTablePerSchemeGroup(t *testing.T) {
	w := newGroupsWorld(t)
	office := apptest.SignedIn(t, w.app, "office1", "office-pass-1")
	fin := apptest.SignedIn(t, w.app, "unit-fin", "unit-pass-f")
	base := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment"
	ids := func(list ...int64) string {
		var s []string
		for _, id := range list {
			s = append(s, apptest.Itoa(id))
		}
		return strings.Join(s, ",")
	}

	// The office: a tab per scheme, the first (towns) shown; no "no
	// scheme" although the cycle has no default scheme.
	p := apptest.Get(t, office, base+"/score")
	if p.Status != 200 || p.Has("尚未设置考核方案") || !p.Has(`id="score-groups"`) || !apptest.HasText(p, "部门方案") {
		t.Fatalf("office score page: %d\n%s", p.Status, apptest.PageText(p.Body))
	}
	if got := rowUnits(p); got != ids(w.yi, w.jia) || !p.Has("经济发展") || !p.Has("党的建设") || p.Has("职能工作") {
		t.Fatalf("towns tab: rows %s\n%s", got, p.Body)
	}
	p = apptest.Get(t, office, base+"/score?group="+apptest.Itoa(w.deptG))
	if got := rowUnits(p); got != ids(w.edu, w.fin) || !p.Has("职能工作") || !p.Has("服务发展") || p.Has("党的建设") {
		t.Fatalf("departments tab: rows %s", got)
	}
	if p := apptest.Get(t, office, base+"/score?group=999999"); p.Status != 404 {
		t.Fatalf("another cycle's group: %d", p.Status)
	}

	// 县财政局 scores the towns' econ: it sees the towns only, one leaf.
	p = apptest.Get(t, fin, base+"/score")
	if got := rowUnits(p); p.Status != 200 || got != ids(w.yi, w.jia) || !p.Has(`name="p_econ"`) || p.Has(`name="p_party"`) || p.Has("服务发展") {
		t.Fatalf("assessor's table: %d rows %s\n%s", p.Status, got, apptest.PageText(p.Body))
	}
	// A row typed through the console lands on the town's own scheme.
	p = apptest.Post(t, fin, base+"/score?group="+apptest.Itoa(w.townG), url.Values{"unit_id": {apptest.Itoa(w.jia)}, "p_econ": {"50.5"}, "v_econ": {"0"}})
	if p.Status != 303 || !strings.Contains(p.Location, "group="+apptest.Itoa(w.townG)) || !strings.Contains(p.Location, "#u"+apptest.Itoa(w.jia)) {
		t.Fatalf("town row: %d %q\n%s", p.Status, p.Location, apptest.PageText(p.Body))
	}
	// Over the towns' econ maximum (60) is refused with the town's max.
	p = apptest.Post(t, fin, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.yi)}, "p_econ": {"61"}, "v_econ": {"0"}})
	if p.Status != 422 || !apptest.HasText(p, "得分不能超过该项满分 60 分") {
		t.Fatalf("over max: %d", p.Status)
	}
	// The departments' econ is 县教育局's: 县财政局 cannot score it, nor
	// units outside the cycle.
	if p := apptest.Post(t, fin, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.edu)}, "p_econ": {"10"}, "v_econ": {"0"}}); p.Status != 403 {
		t.Fatalf("department's econ by 县财政局: %d", p.Status)
	}
	if p := apptest.Post(t, fin, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.outside)}, "p_econ": {"10"}, "v_econ": {"0"}}); p.Status != 404 {
		t.Fatalf("unit outside the cycle: %d", p.Status)
	}

	// The entry counts in the results, on the town's scheme.
	ctx := context.Background()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	a, err := results.ComputeAll(ctx, w.app.Pool, loc, time.Now(), w.cycle, nil)
	if err != nil {
		t.Fatal(err)
	}
	line := a.Line(w.jia)
	if line == nil || line.Complete || line.Inputs.Entries["econ"] != schemes.Points(50.5) ||
		len(line.Missing) != 1 || line.Missing[0].Key != "party" {
		t.Fatalf("甲镇's line: %+v", line)
	}
	if a.Line(w.outside) != nil {
		t.Fatal("a unit outside the cycle is in the results")
	}

	// The leaves API: the towns' scheme for 县财政局, none of the
	// departments'; an unknown group is not found.
	var leaves struct {
		GroupID   *int64 `json:"group_id"`
		GroupName string `json:"group_name"`
		Items     []struct{ Key string }
		Schemes   []struct {
			GroupName string `json:"group_name"`
		}
	}
	api := w.app.Client()
	api.SignIn(t, "unit-fin", "unit-pass-f")
	apiBase := "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/assessment"
	expectStatus(t, api.JSON(t, "GET", apiBase+"/leaves", nil, &leaves), 200, "leaves")
	if leaves.GroupID == nil || *leaves.GroupID != w.townG || len(leaves.Items) != 1 || leaves.Items[0].Key != "econ" || len(leaves.Schemes) != 1 {
		t.Fatalf("县财政局's leaves: %+v", leaves)
	}
	leaves.Items = nil
	expectStatus(t, api.JSON(t, "GET", apiBase+"/leaves?group_id="+apptest.Itoa(w.deptG), nil, &leaves), 200, "dept leaves")
	if leaves.GroupName != "部门方案" || len(leaves.Items) != 0 {
		t.Fatalf("县财政局's department leaves: %+v", leaves)
	}
	expectStatus(t, api.JSON(t, "GET", apiBase+"/leaves?group_id=999999", nil, nil), 404, "unknown group")

	// To-dos: 2 towns × 1 leaf, 1 entered.
	u := users.User{Role: users.RoleUnit, UnitID: &w.fin}
	items, err := todos.For(ctx, w.app.Pool, u, todos.Env{Now: time.Now(), Loc: loc})
	if err != nil {
		t.Fatal(err)
	}
	n := -1
	for _, it := range items {
		if it.Kind == todos.KindAssessorScoring {
			n = it.Count
		}
	}
	if n != 1 {
		t.Fatalf("assessor to-do count %d, want 1: %+v", n, items)
	}

	// The score sheet of the towns lists the towns and their leaves; a
	// department in it is refused by name.
	dl := apptest.Get(t, office, base+"/score.csv?group="+apptest.Itoa(w.townG))
	if dl.Status != 200 || !strings.Contains(dl.Body, "单位,经济发展,党的建设") || !strings.Contains(dl.Body, "甲镇,50.5,") || strings.Contains(dl.Body, "县财政局") {
		t.Fatalf("towns' sheet: %d\n%s", dl.Status, dl.Body)
	}
	up := apptest.PostMultipart(t, office, base+"/score/upload?group="+apptest.Itoa(w.townG), map[string]string{}, "s.csv",
		[]byte("单位,党的建设\n乙镇,30\n县教育局,20\n市外单位,1\n"))
	if up.Status != 422 || !apptest.HasText(up, "单位“县教育局”不按“乡镇方案”考核") || !apptest.HasText(up, "单位“市外单位”不参加本考核年度考核") {
		t.Fatalf("towns' sheet with a department: %d\n%s", up.Status, apptest.PageText(up.Body))
	}
	up = apptest.PostMultipart(t, office, base+"/score/upload?group="+apptest.Itoa(w.townG), map[string]string{}, "s.csv", []byte("单位,党的建设\n乙镇,30\n"))
	if up.Status != 303 || !strings.Contains(up.Location, "group="+apptest.Itoa(w.townG)) {
		t.Fatalf("towns' sheet: %d %s", up.Status, up.Location)
	}
}

func TestOverviewListsTheCycleUnitsOnTheirSchemes(t *testing.T) {
	w := newGroupsWorld(t)
	office := apptest.SignedIn(t, w.app, "office1", "office-pass-1")
	api := w.app.Client()
	api.SignIn(t, "office1", "office-pass-1")
	apiBase := "/api/v1/cycles/" + apptest.Itoa(w.cycle) + "/assessment"
	expectStatus(t, api.JSON(t, "PUT", apiBase+"/entries/"+apptest.Itoa(w.edu)+"/duty", map[string]any{"points": 60}, nil), 200, "duty")
	// An entry on the towns' party leaf for a department is refused: its
	// scheme has no such leaf.
	expectStatus(t, api.JSON(t, "PUT", apiBase+"/entries/"+apptest.Itoa(w.edu)+"/party", map[string]any{"points": 6}, nil), 404, "party for a department")

	var ov struct {
		Units []struct {
			UnitID  int64 `json:"unit_id"`
			Scheme  string
			Leaves  int
			Filled  int
			Missing int
		}
	}
	expectStatus(t, api.JSON(t, "GET", apiBase, nil, &ov), 200, "overview")
	var got []string
	for _, u := range ov.Units {
		got = append(got, apptest.Itoa(u.UnitID)+":"+u.Scheme+":"+apptest.Itoa(int64(u.Filled))+"/"+apptest.Itoa(int64(u.Leaves)))
	}
	// In the register's order (category, then name: 乙 before 甲).
	want := apptest.Itoa(w.yi) + ":乡镇方案:0/2," + apptest.Itoa(w.jia) + ":乡镇方案:0/2," +
		apptest.Itoa(w.edu) + ":部门方案:1/2," + apptest.Itoa(w.fin) + ":部门方案:0/2"
	if strings.Join(got, ",") != want {
		t.Fatalf("overview units %v, want %s", got, want)
	}

	p := apptest.Get(t, office, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessment")
	if p.Status != 200 || p.Has("市外单位</td>") || !p.Has("县教育局") || p.Has("尚未设置考核方案") ||
		!strings.Contains(regexpFind(t, p.Body, `(?s)id="stat-missing".*?stat-num">(\d+)<`), "7") {
		t.Fatalf("overview page: %d\n%s", p.Status, apptest.PageText(p.Body))
	}
	// The assessor mapping covers each scheme: mapping the departments'
	// duty saves a new version of the departments' scheme only.
	if !p.Has(`name="group_id" value="`+apptest.Itoa(w.deptG)+`"`) || !p.Has("职能工作") {
		t.Fatal("no assessor mapping for the departments' scheme")
	}
	m := apptest.Post(t, office, "/console/cycles/"+apptest.Itoa(w.cycle)+"/assessment/assessors",
		url.Values{"leaf_key": {"duty"}, "group_id": {apptest.Itoa(w.deptG)}, "unit_id": {apptest.Itoa(w.fin)}})
	if m.Status != 303 {
		t.Fatalf("map duty: %d\n%s", m.Status, apptest.PageText(m.Body))
	}
	v, err := schemes.FindIn(context.Background(), w.app.Pool, w.cycle, &w.deptG, 0)
	if err != nil || v.Version != 2 || v.Tree.Children[0].Assessor.UnitID == nil || *v.Tree.Children[0].Assessor.UnitID != w.fin {
		t.Fatalf("departments' scheme after mapping: %+v %v", v, err)
	}
	if tv, _ := schemes.FindIn(context.Background(), w.app.Pool, w.cycle, &w.townG, 0); tv.Version != 1 {
		t.Fatalf("towns' scheme changed: version %d", tv.Version)
	}
}
