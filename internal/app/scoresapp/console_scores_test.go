package scoresapp_test

import (
	"net/http"
	"strings"
	"testing"

	"minyi/internal/scores/scorestest"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

func TestConsoleScores(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	f := w.F
	scoresPage := "/console/cycles/" + apptest.Itoa(f.Cycle.ID) + "/scores"
	p := apptest.Get(t, w.Office, scoresPage)
	if p.Status != http.StatusOK {
		t.Fatalf("scores page: %d", p.Status)
	}
	for _, s := range []string{"社会服务类", "经济发展类", `<td class="num score"><strong>86.40</strong>`, "88.57",
		`<td class="num daily">85.00</td>`, `<td class="num annual">87.33</td>`, "日常评价数量低于最低要求", "无日常评价和年度测评，无法计分",
		`href="` + scoresPage + `.xlsx"`, "第1版（最新）", "公众评价得分 = 日常评价 × 40% + 年度评价 × 60%"} {
		if !apptest.HasText(p, s) {
			t.Errorf("office scores page lacks %q", s)
		}
	}
	if p.Has(`id="provisional"`) {
		t.Error("a final result shown as provisional")
	}
	row := rowOf(t, p, f.Both)
	if !strings.Contains(row, `<td class="num rank">3</td>`) || !strings.Contains(row, `<td class="num daily-count">4</td>`) ||
		!strings.Contains(row, `<td class="num annual-count">7</td>`) {
		t.Errorf("Both's row %s", row)
	}
	if r := rowOf(t, p, f.B3); !strings.Contains(r, `<td class="num rank">2</td>`) {
		t.Errorf("tied row %s", r)
	}

	// Another version and an open survey.
	w.Data.SetConfig(f.Cycle.ID, scorestest.ConfigV2(), "调整权重")
	w.Data.Survey(f.Cycle.ID, "补充调查", "open")
	p = apptest.Get(t, w.Office, scoresPage)
	if !p.Has("86.17") || !p.Has("问卷调查尚未结束，得分为暂定") {
		t.Error("newest version or provisional notice missing")
	}
	p = apptest.Get(t, w.Office, scoresPage+"?version=1")
	if !p.Has("86.40") || !p.Has("按历史配置第1版计算") || !p.Has(`href="`+scoresPage+`.xlsx?version=1"`) {
		t.Error("version 1 not shown as such")
	}
	if p := apptest.Get(t, w.Office, scoresPage+"?version=abc"); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad version: %d", p.Status)
	}
	dl := apptest.Get(t, w.Office, scoresPage+".xlsx?version=1")
	if dl.Status != http.StatusOK || !strings.HasPrefix(dl.Body, "PK") {
		t.Errorf("console export: %d", dl.Status)
	}

	// A unit user sees only the own category, others reduced to the ranking.
	p = apptest.Get(t, w.Unit, scoresPage)
	if p.Status != http.StatusOK || p.Has("经济发展类") || p.Has("市发展改革委") || !p.Has("本单位") {
		t.Errorf("unit user's scores page: %d", p.Status)
	}
	if r := rowOf(t, p, f.AnnualOnly); !strings.Contains(r, "88.57") || strings.Contains(r, "得分说明") || strings.Contains(r, "tag-warn") {
		t.Errorf("another unit's row shows detail: %s", r)
	}
	if r := rowOf(t, p, f.Both); !strings.Contains(r, "得分说明") || !strings.Contains(r, `class="num daily">85.00`) {
		t.Errorf("own row %s", r)
	}
}

// rowOf returns the table row of a unit on a scores page.
func rowOf(t *testing.T, p apptest.Page, unitID int64) string {
	t.Helper()
	i := strings.Index(p.Body, `data-unit="`+apptest.Itoa(unitID)+`"`)
	if i < 0 {
		t.Fatalf("no row for unit %d", unitID)
	}
	end := strings.Index(p.Body[i:], "</tr>")
	return p.Body[i : i+end]
}

func TestConsoleScoreExplanation(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	f := w.F
	page := "/console/cycles/" + apptest.Itoa(f.Cycle.ID) + "/scores/"
	for _, c := range []*apptest.Client{w.Office, w.Unit} {
		p := apptest.Get(t, c, page+apptest.Itoa(f.Both))
		if p.Status != http.StatusOK {
			t.Fatalf("explanation: %d", p.Status)
		}
		for _, s := range []string{"公众评价得分 = 日常评价 85.00 × 40% + 年度评价 87.33 × 60% = 86.40",
			"年度评价 = 服务对象 86.67 × 50% + 人大代表 100.00 × 30% + 专家学者 70.00 × 20% = 87.33",
			`id="rank">3<`, "社会服务类共 5 个单位，4 个参与排名", `id="daily-count">4<`, "1 条（不计分）",
			`href="/console/ratings?excluded=false&from=2025-01-01&to=2025-12-31&unit_id=` + apptest.Itoa(f.Both) + `"`,
			`href="/console/ratings?excluded=true&from=2025-01-01&to=2025-12-31&unit_id=` + apptest.Itoa(f.Both) + `"`,
			`href="/console/responses?cycle_id=` + apptest.Itoa(f.Cycle.ID) + `&group=experts&unit_id=` + apptest.Itoa(f.Both) + `"`,
			"有答卷的受访群体不在本版本配置中，未计入：residents"} {
			if !apptest.HasText(p, s) {
				t.Errorf("explanation lacks %q", s)
			}
		}
	}
	p := apptest.Get(t, w.Office, page+apptest.Itoa(f.AnnualOnly))
	for _, s := range []string{"公众评价得分 = 年度评价 88.57 × 100% = 88.57", "71.43%", "有受访群体无答卷，其余群体权重已按比例调整",
		"以下受访群体没有答卷，不计入：人大代表", "无日常评价，由年度测评计分"} {
		if !apptest.HasText(p, s) {
			t.Errorf("annual-only explanation lacks %q", s)
		}
	}
	if p := apptest.Get(t, w.Unit, page+apptest.Itoa(f.AnnualOnly)); p.Status != http.StatusForbidden {
		t.Errorf("unit user opening another unit: %d", p.Status)
	}
	if p := apptest.Get(t, w.Office, page+"999999"); p.Status != http.StatusNotFound {
		t.Errorf("unknown unit: %d", p.Status)
	}
}
