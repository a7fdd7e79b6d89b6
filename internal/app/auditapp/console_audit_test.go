package auditapp_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/audit"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// auditWorld is an office that renamed unit A, rotated its code and
// registered a terminal, and a unit A account whose change is logged too.
type auditWorld struct {
	*fixtures.APIWorld
	Page  *apptest.Client
	UnitA string
}

func newAuditWorld(t *testing.T) auditWorld {
	t.Helper()
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	a := apptest.Itoa(w.A.ID)
	apptest.APIJSON(t, w.Office, "PATCH", "/api/v1/units/"+a, map[string]string{"name": "市行政审批局", "category": "社会服务类"}).Decode(t, 200, nil)
	apptest.APIDo(t, w.Office, "POST", "/api/v1/units/"+a+"/qr/rotate", "application/json", "{}").Decode(t, 200, nil)
	w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	uu := w.App.AddUser(t, "zhangsan", "unit-pass-123", "unit", &w.A.ID)
	if err := audit.Record(context.Background(), w.App.Pool, audit.Actor{ID: uu.ID, Name: uu.Username},
		"target_report.save", "target_sheet", "7", nil, map[string]any{"note": "第三季度进展"}); err != nil {
		t.Fatal(err)
	}
	return auditWorld{APIWorld: w, Page: apptest.SignedIn(t, w.App, "office1", "office-pass-1"), UnitA: a}
}

var auditRowRE = regexp.MustCompile(`<td data-label="操作">([^<]*)</td>`)

// actions are the action labels of the page's rows, newest first.
func actions(p apptest.Page) []string {
	var out []string
	for _, m := range auditRowRE.FindAllStringSubmatch(p.Body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The page shows each change in words: the action and object in Chinese,
// only the fields that changed with Chinese names, before → after, the
// object linked to its page, and no codes.
func TestConsoleAuditShowsChangesInWords(t *testing.T) {
	w := newAuditWorld(t)
	p := apptest.Get(t, w.Page, "/console/audit")
	if p.Status != 200 {
		t.Fatalf("audit page %d", p.Status)
	}
	for _, want := range []string{"修改单位", "更换二维码", "注册评价器", "报送进度", `<dt>名称</dt>`,
		`<span class="was">市政务服务中心</span> → <span class="now">市行政审批局</span>`,
		`href="/console/units/` + w.UnitA + `">单位 第 ` + w.UnitA + ` 号</a>`, "<dt>二维码</dt>", "导出 Excel"} {
		if !apptest.HasText(p, want) && !p.Has(want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	for _, code := range []string{"unit.update", "qr.rotate", "terminal.create", "<code", `"name"`, "qr_code", "其他字段"} {
		if strings.Contains(apptest.PageText(p.Body), code) {
			t.Errorf("audit page shows the code %q", code)
		}
	}
	// The rename changed the name only: the category stayed and is not listed.
	upd := p.Body[strings.Index(p.Body, ">修改单位<"):]
	upd = upd[:strings.Index(upd, "</tr>")]
	if strings.Contains(upd, "类别") {
		t.Errorf("the rename lists the unchanged category: %s", upd)
	}
}

// Each filter narrows the list; the object filter of old links still works.
func TestConsoleAuditFilters(t *testing.T) {
	w := newAuditWorld(t)
	ctx := context.Background()
	for _, q := range []string{
		`INSERT INTO audit_log (at, actor, action, entity, entity_id, after) VALUES ('2026-01-15 23:30+08', 'system', 'cycle.create', 'cycle', '1', '{"name": "2026年度"}')`,
		`INSERT INTO audit_log (at, actor, action, entity, entity_id, after) VALUES ('2026-01-16 00:30+08', 'system', 'cycle.create', 'cycle', '2', '{"name": "2027年度"}')`,
	} {
		if _, err := w.App.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"action=unit.update", []string{"修改单位"}},
		{"entity=terminal", []string{"注册评价器"}},
		{"entity=unit&entity_id=" + w.UnitA, []string{"更换二维码", "修改单位", "创建单位"}},
		{"person=zhang", []string{"报送进度"}},
		{"person=office1&action=qr.rotate", []string{"更换二维码"}},
		{"role=unit", []string{"报送进度"}},
		{"unit_id=" + w.UnitA, []string{"报送进度"}},
		{"role=leader", nil},
		{"person=nobody", nil},
		{"from=2026-01-15&to=2026-01-15", []string{"创建考核年度"}},
		{"from=2026-01-16&to=2026-01-16&entity=cycle", []string{"创建考核年度"}},
		{"to=2026-01-14", nil},
	}
	for _, c := range cases {
		p := apptest.Get(t, w.Page, "/console/audit?"+c.query)
		got := actions(p)
		if p.Status != 200 || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %d %v, want %v", c.query, p.Status, got, c.want)
		}
	}
	if p := apptest.Get(t, w.Page, "/console/audit?role=office"); len(actions(p)) < 5 || slices.Contains(actions(p), "报送进度") {
		t.Errorf("role=office: %v", actions(p))
	}
}

// Bad filter input shows the page with a Chinese message, never a 500.
func TestConsoleAuditBadFilters(t *testing.T) {
	w := newAuditWorld(t)
	for q, want := range map[string]string{
		"action=unit.explode":               "没有这种操作",
		"entity=spaceship":                  "没有这种对象",
		"role=admin":                        "没有这种角色",
		"unit_id=x":                         "单位无效",
		"from=2026-13-01":                   "起始日期格式",
		"to=yesterday":                      "截止日期格式",
		"from=2026-02-01&to=2026-01-01":     "截止日期不能早于起始日期",
		"older=abc":                         "翻页位置无效",
		"person=" + strings.Repeat("张", 41): "最多 40 个字",
	} {
		p := apptest.Get(t, w.Page, "/console/audit?"+q)
		if p.Status != http.StatusUnprocessableEntity || !p.Has(want) {
			t.Errorf("%s: %d, want 422 with %q", q, p.Status, want)
		}
		if x := apptest.Get(t, w.Page, "/console/audit/export?"+q); q != "older=abc" && x.Status != http.StatusUnprocessableEntity {
			t.Errorf("export %s: %d, want 422", q, x.Status)
		}
	}
}

// Pages follow each other by cursor, newest first, without repeating or
// skipping an entry.
func TestConsoleAuditPagesByCursor(t *testing.T) {
	w := newAuditWorld(t)
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO audit_log (at, actor, action, entity, entity_id, after)
		SELECT now() - make_interval(secs => g), 'system', 'unit.update', 'unit', g::text, '{"name": "x"}'
		FROM generate_series(1, 120) g`); err != nil {
		t.Fatal(err)
	}
	olderRE := regexp.MustCompile(`href="([^"]+)" rel="next">较早`)
	path, seen := "/console/audit?action=unit.update", 0
	for range 5 {
		p := apptest.Get(t, w.Page, path)
		seen += len(actions(p))
		m := olderRE.FindStringSubmatch(p.Body)
		if m == nil {
			break
		}
		path = strings.ReplaceAll(m[1], "&amp;", "&")
	}
	if seen != 121 {
		t.Errorf("paging through saw %d entries, want 121", seen)
	}
	if p := apptest.Get(t, w.Page, "/console/audit?action=unit.update"); !p.Has("共 121 条") {
		t.Error("the total is not shown as 共 121 条")
	}
}

// The export holds what the filter selects, in the page's Chinese columns,
// however many entries that is.
func TestConsoleAuditExport(t *testing.T) {
	w := newAuditWorld(t)
	res, err := w.Page.C.Get(w.App.URL + "/console/audit/export?entity=unit&entity_id=" + w.UnitA)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("export %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("审计日志")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "时间,操作人,操作,对象,对象编号,变更内容" {
		t.Fatalf("export rows %q", rows)
	}
	if rows[2][2] != "修改单位" || rows[2][1] != "office1" || rows[2][3] != "单位" || rows[2][4] != w.UnitA ||
		!strings.HasPrefix(rows[2][5], "名称：市政务服务中心 → 市行政审批局\n修改时间：") {
		t.Errorf("rename row %q", rows[2])
	}
	if rows[1][2] != "更换二维码" || rows[3][2] != "创建单位" || !strings.Contains(rows[3][5], "名称：（空） → 市政务服务中心") {
		t.Errorf("rotate and create rows %q %q", rows[1], rows[3])
	}
	if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO audit_log (actor, action, entity, entity_id)
		SELECT 'system', 'unit.update', 'unit', g::text FROM generate_series(1, 10001) g`); err != nil {
		t.Fatal(err)
	}
	// No cap: every entry the filter selects (the old export stopped at
	// 10,000), here streamed at once (under EXPORT_INLINE_MAX_ROWS).
	res, err = w.Page.C.Get(w.App.URL + "/console/audit/export.csv?action=unit.update")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(res.Body); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), ",修改单位,"); res.StatusCode != 200 || n != 10002 {
		t.Errorf("an export of 10,002 entries: %d, %d rows", res.StatusCode, n)
	}
}
