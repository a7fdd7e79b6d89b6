package ratingsapp_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestConsoleOfficeCreatesUnit(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	if p := apptest.Get(t, c, "/console/units"); p.Status != http.StatusOK || !p.Has("新建单位") {
		t.Fatalf("units page: %d", p.Status)
	}
	p := apptest.Post(t, c, "/console/units", url.Values{"name": {""}, "short_code": {"bad code!"}, "category": {"社会服务类"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("请填写单位名称") || !p.Has("简码须为") ||
		!p.Has(`value="bad code!"`) || !p.Has(`<option value="社会服务类" selected>`) {
		t.Fatalf("bad unit form: %d\n%s", p.Status, p.Body)
	}
	created := apptest.Post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "short_code": {"ZWFW"}, "category": {"社会服务类"}})
	if created.Status != http.StatusSeeOther || !strings.HasPrefix(created.Location, "/console/units/") {
		t.Fatalf("create unit: %d %q", created.Status, created.Location)
	}
	unit := apptest.Get(t, c, created.Location)
	if unit.Status != http.StatusOK || !unit.Has("市政务服务中心") || !unit.Has("单位已创建") || !unit.Has("/qr.png") ||
		!unit.Has("?download=1") || !unit.Has("打印海报") || !unit.Has("更换二维码") {
		t.Fatalf("unit page: %d\n%s", unit.Status, unit.Body)
	}
	if p := apptest.Post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "category": {"社会服务类"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("已存在") {
		t.Fatalf("duplicate unit: %d", p.Status)
	}
	list := apptest.Get(t, c, "/console/units?category="+url.QueryEscape("社会服务类"))
	if !list.Has("市政务服务中心") {
		t.Fatal("new unit missing from the list")
	}
	if list := apptest.Get(t, c, "/console/units?category="+url.QueryEscape("经济发展类")); list.Has("市政务服务中心") {
		t.Fatal("category filter shows a unit of another category")
	}
	if p := apptest.Get(t, c, "/console"); p.Status != http.StatusOK || !p.Has("市政务服务中心") {
		t.Fatalf("overview: %d", p.Status)
	}

	// Edit, add a service point and rotate its code.
	id, _, _ := strings.Cut(strings.TrimPrefix(created.Location, "/console/units/"), "?")
	if p := apptest.Post(t, c, "/console/units/"+id, url.Values{"name": {"市政务服务中心（新）"}, "category": {"nope"}}); p.Status != http.StatusUnprocessableEntity || !p.Has("单位类别须为") || !p.Has("市政务服务中心（新）") {
		t.Fatalf("bad edit: %d", p.Status)
	}
	if p := apptest.Post(t, c, "/console/units/"+id+"/points", url.Values{"name": {"1号窗口"}, "kind": {"window"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("create point: %d", p.Status)
	}
	before := apptest.Get(t, c, "/console/units/"+id)
	rotate := regexp.MustCompile(`action="(/console/points/\d+/rotate)"`).FindStringSubmatch(before.Body)
	if rotate == nil || !before.Has("1号窗口") {
		t.Fatal("point with its rotate form missing")
	}
	if p := apptest.Post(t, c, rotate[1], nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=qr_rotated") {
		t.Fatalf("rotate point code: %d %q", p.Status, p.Location)
	}
}

func TestConsoleUnitUserSeesOnlyOwnUnit(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	office := app.Client()
	office.SignIn(t, "office1", "office-pass-1")
	mine := createUnit(t, office, "市医疗保障局", "社会服务类")
	other := createUnit(t, office, "市商务局", "经济发展类")
	app.AddUser(t, "unit1", "unit-pass-1", "unit", &mine.ID)
	c := apptest.SignedIn(t, app, "unit1", "unit-pass-1")

	if p := apptest.Get(t, c, "/console/units/"+apptest.Itoa(other.ID)); p.Status != http.StatusForbidden || !p.Has("无权") {
		t.Fatalf("other unit: %d", p.Status)
	}
	for _, path := range []string{"/console/units/" + apptest.Itoa(other.ID) + "/poster", "/console/ratings?unit_id=" + apptest.Itoa(other.ID), "/console/audit"} {
		if p := apptest.Get(t, c, path); p.Status != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, p.Status)
		}
	}
	p := apptest.Get(t, c, "/console/units/"+apptest.Itoa(mine.ID))
	if p.Status != http.StatusOK || !p.Has("市医疗保障局") || !p.Has("只读") || !p.Has("/q/"+mine.QR.Code+"/qr.png") {
		t.Fatalf("own unit: %d", p.Status)
	}
	for _, s := range []string{"更换二维码", "/terminals\"", "/points\"", "新增服务点", "注册评价器", "吊销"} {
		if p.Has(s) {
			t.Errorf("read-only unit page shows %q", s)
		}
	}
	list := apptest.Get(t, c, "/console/units")
	if list.Has("新建单位") || list.Has("市商务局") || !list.Has("市医疗保障局") {
		t.Errorf("units list for a unit user: create form %v, other unit %v", list.Has("新建单位"), list.Has("市商务局"))
	}
	if p := apptest.Get(t, c, "/console"); p.Has("市商务局") || !p.Has("市医疗保障局") {
		t.Error("overview shows another unit")
	}
	if p := apptest.Post(t, c, "/console/units/"+apptest.Itoa(mine.ID)+"/rotate", nil); p.Status != http.StatusForbidden {
		t.Errorf("unit user rotates a code: %d", p.Status)
	}
	if p := apptest.Post(t, c, "/console/units", url.Values{"name": {"x"}, "category": {"社会服务类"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit user creates a unit: %d", p.Status)
	}
}

var tokenRE = regexp.MustCompile(`value="(mt_[^"]+)"`)

func TestConsoleTerminalTokenShownOnce(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市不动产登记中心", "社会服务类")
	base := "/console/units/" + apptest.Itoa(u.ID)
	if p := apptest.Post(t, c, base+"/terminals", url.Values{"name": {""}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写评价器名称") {
		t.Fatalf("empty terminal name: %d", p.Status)
	}
	p := apptest.Post(t, c, base+"/terminals", url.Values{"name": {"1号评价器"}})
	m := tokenRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil || !p.Has("只在本页显示这一次") {
		t.Fatalf("register terminal: %d\n%s", p.Status, p.Body)
	}
	token := html.UnescapeString(m[1])
	unit := apptest.Get(t, c, base)
	if unit.Has(token) || !unit.Has("1号评价器") || !unit.Has(token[:7]) {
		t.Fatal("unit page should list the terminal by its hint, never its token")
	}
	batch := map[string]any{"ratings": []map[string]any{{"id": "c-1", "level": 4}}}
	var out struct{ Accepted int }
	if res := app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, &out, "Authorization", "Bearer "+token); res.StatusCode != http.StatusOK || out.Accepted != 1 {
		t.Fatalf("terminal API with the shown token: %d %+v", res.StatusCode, out)
	}
	revoke := regexp.MustCompile(`action="(/console/terminals/\d+/revoke)"`).FindStringSubmatch(unit.Body)
	if revoke == nil {
		t.Fatal("no revoke form")
	}
	if p := apptest.Post(t, c, revoke[1], nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if res := app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+token); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", res.StatusCode)
	}
	if p := apptest.Get(t, c, base); !p.Has("已吊销") {
		t.Fatal("revoked terminal not marked")
	}
}

var excludeRE = regexp.MustCompile(`action="(/console/ratings/[0-9a-f-]+/exclude[^"]*)"`)

func TestConsoleExcludeAndRestore(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市住房公积金中心", "社会服务类")
	var term struct{ Token string }
	c.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(u.ID)+"/terminals", map[string]string{"name": "评价器"}, &term)
	batch := map[string]any{"ratings": []map[string]any{{"id": "x-1", "level": 1, "comment": "刷单测试留言", "case_no": "BJ-77"}}}
	app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+term.Token)

	feed := apptest.Get(t, c, "/console/ratings?channel=terminal&has_comment=1")
	m := excludeRE.FindStringSubmatch(feed.Body)
	if feed.Status != http.StatusOK || m == nil || !feed.Has("刷单测试留言") || !feed.Has("BJ-77") || !feed.Has("非常不满意") {
		t.Fatalf("feed: %d\n%s", feed.Status, feed.Body)
	}
	action := html.UnescapeString(m[1])
	if p := apptest.Post(t, c, action, url.Values{"reason": {"  "}}); p.Status != http.StatusUnprocessableEntity || !p.Has("请填写剔除理由") {
		t.Fatalf("exclude without reason: %d", p.Status)
	}
	p := apptest.Post(t, c, action, url.Values{"reason": {"同一号码反复评价"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/ratings?") ||
		!strings.Contains(p.Location, "channel=terminal") || !strings.Contains(p.Location, "msg=rating_excluded") {
		t.Fatalf("exclude: %d %q", p.Status, p.Location)
	}
	ex := apptest.Get(t, c, "/console/ratings?excluded=true")
	if !ex.Has("已剔除") || !ex.Has("同一号码反复评价") || !ex.Has("office1") {
		t.Fatal("excluded rating not shown with reason and who")
	}
	if a := apptest.Get(t, c, "/console/audit"); a.Status != http.StatusOK || !a.Has("剔除评价") || !a.Has("同一号码反复评价") {
		t.Fatalf("audit: %d", a.Status)
	}
	if o := apptest.Get(t, c, "/console"); !strings.Contains(o.Body, `id="excluded"`) {
		t.Fatal("overview lacks the excluded count")
	}
	restore := regexp.MustCompile(`action="(/console/ratings/[0-9a-f-]+/restore[^"]*)"`).FindStringSubmatch(ex.Body)
	if restore == nil {
		t.Fatal("no restore form")
	}
	if p := apptest.Post(t, c, html.UnescapeString(restore[1]), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", p.Status)
	}
	if ex := apptest.Get(t, c, "/console/ratings?excluded=true"); !ex.Has(`id="total">0<`) {
		t.Fatal("restored rating still listed as excluded")
	}
	if p := apptest.Get(t, c, "/console/ratings?from=2026-13-45"); p.Status != http.StatusUnprocessableEntity || !p.Has("开始日期格式") {
		t.Fatalf("bad date filter: %d", p.Status)
	}
}

func TestConsolePosters(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := apptest.SignedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市公安局出入境管理支队", "执法监督类")
	p := apptest.Get(t, c, "/console/units/"+apptest.Itoa(u.ID)+"/poster")
	if p.Status != http.StatusOK || !p.Has("市公安局出入境管理支队") || !p.Has("/q/"+u.QR.Code+"/qr.png") ||
		!p.Has(u.QR.URL) || !p.Has("size: A4") || !p.Has("请用微信扫一扫") || !p.Has("非常不满意") {
		t.Fatalf("unit poster: %d\n%s", p.Status, p.Body)
	}
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	c.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(u.ID)+"/points", map[string]string{"name": "出入境大厅", "kind": "hall"}, &point)
	p = apptest.Get(t, c, "/console/points/"+apptest.Itoa(point.ID)+"/poster")
	if p.Status != http.StatusOK || !p.Has("出入境大厅") || !p.Has("/q/"+point.QR.Code+"/qr.png") {
		t.Fatalf("point poster: %d", p.Status)
	}
	if p := apptest.Get(t, c, "/console/points/999999/poster"); p.Status != http.StatusNotFound || !p.Has("服务点不存在") {
		t.Fatalf("missing point poster: %d", p.Status)
	}
}

type apiUnit struct {
	ID   int64
	Name string
	QR   struct{ Code, URL string }
}

func createUnit(t *testing.T, c *apptest.Client, name, category string) apiUnit {
	t.Helper()
	var u apiUnit
	if res := c.JSON(t, "POST", "/api/v1/units", map[string]string{"name": name, "category": category}, &u); res.StatusCode != http.StatusCreated {
		t.Fatalf("create unit %s: %d", name, res.StatusCode)
	}
	return u
}
