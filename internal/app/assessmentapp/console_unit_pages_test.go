package assessmentapp_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil/apptest"
	"minyi/internal/units"
)

// addUnits registers n more units (测试单位001…) in the world's category.
func addUnits(t *testing.T, w *assessWorld, n int) {
	t.Helper()
	ctx := context.Background()
	if err := db.Tx(ctx, w.app.Pool, func(tx pgx.Tx) error {
		for i := 1; i <= n; i++ {
			if _, err := units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: fmt.Sprintf("测试单位%03d", i),
				Category: "党政综合类"}, w.app.Config.UnitCategories); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

var (
	entryRowRE    = regexp.MustCompile(`<tr id="u(\d+)"`)
	overviewRowRE = regexp.MustCompile(`<tr id="unit-(\d+)"`)
	rowActionRE   = regexp.MustCompile(`<form id="row-\d+" method="post" action="([^"#]*)#u\d+"`)
)

// rowIDs are the unit ids of the rows the page shows.
func rowIDs(p apptest.Page, re *regexp.Regexp) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// attr is the first match of pattern's group in the page, unescaped.
func attr(t *testing.T, p apptest.Page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no match for %s in\n%s", pattern, p.Body)
	}
	return html.UnescapeString(m[1])
}

func TestAssessmentOverviewPagesUnits(t *testing.T) {
	w := newAssessWorld(t)
	addUnits(t, w, 117) // 120 units
	office := apptest.SignedIn(t, w.app, "office1", "office-pass-1")
	base := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment"

	p := apptest.Get(t, office, base)
	if n := len(rowIDs(p, overviewRowRE)); p.Status != 200 || n != 50 {
		t.Fatalf("page 1: %d, %d rows, want 50", p.Status, n)
	}
	if next := attr(t, p, `href="([^"]*)" rel="next"`); next != base+"?page=2" {
		t.Errorf("next link %q", next)
	}
	// Totals count every unit, not the page: 120 units × 4 leaves missing.
	if !apptest.HasText(p, "120个单位 × 4个考评打分项目") || !strings.Contains(attr(t, p, `(?s)id="stat-missing".*?stat-num">(\d+)<`), "480") {
		t.Errorf("totals are not over every unit:\n%s", p.Body)
	}
	if !apptest.HasText(p, "共 120 个单位，第 1 页，共 3 页") {
		t.Error("no count of units and pages")
	}
	last := apptest.Get(t, office, base+"?page=3")
	if n := len(rowIDs(last, overviewRowRE)); n != 20 || last.Has(`rel="next"`) || !last.Has(`rel="prev"`) {
		t.Fatalf("page 3: %d rows, want 20", n)
	}
	if past := apptest.Get(t, office, base+"?page=99"); strings.Join(rowIDs(past, overviewRowRE), ",") != strings.Join(rowIDs(last, overviewRowRE), ",") {
		t.Error("a page past the end does not show the last page")
	}

	found := apptest.Get(t, office, base+"?q="+url.QueryEscape(" 民政 "))
	if ids := rowIDs(found, overviewRowRE); len(ids) != 1 || ids[0] != apptest.Itoa(w.cu) || !apptest.HasText(found, "找到 1 个名称含“民政”的单位") {
		t.Fatalf("search 民政: %v", ids)
	}
	if found.Has(`class="pager"`) || !apptest.HasText(found, "120个单位") {
		t.Error("a one-page search shows a pager or loses the totals")
	}
	none := apptest.Get(t, office, base+"?q="+url.QueryEscape("不存在"))
	if len(rowIDs(none, overviewRowRE)) != 0 || !apptest.HasText(none, "没有找到名称含“不存在”的单位。") {
		t.Fatalf("search without a match:\n%s", none.Body)
	}
	// Full-width digits find half-width ones; a search pages too.
	wide := apptest.Get(t, office, base+"?q="+url.QueryEscape("测试单位１"))
	if n := len(rowIDs(wide, overviewRowRE)); n != 18 { // 测试单位100–117
		t.Errorf("search 测试单位１: %d rows, want 18", n)
	}
	many := apptest.Get(t, office, base+"?q="+url.QueryEscape("测试")+"&page=2")
	if n := len(rowIDs(many, overviewRowRE)); n != 50 || attr(t, many, `href="([^"]*)" rel="prev"`) != base+"?q="+url.QueryEscape("测试") {
		t.Errorf("search 测试 page 2: %d rows", n)
	}

	// The assessor mapping comes back to the page it was posted from.
	action := attr(t, many, `<form method="post" action="([^"]*/assessors[^"]*)"`)
	r := apptest.Post(t, office, action, url.Values{"leaf_key": {"b"}, "unit_id": {apptest.Itoa(w.b)}})
	if r.Status != 303 || !strings.HasPrefix(r.Location, base+"?page=2&q="+url.QueryEscape("测试")) || !strings.HasSuffix(r.Location, "#assessors") {
		t.Fatalf("assessor from page 2: %d %q", r.Status, r.Location)
	}
}

func TestAssessmentEntryTablePagesUnits(t *testing.T) {
	w := newAssessWorld(t)
	addUnits(t, w, 117)
	ua := apptest.SignedIn(t, w.app, "unit-a", "unit-pass-a")
	base := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment/score"

	first := apptest.Get(t, ua, base)
	if n := len(rowIDs(first, entryRowRE)); first.Status != 200 || n != 50 {
		t.Fatalf("page 1: %d, %d rows, want 50", first.Status, n)
	}
	if next := attr(t, first, `href="([^"]*)" rel="next"`); next != base+"?page=2" {
		t.Errorf("next link %q", next)
	}
	last := apptest.Get(t, ua, base+"?page=3")
	lastIDs := rowIDs(last, entryRowRE)
	if len(lastIDs) != 20 || !apptest.HasText(last, "第 3 页，共 3 页") {
		t.Fatalf("page 3: %d rows, want 20", len(lastIDs))
	}
	if a := attr(t, last, rowActionRE.String()); a != base+"?page=3" {
		t.Errorf("row form of page 3 posts to %q", a)
	}
	found := apptest.Get(t, ua, base+"?q="+url.QueryEscape("市 民政"))
	if ids := rowIDs(found, entryRowRE); len(ids) != 1 || ids[0] != apptest.Itoa(w.cu) {
		t.Fatalf("search 市 民政: %v", ids)
	}
	none := apptest.Get(t, ua, base+"?q="+url.QueryEscape("不存在"))
	if len(rowIDs(none, entryRowRE)) != 0 || !apptest.HasText(none, "没有找到名称含“不存在”的单位。") || !none.Has(`id="upload"`) {
		t.Fatalf("search without a match:\n%s", none.Body)
	}

	// A saved row comes back to its page; a refused row is shown on the
	// page its unit is on, whatever page it was posted from.
	unit := lastIDs[5]
	r := apptest.Post(t, ua, base+"?page=3", url.Values{"unit_id": {unit}, "p_a": {"7"}, "v_a": {"0"}})
	if r.Status != 303 || r.Location != base+"?page=3&msg=entries_saved#u"+unit {
		t.Fatalf("row from page 3: %d %q", r.Status, r.Location)
	}
	r = apptest.Post(t, ua, base+"?q="+url.QueryEscape("民政"), url.Values{"unit_id": {unit}, "p_a": {"12"}, "v_a": {"1"}})
	if r.Status != 422 || !r.Has(`<tr id="u`+unit+`"`) || !r.Has("得分不能超过该项满分 10 分") || !apptest.HasText(r, "第 3 页，共 3 页") {
		t.Fatalf("refused row posted from another page: %d\n%s", r.Status, r.Body)
	}
	if a := attr(t, r, rowActionRE.String()); a != base+"?page=3" {
		t.Errorf("refused row's page posts to %q", a)
	}
	r = apptest.Post(t, ua, base+"?page=2&q="+url.QueryEscape("测试"), url.Values{"unit_id": {unit}, "p_a": {"12"}, "v_a": {"1"}})
	if r.Status != 422 || !r.Has(`<tr id="u`+unit+`"`) || len(rowIDs(r, entryRowRE)) > 50 {
		t.Fatalf("refused row within a search: %d", r.Status)
	}

	// The detailed form keeps the search and leads back to the unit's page.
	detail := apptest.Get(t, ua, base+"?unit_id="+unit+"&q="+url.QueryEscape("测试"))
	if detail.Status != 200 || !detail.Has(`id="detail"`) || detail.Has(`id="score-table"`) || !detail.Has(`value="7"`) {
		t.Fatalf("detail: %d", detail.Status)
	}
	back := attr(t, detail, `href="([^"]*)">返回列表`)
	if !strings.HasPrefix(back, base+"?page=") || !strings.Contains(back, "q="+url.QueryEscape("测试")) || !strings.HasSuffix(back, "#u"+unit) {
		t.Errorf("back link %q", back)
	}
	if p := apptest.Get(t, ua, base+"?unit_id=999999"); p.Status != 404 {
		t.Errorf("detail of no unit: %d", p.Status)
	}
	d := apptest.PostMultipart(t, ua, attr(t, detail, `<form method="post" action="([^"]*)" enctype`),
		map[string]string{"unit_id": unit, "mode": "detail", "p_a": "8", "v_a": "1", "n_a": "依据"}, "", nil)
	if d.Status != 303 || d.Location != base+"?unit_id="+unit+"&q="+url.QueryEscape("测试")+"&msg=entries_saved" {
		t.Fatalf("detail save: %d %q", d.Status, d.Location)
	}
	d = apptest.PostMultipart(t, ua, base+"?q="+url.QueryEscape("测试"),
		map[string]string{"unit_id": unit, "mode": "detail", "p_a": "11", "v_a": "2"}, "", nil)
	if d.Status != 422 || !d.Has(`id="detail"`) || !d.Has("得分不能超过该项满分 10 分") {
		t.Fatalf("refused detail: %d", d.Status)
	}

	// The table upload comes back to the page it was posted from.
	up := apptest.PostMultipart(t, ua, base+"/upload?page=2", map[string]string{}, "s.csv", []byte("单位,预算执行\n测试单位001,12\n"))
	if up.Status != 422 || !up.Has("得分不能超过该项满分 10 分") || !apptest.HasText(up, "第 2 页，共 3 页") {
		t.Fatalf("refused upload: %d", up.Status)
	}
	up = apptest.PostMultipart(t, ua, attr(t, up, `action="([^"]*/upload[^"]*)"`), map[string]string{}, "s.csv", []byte("单位,预算执行\n测试单位001,9\n"))
	if up.Status != 303 || up.Location != base+"?page=2&msg=entries_uploaded" {
		t.Fatalf("upload from page 2: %d %q", up.Status, up.Location)
	}
}
