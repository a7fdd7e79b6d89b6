package resultsapp_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"minyi/internal/results"
	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type categoriesReply struct {
	Categories []struct {
		Name  string `json:"name"`
		Units int    `json:"units"`
		Group string `json:"group"`
	} `json:"categories"`
	Groups       []schemes.Group `json:"groups"`
	Participants int             `json:"participants"`
}

func categoryNames(r categoriesReply) string {
	var out []string
	for _, c := range r.Categories {
		out = append(out, c.Name)
	}
	return strings.Join(out, ",")
}

// wantRefused asserts a 422 whose message holds msg.
func wantRefused(t *testing.T, r apptest.APIReply, field, msg string) {
	t.Helper()
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", field)
	if !strings.Contains(string(r.Body), msg) {
		t.Fatalf("refusal %s, want %q", r.Body, msg)
	}
}

// TestCountySchemePerKindOfUnit is a county cycle (after the 2011 county
// scheme's 附表1 for towns and 附表2 for county departments) whose towns
// and departments are scored on different schemes, graded per category,
// with the world's two units (市政务服务中心, 市税务局) outside the cycle:
// publication does not wait for them. Groups and categories refuse bad
// input in Chinese and change nothing.
func TestCountySchemePerKindOfUnit(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, loc)
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	cy := w.CreateCycle(t, "2026年度县考核", 2026, nil)
	other := w.CreateCycle(t, "2026年度市直考核", 2026, nil)
	cyc := "/api/v1/cycles/" + apptest.Itoa(cy.ID)

	// A new cycle starts with the server's categories (the environment
	// seeds the first cycle; the second copies the first).
	var cats categoriesReply
	apptest.APIJSON(t, w.Office, "GET", cyc+"/categories", nil).Decode(t, http.StatusOK, &cats)
	if got := categoryNames(cats); got != "党政综合类,经济发展类,执法监督类,社会服务类,人民团体和民主党派类,中央驻赣类" || cats.Participants != 2 {
		t.Fatalf("seeded categories %s, %d units", got, cats.Participants)
	}

	// Dropping categories that units use needs confirmation; a unit may
	// not set them; nothing changes.
	county := map[string]any{"categories": []string{"乡镇", "县直部门", "驻县单位"}}
	wantRefused(t, apptest.APIJSON(t, w.Office, "PUT", cyc+"/categories", county), "categories", "类别“经济发展类”下有1个单位，删除或改名后这些单位将不参加本年度考核")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", cyc+"/categories", county), http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.Office, "GET", cyc+"/categories", nil).Decode(t, http.StatusOK, &cats)
	if cats.Participants != 2 || len(cats.Categories) != 6 {
		t.Fatalf("refused change changed the categories: %+v", cats)
	}
	county["confirm_remove"] = true
	apptest.APIJSON(t, w.Office, "PUT", cyc+"/categories", county).Decode(t, http.StatusOK, &cats)
	if got := categoryNames(cats); got != "乡镇,县直部门,驻县单位" || cats.Participants != 0 {
		t.Fatalf("county categories %s, %d units", got, cats.Participants)
	}
	wantRefused(t, apptest.APIJSON(t, w.Office, "PUT", cyc+"/categories", map[string]any{"categories": []string{"乡镇", "乡镇"}}), "categories", "类别“乡镇”重复")
	var fuxin categoriesReply
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(other.ID)+"/categories",
		map[string]any{"preset": "fuxin", "confirm_remove": true}).Decode(t, http.StatusOK, &fuxin)
	if got := categoryNames(fuxin); got != "系列Ⅰ,系列Ⅱ,系列Ⅲ" {
		t.Fatalf("Fuxin preset: %s", got)
	}

	towns := []fixtures.UnitReply{w.CreateUnit(t, "甲镇", "乡镇"), w.CreateUnit(t, "乙镇", "乡镇"), w.CreateUnit(t, "丙镇", "乡镇")}
	depts := []fixtures.UnitReply{w.CreateUnit(t, "县财政局", "县直部门"), w.CreateUnit(t, "县教育局", "县直部门")}

	// Groups: none empty, a category in one group only, of this cycle.
	var townG, deptG, otherG schemes.Group
	wantRefused(t, apptest.APIJSON(t, w.Office, "POST", cyc+"/scheme-groups", map[string]any{"name": "乡镇", "categories": []string{}}), "categories",
		"方案分组须至少包含一个单位类别")
	wantRefused(t, apptest.APIJSON(t, w.Office, "POST", cyc+"/scheme-groups", map[string]any{"name": "乡镇", "categories": []string{"系列Ⅰ"}}), "categories",
		"“系列Ⅰ”不是本考核年度的单位类别")
	apptest.APIJSON(t, w.Office, "POST", cyc+"/scheme-groups", map[string]any{"name": "乡镇", "categories": []string{"乡镇"}}).Decode(t, http.StatusCreated, &townG)
	wantRefused(t, apptest.APIJSON(t, w.Office, "POST", cyc+"/scheme-groups", map[string]any{"name": "县直部门", "categories": []string{"县直部门", "乡镇"}}), "categories",
		"类别“乡镇”已归入方案分组“乡镇”，一个类别只能属于一个分组")
	apptest.APIJSON(t, w.Office, "POST", cyc+"/scheme-groups", map[string]any{"name": "县直部门", "categories": []string{"县直部门"}}).Decode(t, http.StatusCreated, &deptG)
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+apptest.Itoa(other.ID)+"/scheme-groups",
		map[string]any{"name": "系列Ⅰ", "categories": []string{"系列Ⅰ"}}).Decode(t, http.StatusCreated, &otherG)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", cyc+"/scheme-groups", map[string]any{"name": "驻县单位", "categories": []string{"驻县单位"}}),
		http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.Office, "GET", cyc+"/categories", nil).Decode(t, http.StatusOK, &cats)
	if len(cats.Groups) != 2 || cats.Categories[0].Group != "乡镇" || cats.Categories[1].Group != "县直部门" || cats.Categories[2].Group != schemes.DefaultGroupName {
		t.Fatalf("groups after refusals: %+v", cats)
	}
	// A category in a group cannot leave the cycle.
	wantRefused(t, apptest.APIJSON(t, w.Office, "PUT", cyc+"/categories", map[string]any{"categories": []string{"县直部门"}, "confirm_remove": true}), "categories",
		"类别“乡镇”已归入方案分组“乡镇”")

	// 附表1 (towns): weighted; 附表2 (departments): points summed.
	townTree := map[string]any{"key": "town", "name": "乡镇考核", "kind": "weighted", "max": 100, "children": []map[string]any{
		{"key": "econ", "name": "经济发展", "kind": "manual", "max": 100, "weight": 0.4, "assessor": map[string]any{"name": "县发改局"}},
		{"key": "social", "name": "社会事业", "kind": "manual", "max": 100, "weight": 0.3, "assessor": map[string]any{"name": "县民政局"}},
		{"key": "party", "name": "党的建设", "kind": "manual", "max": 100, "weight": 0.2, "assessor": map[string]any{"name": "县委组织部"}},
		{"key": "sat", "name": "群众满意度", "kind": "manual", "max": 100, "weight": 0.1, "assessor": map[string]any{"name": "县统计局"}}}}
	deptTree := map[string]any{"key": "dept", "name": "县直部门考核", "kind": "sum", "children": []map[string]any{
		{"key": "duty", "name": "职能工作", "kind": "manual", "max": 70, "assessor": map[string]any{"name": "县考评办"}},
		{"key": "common", "name": "共性工作", "kind": "manual", "max": 20, "assessor": map[string]any{"name": "县委办"}},
		{"key": "sat", "name": "服务对象满意度", "kind": "manual", "max": 10, "assessor": map[string]any{"name": "县统计局"}}}}
	// A scheme for a group of another cycle: refused, nothing stored.
	wantRefused(t, apptest.APIJSON(t, w.Office, "PUT", cyc+"/scheme", map[string]any{"group_id": otherG.ID, "tree": townTree}), "group_id",
		"方案分组“系列Ⅰ”属于其他考核年度，不能在本年度使用")
	var n int
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM cycle_schemes`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("scheme versions after the refusal: %d %v", n, err)
	}
	var v schemes.Version
	apptest.APIJSON(t, w.Office, "PUT", cyc+"/scheme", map[string]any{"group_id": townG.ID, "tree": townTree}).Decode(t, http.StatusCreated, &v)
	if v.Version != 1 || v.GroupID == nil || *v.GroupID != townG.ID {
		t.Fatalf("town scheme: %+v", v.Info)
	}
	// Each chain numbers its own versions.
	apptest.APIJSON(t, w.Office, "PUT", cyc+"/scheme", map[string]any{"group_id": deptG.ID, "tree": deptTree}).Decode(t, http.StatusCreated, &v)
	deptTree["name"] = "县直部门综合考核"
	apptest.APIJSON(t, w.Office, "PUT", cyc+"/scheme", map[string]any{"group_id": deptG.ID, "tree": deptTree, "name": "县直部门考核（修订）"}).Decode(t, http.StatusCreated, &v)
	if v.Version != 2 {
		t.Fatalf("second department version: %+v", v.Info)
	}
	apptest.APIJSON(t, w.Office, "GET", cyc+"/scheme?group="+apptest.Itoa(townG.ID), nil).Decode(t, http.StatusOK, &v)
	if v.Version != 1 || v.Name != "乡镇考核" {
		t.Fatalf("town scheme read back: %+v", v.Info)
	}
	wantRefused(t, apptest.APIJSON(t, w.Office, "GET", cyc+"/scheme?group="+apptest.Itoa(otherG.ID), nil), "group_id", "属于其他考核年度")
	// The default scheme is not set, and no unit of the cycle needs it.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", cyc+"/scheme", nil), http.StatusNotFound, "not_found")
	// A group with versions is kept.
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "DELETE", cyc+"/scheme-groups/"+apptest.Itoa(townG.ID), nil), http.StatusConflict, "conflict")

	// Entries are checked against the unit's own scheme.
	pts := func(f float64) map[string]any { return map[string]any{"points": f} }
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "PUT", cyc+"/assessment/entries/"+apptest.Itoa(towns[0].ID)+"/duty", pts(60)),
		http.StatusNotFound, "not_found")
	apptest.APIJSON(t, w.Office, "PUT", cyc+"/assessment/entries/"+apptest.Itoa(towns[0].ID)+"/econ", pts(92.5)).Decode(t, http.StatusOK, nil)
	entries := []struct {
		unit int64
		leaf string
		pts  float64
	}{
		{towns[0].ID, "social", 88}, {towns[0].ID, "party", 95}, {towns[0].ID, "sat", 90},
		{towns[1].ID, "econ", 85.25}, {towns[1].ID, "social", 90}, {towns[1].ID, "party", 80}, {towns[1].ID, "sat", 77.7},
		{towns[2].ID, "econ", 70}, {towns[2].ID, "social", 60.5}, {towns[2].ID, "party", 75}, {towns[2].ID, "sat", 66.6},
		{depts[0].ID, "duty", 63.45}, {depts[0].ID, "common", 18}, {depts[0].ID, "sat", 9.2},
		{depts[1].ID, "duty", 60.3}, {depts[1].ID, "common", 17.55}, {depts[1].ID, "sat", 8.8},
		// A stray entry on a town leaf is not part of a department's scheme.
		{depts[1].ID, "econ", 100},
	}
	for _, e := range entries {
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points) VALUES ($1, $2, $3, $4)`,
			cy.ID, e.unit, e.leaf, e.pts); err != nil {
			t.Fatal(err)
		}
	}

	var r resultsReply
	apptest.APIJSON(t, w.Office, "GET", cyc+"/results", nil).Decode(t, http.StatusOK, &r)
	if r.Draft == nil || len(r.Draft.Incomplete) != 0 || len(r.Draft.Categories) != 2 {
		t.Fatalf("draft: %+v", r.Draft)
	}
	if len(r.Draft.Schemes) != 2 || r.Draft.Schemes[0].Group != "乡镇" || r.Draft.Schemes[1].Version != 2 || r.Draft.SchemeVersion != 0 {
		t.Fatalf("schemes used: %+v", r.Draft.Schemes)
	}
	// Town quotas of 3: 优秀 floor(0.4×3)=1, 良好 floor(0.5×3)=1; department
	// quotas of 2: 优秀 0, 良好 1; 合格 from 70.
	want := []struct {
		category, unit, scheme, composite string
		rank                              int
		grade                             string
	}{
		// 92.5×0.4 + 88×0.3 + 95×0.2 + 90×0.1 = 37 + 26.4 + 19 + 9
		{"乡镇", "甲镇", "乡镇考核（乡镇，第1版）", "91.40", 1, "优秀"},
		// 34.1 + 27 + 16 + 7.77
		{"乡镇", "乙镇", "乡镇考核（乡镇，第1版）", "84.87", 2, "良好"},
		// 28 + 18.15 + 15 + 6.66, below 70
		{"乡镇", "丙镇", "乡镇考核（乡镇，第1版）", "67.81", 3, "不合格"},
		// 63.45 + 18 + 9.2
		{"县直部门", "县财政局", "县直部门考核（修订）（县直部门，第2版）", "90.65", 1, "良好"},
		// 60.3 + 17.55 + 8.8; the stray 100 on 经济发展 does not count
		{"县直部门", "县教育局", "县直部门考核（修订）（县直部门，第2版）", "86.65", 2, "合格"},
	}
	var got []*results.Line
	for _, c := range r.Draft.Categories {
		got = append(got, c.Lines...)
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines, want %d", len(got), len(want))
	}
	for i, wl := range want {
		l := got[i]
		if l.Unit.Category != wl.category || l.Unit.Name != wl.unit || l.ScoredOn.Label() != wl.scheme ||
			l.CompositeText(2) != wl.composite || l.Rank == nil || *l.Rank != wl.rank || l.GradeLabel != wl.grade {
			t.Errorf("line %d: %s %s on %s = %s #%s %s, want %+v", i, l.Unit.Category, l.Unit.Name, l.ScoredOn.Label(),
				l.CompositeText(2), l.RankText(), l.GradeLabel, wl)
		}
	}

	// The units outside the cycle (no entries at all) do not block it.
	var st results.Status
	apptest.APIJSON(t, w.Office, "POST", cyc+"/results/preliminary", map[string]any{}).Decode(t, http.StatusCreated, &st)
	if st.Stage != "preliminary" {
		t.Fatalf("status: %+v", st)
	}
	r = resultsReply{}
	apptest.APIJSON(t, w.Office, "GET", cyc+"/results", nil).Decode(t, http.StatusOK, &r)
	if len(r.Published) != 2 || r.Published[0].Name != "乡镇" || r.Published[0].Lines[0].ScoredOn.Group != "乡镇" {
		t.Fatalf("published: %+v", r.Published)
	}
}
