package cyclesapp_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

var (
	inputRe  = regexp.MustCompile(`<input[^>]*? name="([^"]+)" value="([^"]*)"`)
	selectRe = regexp.MustCompile(`(?s)<select name="((?:kind|src)\.\d+)"[^>]*>(.*?)</select>`)
	chosenRe = regexp.MustCompile(`<option value="([^"]+)" selected>`)
)

// editorForm is the editor's form as the page filled it.
func editorForm(t *testing.T, p apptest.Page) url.Values {
	t.Helper()
	f := url.Values{}
	for _, m := range inputRe.FindAllStringSubmatch(p.Body, -1) {
		if m[1] != "_csrf" {
			f.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	for _, m := range selectRe.FindAllStringSubmatch(p.Body, -1) {
		if c := chosenRe.FindStringSubmatch(m[2]); c != nil {
			f.Set(m[1], c[1])
		}
	}
	if f.Get("n") == "" {
		t.Fatalf("no editor form (%d):\n%s", p.Status, p.Body)
	}
	return f
}

// TestConsoleSchemeEditor builds a scheme item by item in the editor
// (no JSON, no codes on the page), saves it as version 1 with the
// assessor mapped to a registered unit, edits it again keeping the leaves'
// keys, refuses a draft with problems beside the item, refuses to save
// over a version saved meanwhile, and is closed to units.
func TestConsoleSchemeEditor(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	base := "/console/cycles/" + apptest.Itoa(cy.ID) + "/scheme"
	edit := base + "/edit"

	if p := apptest.Get(t, w.Office, base); !p.Has(`href="`+edit+`"`) || !p.Has("新建方案") {
		t.Fatal("scheme page lacks the editor link")
	}
	p := apptest.Get(t, w.Office, edit)
	if p.Status != http.StatusOK || !p.Has("新建方案") || !p.Has(`value="综合考核"`) || p.Has("item_") == false {
		t.Fatalf("new editor: %d", p.Status)
	}
	for _, code := range []string{">item_", ">total<", "manual<", "public_evaluation"} {
		if p.Has(code) {
			t.Errorf("editor shows the code %q", code)
		}
	}
	f := editorForm(t, p)
	// Fill the first item, add a second beside it.
	f.Set("name.1", "重点工作")
	f.Set("max.1", "60")
	f.Set("assessor.1", "市税务局")
	f.Set("op", "after:1")
	p = apptest.Post(t, w.Office, edit, f)
	if p.Status != http.StatusOK || !p.Has(`name="n" value="3"`) || !p.Has("autofocus") || !p.Has("对应单位：市税务局") {
		t.Fatalf("add item: %d", p.Status)
	}
	f = editorForm(t, p)
	f.Set("op", "save")
	p = apptest.Post(t, w.Office, edit, f)
	if p.Status != http.StatusUnprocessableEntity || !p.Has(`id="row-err-2"`) || !p.Has("请填写项目名称") || !p.Has("重点工作") || p.Has("› item_") {
		t.Fatalf("save with an empty item: %d", p.Status)
	}
	f = editorForm(t, p)
	f.Set("name.2", "群众满意度")
	f.Set("kind.2", schemes.KindAuto)
	f.Set("max.2", "40")
	f.Set("op", "check")
	if p = apptest.Post(t, w.Office, edit, f); p.Status != http.StatusOK || !p.Has("方案校验通过，满分 100 分") ||
		!p.Has("公众评价得分（0–100）÷ 100 × 40") || !apptest.HasText(p, "重点工作 + 群众满意度") {
		t.Fatalf("check: %d", p.Status)
	}
	f = editorForm(t, p)
	f.Set("name", "2025年度综合考核")
	f.Set("note", "首次编辑")
	f.Set("op", "save")
	if p = apptest.Post(t, w.Office, edit, f); p.Status != http.StatusSeeOther || p.Location != base+"?msg=scheme_saved" {
		t.Fatalf("save: %d %s", p.Status, p.Location)
	}
	v1, err := schemes.Find(context.Background(), w.App.Pool, cy.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	leaves := schemes.Leaves(v1.Tree)
	if v1.Version != 1 || v1.Name != "2025年度综合考核" || v1.Note != "首次编辑" || len(leaves) != 2 ||
		leaves[0].Assessor.UnitID == nil || *leaves[0].Assessor.UnitID != w.B.ID || leaves[1].Source != schemes.SourcePublicEvaluation {
		t.Fatalf("saved: %+v", v1)
	}

	// Edit again: move the second item up and rename it; keys stay.
	p = apptest.Get(t, w.Office, edit)
	if !p.Has("以当前第1版为基础") || !p.Has("第2版") {
		t.Fatalf("editor on version 1: %d", p.Status)
	}
	f = editorForm(t, p)
	f.Set("op", "up:2")
	f = editorForm(t, apptest.Post(t, w.Office, edit, f))
	if f.Get("name.1") != "群众满意度" {
		t.Fatalf("moved: %v", f)
	}
	stale := url.Values{}
	for k, v := range f {
		stale[k] = v
	}
	f.Set("name.1", "公众满意度")
	f.Set("op", "save")
	if p = apptest.Post(t, w.Office, edit, f); p.Status != http.StatusSeeOther {
		t.Fatalf("save v2: %d %s", p.Status, p.Body)
	}
	v2, _ := schemes.Find(context.Background(), w.App.Pool, cy.ID, 0)
	l2 := schemes.Leaves(v2.Tree)
	if v2.Version != 2 || l2[0].Key != leaves[1].Key || l2[0].Name != "公众满意度" || l2[1].Key != leaves[0].Key ||
		l2[1].Assessor.UnitID == nil {
		t.Fatalf("v2: %+v", v2.Tree)
	}
	// A draft begun on version 1 cannot overwrite version 2.
	stale.Set("op", "save")
	stale.Set("name.1", "别的名称")
	if p = apptest.Post(t, w.Office, edit, stale); p.Status != http.StatusConflict || !p.Has("已被保存为第2版") ||
		!p.Has(`value="别的名称"`) {
		t.Fatalf("stale save: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, edit+"?preset=zhongshan"); p.Status != 200 || !p.Has("以预置方案") || !p.Has("市府督查室") {
		t.Fatalf("editor on a preset: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, edit+"?version=9"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown version: %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, edit); p.Status != http.StatusForbidden {
		t.Fatalf("unit opens the editor: %d", p.Status)
	}
	if p := apptest.Post(t, w.UnitUser, edit, f); p.Status != http.StatusForbidden || strings.Contains(p.Location, "scheme_saved") {
		t.Fatalf("unit saves: %d", p.Status)
	}
}
