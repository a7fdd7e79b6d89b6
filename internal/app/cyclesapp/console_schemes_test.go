package cyclesapp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"minyi/internal/schemes"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// TestConsoleSchemes covers the scheme page: preview and save a preset,
// the nested table, pasting a tree (refused with Chinese node-path
// messages, then saved), the version history, the trial computation and
// the read-only view of a unit user.
func TestConsoleSchemes(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	path := "/console/cycles/" + apptest.Itoa(cy.ID) + "/scheme"

	if p := apptest.Get(t, w.Office, "/console/cycles/"+apptest.Itoa(cy.ID)); !p.Has(`href="` + path + `"`) {
		t.Errorf("cycle page lacks the scheme link")
	}
	p := apptest.Get(t, w.Office, path)
	if p.Status != http.StatusOK || !p.Has("本考核年度尚未设置考核方案") || !p.Has("?preview=zhongshan") {
		t.Fatalf("empty scheme page %d", p.Status)
	}
	p = apptest.Get(t, w.Office, path+"?preview=zhongshan")
	for _, s := range []string{"预览预置方案：中山市“三效一创”", "履行法定职责", "市府督查室", "市编委办、市发展改革局",
		"公众评价得分（0–100）÷ 100 × 15", "scheme-lvl-3", `name="in.public_satisfaction"`, "保存为本年度考核方案"} {
		if !p.Has(s) {
			t.Errorf("preview lacks %q", s)
		}
	}
	if p := apptest.Get(t, w.Office, path+"?preview=nowhere"); p.Status != http.StatusNotFound {
		t.Errorf("unknown preset: %d", p.Status)
	}

	// Save the preset; the same again makes no version.
	saved := apptest.Post(t, w.Office, path, url.Values{"mode": {"preset"}, "preset": {"jiangxi"}, "note": {"按省办法"}})
	if saved.Status != http.StatusSeeOther || saved.Location != path+"?msg=scheme_saved" {
		t.Fatalf("save preset: %d %q", saved.Status, saved.Location)
	}
	p = apptest.Get(t, w.Office, saved.Location)
	for _, s := range []string{"考核方案已保存为新版本", "江西省省直机关绩效管理 · 第1版", "部门评价", "按参加项目折算",
		"50 × 已参加项目实得分之和 ÷ 已参加项目满分之和", "绩效指标与过程管理×60% + 绩效评价×40%", `name="na.leadership"`, "按省办法"} {
		if !apptest.HasText(p, s) {
			t.Errorf("saved scheme page lacks %q", s)
		}
	}
	if again := apptest.Post(t, w.Office, path, url.Values{"mode": {"preset"}, "preset": {"jiangxi"}}); again.Location != path+"?msg=scheme_unchanged" {
		t.Errorf("repeated save: %q", again.Location)
	}

	// Trial computation on the saved scheme: the pro-rated worked example.
	trial := url.Values{"version": {"1"}, "in.key_work": {"70"}, "in.lead_assessment": {"16"}, "in.process": {"91"},
		"in.provincial_leaders": {"90"}, "in.public": {"90.125"}, "na.leadership": {"1"}, "in.party_building": {"8"},
		"in.public_security": {"9"}, "na.energy_saving": {"1"}, "in.budget_performance": {"4"}}
	p = apptest.Post(t, w.Office, path+"/trial", trial)
	for _, s := range []string{`id="trial-composite">87.62<`, "50 × (8.00 + 9.00 + 4.00) ÷ (10 + 10 + 5) = 42.00",
		"公众评价得分 90.13 ÷ 100 × 满分 30 = 27.04", `value="90.125"`, "scheme-na"} {
		if !apptest.HasText(p, s) {
			t.Errorf("trial lacks %q", s)
		}
	}
	trial.Set("in.budget_performance", "6")
	trial.Del("in.process")
	p = apptest.Post(t, w.Office, path+"/trial", trial)
	if p.Status != http.StatusUnprocessableEntity || !p.Has("部门评价 › 财政预算绩效: 得分须在0到5之间") {
		t.Errorf("trial above max: %d", p.Status)
	}
	trial.Set("in.budget_performance", "5")
	p = apptest.Post(t, w.Office, path+"/trial", trial)
	if p.Status != http.StatusOK || !p.Has("尚有 1 个评分项目未录入") || !p.Has("年度综合绩效成绩 › 绩效指标与过程管理 › 过程管理与日常考核") {
		t.Errorf("trial with a missing leaf: %d", p.Status)
	}
	// A trial on a preset's preview.
	p = apptest.Post(t, w.Office, path+"/trial", url.Values{"preview": {"county"}, "in.indicators": {"85.5"}, "in.public": {"78.25"}, "in.leaders": {"92"}})
	if !p.Has(`id="trial-composite">85.43<`) {
		t.Errorf("county trial lacks 85.43")
	}

	// Paste a tree: refused with the node paths, then saved.
	tree := presetTree(t, "county")
	tree.Children[1].Weight = 0.2
	b, _ := json.Marshal(tree)
	p = apptest.Post(t, w.Office, path, url.Values{"mode": {"json"}, "tree": {string(b)}, "name": {"县方案"}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("绩效评估总分: 权重之和须为100%（现为110%）") || !p.Has("县方案") {
		t.Errorf("bad tree: %d", p.Status)
	}
	p = apptest.Post(t, w.Office, path, url.Values{"mode": {"json"}, "tree": {`{"key": "a", "nme": "x"}`}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("方案 JSON 含有无法识别的字段") {
		t.Errorf("unknown field: %d", p.Status)
	}
	p = apptest.Post(t, w.Office, path, url.Values{"mode": {"json"}, "tree": {`{"key": `}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("方案 JSON 格式有误") {
		t.Errorf("broken JSON: %d", p.Status)
	}
	tree.Children[1].Weight = 0.1
	b, _ = json.Marshal(tree)
	ok := apptest.Post(t, w.Office, path, url.Values{"mode": {"json"}, "tree": {string(b)}, "name": {"县方案"}, "note": {"改用县方案"}})
	if ok.Location != path+"?msg=scheme_saved" {
		t.Fatalf("save tree: %d %q", ok.Status, ok.Location)
	}
	p = apptest.Get(t, w.Office, path)
	if !p.Has("县方案 · 第2版") || !p.Has("共 2 版") || !p.Has(path+"?version=1") {
		t.Errorf("versions not listed")
	}
	if p := apptest.Get(t, w.Office, path+"?version=1"); !p.Has("历史版本") || !p.Has("江西省省直机关绩效管理 · 第1版") {
		t.Errorf("old version page")
	}

	// A unit user reads, without forms, and cannot save.
	p = apptest.Get(t, w.UnitUser, path)
	if p.Status != http.StatusOK || !p.Has("县方案") || p.Has(`name="in.indicators"`) || p.Has("粘贴方案 JSON") {
		t.Errorf("unit user view: %d", p.Status)
	}
	if p := apptest.Post(t, w.UnitUser, path, url.Values{"mode": {"preset"}, "preset": {"county"}}); p.Status != http.StatusForbidden {
		t.Errorf("unit user save: %d", p.Status)
	}
}

func presetTree(t *testing.T, key string) schemes.Node {
	t.Helper()
	p, err := schemes.FindPreset(key)
	if err != nil {
		t.Fatal(err)
	}
	p.Tree.Children = append([]schemes.Node(nil), p.Tree.Children...)
	return p.Tree
}
