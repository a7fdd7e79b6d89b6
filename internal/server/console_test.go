package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
)

func TestConsoleLogin(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := app.Client()

	p := formLogin(t, c, "office1", "wrong-password", "")
	if p.Status != http.StatusUnauthorized || !p.has("用户名或密码错误") || !p.has(`value="office1"`) {
		t.Fatalf("wrong password: %d, error shown %v, username kept %v", p.Status, p.has("用户名或密码错误"), p.has(`value="office1"`))
	}
	if p := formLogin(t, c, "", "", ""); p.Status != http.StatusUnprocessableEntity || !p.has("请填写用户名") || !p.has("请填写密码") {
		t.Fatalf("empty form: %d", p.Status)
	}
	if p := doPage(t, c, "POST", "/login", url.Values{"username": {"office1"}, "password": {"office-pass-1"}}); p.Status != http.StatusForbidden {
		t.Fatalf("sign-in without the form token: %d, want 403", p.Status)
	}
	for next, want := range map[string]string{
		"/console/units?category=x": "/console/units?category=x",
		"https://evil.example/":     "/console",
		"//evil.example/x":          "/console",
		"/\\evil.example":           "/console",
	} {
		c := app.Client()
		if p := formLogin(t, c, "office1", "office-pass-1", next); p.Status != http.StatusSeeOther || p.Location != want {
			t.Errorf("next=%q: %d %q, want 303 %q", next, p.Status, p.Location, want)
		}
	}
	c = signedIn(t, app, "office1", "office-pass-1")
	if p := get(t, c, "/login"); p.Status != http.StatusSeeOther || p.Location != "/console" {
		t.Errorf("login page when signed in: %d %q", p.Status, p.Location)
	}
	if p := post(t, c, "/logout", nil); p.Status != http.StatusSeeOther || p.Location != "/login" {
		t.Fatalf("logout: %d %q", p.Status, p.Location)
	}
	if p := get(t, c, "/console"); p.Status != http.StatusSeeOther {
		t.Fatalf("console after logout: %d", p.Status)
	}
}

func TestConsolePagesRequireLogin(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	c := app.Client()
	for _, path := range []string{"/console", "/console/units", "/console/units/1", "/console/units/1/poster",
		"/console/points/1/poster", "/console/ratings?channel=qr", "/console/audit"} {
		p := get(t, c, path)
		if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s: %d %q", path, p.Status, p.Location)
		}
	}
	if p := doPage(t, c, "POST", "/console/units", url.Values{"name": {"x"}}); p.Status != http.StatusSeeOther {
		t.Errorf("POST without a session: %d", p.Status)
	}
}

func TestConsoleOfficeCreatesUnit(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := signedIn(t, app, "office1", "office-pass-1")
	if p := get(t, c, "/console/units"); p.Status != http.StatusOK || !p.has("新建单位") {
		t.Fatalf("units page: %d", p.Status)
	}
	p := post(t, c, "/console/units", url.Values{"name": {""}, "short_code": {"bad code!"}, "category": {"社会服务类"}})
	if p.Status != http.StatusUnprocessableEntity || !p.has("请填写单位名称") || !p.has("简码须为") ||
		!p.has(`value="bad code!"`) || !p.has(`<option value="社会服务类" selected>`) {
		t.Fatalf("bad unit form: %d\n%s", p.Status, p.Body)
	}
	created := post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "short_code": {"ZWFW"}, "category": {"社会服务类"}})
	if created.Status != http.StatusSeeOther || !strings.HasPrefix(created.Location, "/console/units/") {
		t.Fatalf("create unit: %d %q", created.Status, created.Location)
	}
	unit := get(t, c, created.Location)
	if unit.Status != http.StatusOK || !unit.has("市政务服务中心") || !unit.has("单位已创建") || !unit.has("/qr.png") ||
		!unit.has("?download=1") || !unit.has("打印海报") || !unit.has("更换二维码") {
		t.Fatalf("unit page: %d\n%s", unit.Status, unit.Body)
	}
	if p := post(t, c, "/console/units", url.Values{"name": {"市政务服务中心"}, "category": {"社会服务类"}}); p.Status != http.StatusUnprocessableEntity || !p.has("已存在") {
		t.Fatalf("duplicate unit: %d", p.Status)
	}
	list := get(t, c, "/console/units?category="+url.QueryEscape("社会服务类"))
	if !list.has("市政务服务中心") {
		t.Fatal("new unit missing from the list")
	}
	if list := get(t, c, "/console/units?category="+url.QueryEscape("经济发展类")); list.has("市政务服务中心") {
		t.Fatal("category filter shows a unit of another category")
	}
	if p := get(t, c, "/console"); p.Status != http.StatusOK || !p.has("市政务服务中心") {
		t.Fatalf("overview: %d", p.Status)
	}

	// Edit, add a service point and rotate its code.
	id, _, _ := strings.Cut(strings.TrimPrefix(created.Location, "/console/units/"), "?")
	if p := post(t, c, "/console/units/"+id, url.Values{"name": {"市政务服务中心（新）"}, "category": {"nope"}}); p.Status != http.StatusUnprocessableEntity || !p.has("单位类别须为") || !p.has("市政务服务中心（新）") {
		t.Fatalf("bad edit: %d", p.Status)
	}
	if p := post(t, c, "/console/units/"+id+"/points", url.Values{"name": {"1号窗口"}, "kind": {"window"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("create point: %d", p.Status)
	}
	before := get(t, c, "/console/units/"+id)
	rotate := regexp.MustCompile(`action="(/console/points/\d+/rotate)"`).FindStringSubmatch(before.Body)
	if rotate == nil || !before.has("1号窗口") {
		t.Fatal("point with its rotate form missing")
	}
	if p := post(t, c, rotate[1], nil); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=qr_rotated") {
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
	c := signedIn(t, app, "unit1", "unit-pass-1")

	if p := get(t, c, "/console/units/"+itoa(other.ID)); p.Status != http.StatusForbidden || !p.has("无权") {
		t.Fatalf("other unit: %d", p.Status)
	}
	for _, path := range []string{"/console/units/" + itoa(other.ID) + "/poster", "/console/ratings?unit_id=" + itoa(other.ID), "/console/audit"} {
		if p := get(t, c, path); p.Status != http.StatusForbidden {
			t.Errorf("GET %s: %d, want 403", path, p.Status)
		}
	}
	p := get(t, c, "/console/units/"+itoa(mine.ID))
	if p.Status != http.StatusOK || !p.has("市医疗保障局") || !p.has("只读") || !p.has("/q/"+mine.QR.Code+"/qr.png") {
		t.Fatalf("own unit: %d", p.Status)
	}
	for _, s := range []string{"更换二维码", "/terminals\"", "/points\"", "新增服务点", "注册评价器", "吊销"} {
		if p.has(s) {
			t.Errorf("read-only unit page shows %q", s)
		}
	}
	list := get(t, c, "/console/units")
	if list.has("新建单位") || list.has("市商务局") || !list.has("市医疗保障局") {
		t.Errorf("units list for a unit user: create form %v, other unit %v", list.has("新建单位"), list.has("市商务局"))
	}
	if p := get(t, c, "/console"); p.has("市商务局") || !p.has("市医疗保障局") {
		t.Error("overview shows another unit")
	}
	if p := post(t, c, "/console/units/"+itoa(mine.ID)+"/rotate", nil); p.Status != http.StatusForbidden {
		t.Errorf("unit user rotates a code: %d", p.Status)
	}
	if p := post(t, c, "/console/units", url.Values{"name": {"x"}, "category": {"社会服务类"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit user creates a unit: %d", p.Status)
	}
}

func TestConsoleCSRF(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := signedIn(t, app, "office1", "office-pass-1")
	form := url.Values{"name": {"市财政局"}, "category": {"经济发展类"}}
	if p := doPage(t, c, "POST", "/console/units", form); p.Status != http.StatusForbidden {
		t.Fatalf("no token: %d", p.Status)
	}
	form.Set("_csrf", "forged")
	if p := doPage(t, c, "POST", "/console/units", form); p.Status != http.StatusForbidden {
		t.Fatalf("wrong token: %d", p.Status)
	}
	if p := get(t, c, "/console/units"); p.has("市财政局") {
		t.Fatal("a unit was created without a valid token")
	}
}

var tokenRE = regexp.MustCompile(`value="(mt_[^"]+)"`)

func TestConsoleTerminalTokenShownOnce(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := signedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市不动产登记中心", "社会服务类")
	base := "/console/units/" + itoa(u.ID)
	if p := post(t, c, base+"/terminals", url.Values{"name": {""}}); p.Status != http.StatusUnprocessableEntity || !p.has("请填写评价器名称") {
		t.Fatalf("empty terminal name: %d", p.Status)
	}
	p := post(t, c, base+"/terminals", url.Values{"name": {"1号评价器"}})
	m := tokenRE.FindStringSubmatch(p.Body)
	if p.Status != http.StatusCreated || m == nil || !p.has("只在本页显示这一次") {
		t.Fatalf("register terminal: %d\n%s", p.Status, p.Body)
	}
	token := html.UnescapeString(m[1])
	unit := get(t, c, base)
	if unit.has(token) || !unit.has("1号评价器") || !unit.has(token[:7]) {
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
	if p := post(t, c, revoke[1], nil); p.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.Status)
	}
	if res := app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+token); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d, want 401", res.StatusCode)
	}
	if p := get(t, c, base); !p.has("已吊销") {
		t.Fatal("revoked terminal not marked")
	}
}

var excludeRE = regexp.MustCompile(`action="(/console/ratings/[0-9a-f-]+/exclude[^"]*)"`)

func TestConsoleExcludeAndRestore(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := signedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市住房公积金中心", "社会服务类")
	var term struct{ Token string }
	c.JSON(t, "POST", "/api/v1/units/"+itoa(u.ID)+"/terminals", map[string]string{"name": "评价器"}, &term)
	batch := map[string]any{"ratings": []map[string]any{{"id": "x-1", "level": 1, "comment": "刷单测试留言", "case_no": "BJ-77"}}}
	app.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+term.Token)

	feed := get(t, c, "/console/ratings?channel=terminal&has_comment=1")
	m := excludeRE.FindStringSubmatch(feed.Body)
	if feed.Status != http.StatusOK || m == nil || !feed.has("刷单测试留言") || !feed.has("BJ-77") || !feed.has("非常不满意") {
		t.Fatalf("feed: %d\n%s", feed.Status, feed.Body)
	}
	action := html.UnescapeString(m[1])
	if p := post(t, c, action, url.Values{"reason": {"  "}}); p.Status != http.StatusUnprocessableEntity || !p.has("请填写剔除理由") {
		t.Fatalf("exclude without reason: %d", p.Status)
	}
	p := post(t, c, action, url.Values{"reason": {"同一号码反复评价"}})
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/console/ratings?") ||
		!strings.Contains(p.Location, "channel=terminal") || !strings.Contains(p.Location, "msg=rating_excluded") {
		t.Fatalf("exclude: %d %q", p.Status, p.Location)
	}
	ex := get(t, c, "/console/ratings?excluded=true")
	if !ex.has("已剔除") || !ex.has("同一号码反复评价") || !ex.has("office1") {
		t.Fatal("excluded rating not shown with reason and who")
	}
	if a := get(t, c, "/console/audit"); a.Status != http.StatusOK || !a.has("剔除评价") || !a.has("同一号码反复评价") {
		t.Fatalf("audit: %d", a.Status)
	}
	if o := get(t, c, "/console"); !strings.Contains(o.Body, `id="excluded"`) {
		t.Fatal("overview lacks the excluded count")
	}
	restore := regexp.MustCompile(`action="(/console/ratings/[0-9a-f-]+/restore[^"]*)"`).FindStringSubmatch(ex.Body)
	if restore == nil {
		t.Fatal("no restore form")
	}
	if p := post(t, c, html.UnescapeString(restore[1]), nil); p.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", p.Status)
	}
	if ex := get(t, c, "/console/ratings?excluded=true"); !ex.has(`id="total">0<`) {
		t.Fatal("restored rating still listed as excluded")
	}
	if p := get(t, c, "/console/ratings?from=2026-13-45"); p.Status != http.StatusUnprocessableEntity || !p.has("开始日期格式") {
		t.Fatalf("bad date filter: %d", p.Status)
	}
}

func TestConsolePosters(t *testing.T) {
	app := apptest.New(t, apptest.Options{})
	app.AddUser(t, "office1", "office-pass-1", "office", nil)
	c := signedIn(t, app, "office1", "office-pass-1")
	u := createUnit(t, c, "市公安局出入境管理支队", "执法监督类")
	p := get(t, c, "/console/units/"+itoa(u.ID)+"/poster")
	if p.Status != http.StatusOK || !p.has("市公安局出入境管理支队") || !p.has("/q/"+u.QR.Code+"/qr.png") ||
		!p.has(u.QR.URL) || !p.has("size: A4") || !p.has("请用微信扫一扫") || !p.has("非常不满意") {
		t.Fatalf("unit poster: %d\n%s", p.Status, p.Body)
	}
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	c.JSON(t, "POST", "/api/v1/units/"+itoa(u.ID)+"/points", map[string]string{"name": "出入境大厅", "kind": "hall"}, &point)
	p = get(t, c, "/console/points/"+itoa(point.ID)+"/poster")
	if p.Status != http.StatusOK || !p.has("出入境大厅") || !p.has("/q/"+point.QR.Code+"/qr.png") {
		t.Fatalf("point poster: %d", p.Status)
	}
	if p := get(t, c, "/console/points/999999/poster"); p.Status != http.StatusNotFound || !p.has("服务点不存在") {
		t.Fatalf("missing point poster: %d", p.Status)
	}
}

func TestConsoleDatabaseDown(t *testing.T) {
	app := apptest.New(t, apptest.Options{DatabaseURLOverride: "postgres://postgres@127.0.0.1:1/none?sslmode=disable"})
	c := app.Client()
	if p := get(t, c, "/login"); p.Status != http.StatusOK {
		t.Fatalf("login page with the database down: %d", p.Status)
	}
	if p := formLogin(t, c, "office1", "office-pass-1", ""); p.Status != http.StatusServiceUnavailable || !p.has("系统繁忙") {
		t.Fatalf("sign-in with the database down: %d", p.Status)
	}
	u, _ := url.Parse(app.URL)
	c.C.Jar.SetCookies(u, []*http.Cookie{{Name: "minyi_session", Value: "some-session-token"}})
	if p := get(t, c, "/console/ratings"); p.Status != http.StatusServiceUnavailable || !p.has("系统繁忙") || p.has("dial") {
		t.Fatalf("console with the database down: %d\n%s", p.Status, p.Body)
	}
}
