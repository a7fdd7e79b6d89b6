package cyclesapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// configPost is the configuration form of the standard fixture's version 1
// with changes applied; weights are percentages as typed.
func configPost(change map[string]string) url.Values {
	v := url.Values{
		"level_points[0]": {"100"}, "level_points[1]": {"80"}, "level_points[2]": {"60"}, "level_points[3]": {"30"},
		"level_points[4]": {"0"}, "daily_weight": {"40"}, "annual_weight": {"60"}, "min_daily_count": {"4"},
		"groups[0].key": {"service_users"}, "groups[0].name": {"服务对象"}, "groups[0].weight": {"50"}, "groups[0].min_sample": {"3"},
		"groups[0].existing": {"1"},
		"groups[1].key":      {"npc_deputies"}, "groups[1].name": {"人大代表"}, "groups[1].weight": {"30"}, "groups[1].min_sample": {"2"},
		"groups[1].existing": {"1"},
		"groups[2].key":      {"experts"}, "groups[2].name": {"专家学者"}, "groups[2].weight": {"20"}, "groups[2].min_sample": {"2"},
		"groups[2].existing": {"1"},
		"groups[3].key":      {""}, "groups[3].name": {""}, "groups[3].weight": {""}, "groups[3].min_sample": {""},
	}
	for k, val := range change {
		v.Set(k, val)
	}
	return v
}

func TestConsoleCycles(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	cy := "/console/cycles/" + apptest.Itoa(w.F.Cycle.ID)
	p := apptest.Get(t, w.Office, "/console/cycles")
	if p.Status != http.StatusOK || !p.Has("2025年度") || !p.Has("2024年度") || !p.Has(`action="/console/cycles"`) ||
		!p.Has(`value="2026年度"`) || !p.Has(`value="2026-01-01"`) {
		t.Errorf("cycles page %d, create form prefilled for 2026: %v", p.Status, p.Has(`value="2026年度"`))
	}

	// Creating: errors in Chinese next to the fields, then success.
	bad := apptest.Post(t, w.Office, "/console/cycles", url.Values{"name": {"2026年度"}, "year": {"明年"},
		"period_start": {"2026-01-01"}, "period_end": {"2025-12-31"}})
	if bad.Status != http.StatusUnprocessableEntity || !bad.Has("请填写年度，如 2026") || !bad.Has("结束日期不能早于开始日期") ||
		!bad.Has(`value="明年"`) {
		t.Errorf("bad create: %d", bad.Status)
	}
	dup := apptest.Post(t, w.Office, "/console/cycles", url.Values{"name": {"2025年度"}, "year": {"2025"},
		"period_start": {"2025-01-01"}, "period_end": {"2025-12-31"}})
	if dup.Status != http.StatusUnprocessableEntity || !dup.Has("考核年度“2025年度”已存在") {
		t.Errorf("duplicate create: %d", dup.Status)
	}
	ok := apptest.Post(t, w.Office, "/console/cycles", url.Values{"name": {" 2026年度 "}, "year": {"2026"},
		"period_start": {"2026-01-01"}, "period_end": {"2026-12-31"}})
	if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Location, "/console/cycles/") || !strings.HasSuffix(ok.Location, "msg=cycle_created") {
		t.Fatalf("create: %d %q", ok.Status, ok.Location)
	}
	created := apptest.Get(t, w.Office, ok.Location)
	if !created.Has("考核年度已创建") || !created.Has("2026-01-01") || !created.Has(">40%<") || !created.Has("机关和企事业单位工作人员") {
		t.Errorf("new cycle page lacks its defaults")
	}

	// The cycle's page shows the configuration in Chinese.
	p = apptest.Get(t, w.Office, cy)
	for _, s := range []string{"考核期 <strong>2025-01-01</strong> 至 <strong>2025-12-31</strong>", `id="v-daily-weight">40%`,
		`id="v-annual-weight">60%`, `id="v-min-daily">4 条`, "日常评价仍按其权重计入", "<td>人大代表</td><td class=\"num\">30%</td><td class=\"num\">2</td>",
		"保存为新版本", "第1版"} {
		if !p.Has(s) {
			t.Errorf("cycle page lacks %q", s)
		}
	}

	// A refused edit shows the messages next to the fields and keeps the input.
	bad = apptest.Post(t, w.Office, cy+"/config", configPost(map[string]string{"daily_weight": "50", "groups[1].weight": "abc",
		"level_points[2]": "90", "groups[3].name": "社区居民", "groups[3].weight": "0", "groups[3].min_sample": "1"}))
	for _, s := range []string{"日常评价权重与年度评价权重之和须为100%", "请填写权重（百分比）", "3级的分值不能高于4级",
		`value="abc"`, `value="社区居民"`} {
		if !bad.Has(s) {
			t.Errorf("refused edit lacks %q", s)
		}
	}
	if bad.Status != http.StatusUnprocessableEntity {
		t.Errorf("refused edit: %d", bad.Status)
	}
	if p := apptest.Get(t, w.Office, cy); !p.Has("共 1 版") {
		t.Error("a refused edit stored a version")
	}
	if bad.Has("<code>") || !bad.Has(`name="groups[3].key" value="group_1"`) {
		t.Error("the form shows group codes, or gives the new group none")
	}

	// A valid edit stores version 2 with the note; sending it again stores nothing more.
	change := configPost(map[string]string{"daily_weight": "50", "annual_weight": "50", "annual_carries": "1",
		"groups[2].remove": "1", "groups[0].weight": "62.5", "groups[1].weight": "37.5", "note": "取消专家评议"})
	for i, flash := range []string{"cycle_config_saved", "cycle_config_unchanged"} {
		res := apptest.Post(t, w.Office, cy+"/config", change)
		if res.Status != http.StatusSeeOther || !strings.Contains(res.Location, "msg="+flash) {
			t.Errorf("edit %d: %d %q", i, res.Status, res.Location)
		}
	}
	p = apptest.Get(t, w.Office, cy)
	for _, s := range []string{"共 2 版", "取消专家评议", `id="v-daily-weight">50%`, "62.5%", "由年度评价计全部得分，日常评价不计入", "第2版"} {
		if !p.Has(s) {
			t.Errorf("after the edit the page lacks %q", s)
		}
	}
	if p.Has("<td>专家学者</td>") {
		t.Error("the removed group is still configured")
	}
	old := apptest.Get(t, w.Office, cy+"?version=1")
	if !old.Has("历史版本") || !old.Has(`id="v-daily-weight">40%`) || !old.Has("<td>专家学者</td>") {
		t.Error("version 1 is not viewable as it was")
	}
	if p := apptest.Get(t, w.Office, cy+"?version=9"); p.Status != http.StatusNotFound {
		t.Errorf("unknown version: %d", p.Status)
	}

	// Unit users read, but cannot change.
	p = apptest.Get(t, w.Unit, cy)
	if p.Status != http.StatusOK || p.Has("保存为新版本") || !p.Has("只读") {
		t.Errorf("unit user's cycle page: %d", p.Status)
	}
	if p := apptest.Get(t, w.Unit, "/console/cycles"); p.Has(`action="/console/cycles"`) {
		t.Error("unit user sees the create form")
	}
	for _, path := range []string{"/console/cycles", cy + "/config"} {
		if res := apptest.Post(t, w.Unit, path, configPost(nil)); res.Status != http.StatusForbidden {
			t.Errorf("unit user POST %s: %d", path, res.Status)
		}
	}
}
