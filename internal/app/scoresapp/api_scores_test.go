package scoresapp_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minyi/internal/scores/scorestest"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// scoreLine is a unit's line as the API sends it.
type scoreLine struct {
	Unit struct {
		ID       int64  `json:"id"`
		Name     string `json:"name"`
		Category string `json:"category"`
	} `json:"unit"`
	Rank           *int     `json:"rank"`
	UnrankedReason string   `json:"unranked_reason"`
	Score          *float64 `json:"score"`
	Result         *struct {
		Score *float64 `json:"score"`
		Daily struct {
			Count int     `json:"count"`
			Mean  float64 `json:"mean"`
		} `json:"daily"`
		Annual struct {
			Count int     `json:"count"`
			Mean  float64 `json:"mean"`
		} `json:"annual"`
		Flags []string `json:"flags"`
	} `json:"result"`
	Flags []struct {
		Code, Label, Detail string
	} `json:"flags"`
	DetailHidden bool `json:"detail_hidden"`
}

type scoreReport struct {
	Cycle struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"cycle"`
	Version       int      `json:"config_version"`
	NewestVersion int      `json:"newest_config_version"`
	Provisional   bool     `json:"provisional"`
	Reasons       []string `json:"provisional_reasons"`
	Categories    []struct {
		Name   string      `json:"name"`
		Ranked int         `json:"ranked"`
		Units  []scoreLine `json:"units"`
	} `json:"categories"`
}

func (r scoreReport) line(t *testing.T, unitID int64) scoreLine {
	t.Helper()
	for _, c := range r.Categories {
		for _, u := range c.Units {
			if u.Unit.ID == unitID {
				return u
			}
		}
	}
	t.Fatalf("unit %d not in the report", unitID)
	return scoreLine{}
}

func fetchReport(t *testing.T, w *fixtures.ScoreWorld, c *apptest.Client, query string) scoreReport {
	t.Helper()
	var rep scoreReport
	apptest.APIDo(t, c, "GET", w.Base+query, "", "").Decode(t, http.StatusOK, &rep)
	return rep
}

func TestAPIScores(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	f := w.F
	rep := fetchReport(t, w, w.Office, "")
	if rep.Version != 1 || rep.NewestVersion != 1 || rep.Provisional || len(rep.Reasons) != 0 {
		t.Errorf("meta %+v", rep)
	}
	// Categories follow UNIT_CATEGORIES: 经济发展类 before 社会服务类.
	if len(rep.Categories) != 2 || rep.Categories[0].Name != scorestest.CategoryB || rep.Categories[1].Name != scorestest.CategoryA {
		t.Fatalf("categories %+v", rep.Categories)
	}
	var ranks []int
	for _, u := range rep.Categories[0].Units {
		ranks = append(ranks, *u.Rank)
	}
	if !slices.Equal(ranks, []int{1, 2, 2, 4}) {
		t.Errorf("ranks with a tie %v, want [1 2 2 4]", ranks)
	}
	both := rep.line(t, f.Both)
	if *both.Score != 86.4 || *both.Rank != 3 || both.Result.Daily.Count != 4 || both.Result.Daily.Mean != 85 ||
		both.Result.Annual.Count != 7 || len(both.Flags) != 0 || both.DetailHidden {
		t.Errorf("both %+v / %+v", both, both.Result)
	}
	empty := rep.line(t, f.Empty)
	if empty.Rank != nil || empty.Score != nil || empty.UnrankedReason == "" {
		t.Errorf("empty unit %+v", empty)
	}
	short := rep.line(t, f.Short)
	if *short.Score != 88 || len(short.Flags) != 1 || short.Flags[0].Code != "daily_below_minimum" || short.Flags[0].Label != "日常评价数量低于最低要求" {
		t.Errorf("short %+v", short)
	}

	// A new version with other weights changes the result; version 1 still gives the old one.
	w.Data.SetConfig(f.Cycle.ID, scorestest.ConfigV2(), "调整权重")
	if r := fetchReport(t, w, w.Office, ""); r.Version != 2 || *r.line(t, f.Both).Score != 86.17 || *r.line(t, f.Short).Score != 80 {
		t.Errorf("newest version: v%d both %v short %v", r.Version, *r.line(t, f.Both).Score, *r.line(t, f.Short).Score)
	}
	if r := fetchReport(t, w, w.Office, "?version=1"); r.Version != 1 || r.NewestVersion != 2 || *r.line(t, f.Both).Score != 86.4 {
		t.Errorf("version 1: v%d/%d both %v", r.Version, r.NewestVersion, *r.line(t, f.Both).Score)
	}
	for _, q := range []string{"?version=0", "?version=x", "?version=-1", "?version=99999999999"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", w.Base+q, "", ""), 422, "invalid", "version")
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", w.Base+"?version=3", "", ""), 404, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/999999/scores", "", ""), 404, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/x/scores", "", ""), 404, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.App.Client(), "GET", w.Base, "", ""), 401, "unauthorized")

	// An open survey makes the result provisional.
	w.Data.Survey(f.Cycle.ID, "补充调查", "open")
	if r := fetchReport(t, w, w.Office, ""); !r.Provisional || !slices.Equal(r.Reasons, []string{"问卷调查尚未结束，得分为暂定"}) {
		t.Errorf("open survey: %v %v", r.Provisional, r.Reasons)
	}
}

func TestAPIScoresUnitRole(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	f := w.F
	rep := fetchReport(t, w, w.Unit, "")
	if len(rep.Categories) != 1 || rep.Categories[0].Name != scorestest.CategoryA || len(rep.Categories[0].Units) != 5 {
		t.Fatalf("a unit user sees %+v", rep.Categories)
	}
	for _, u := range rep.Categories[0].Units {
		own := u.Unit.ID == f.Both
		if own != (u.Result != nil) || own != (u.Flags != nil) || own == u.DetailHidden {
			t.Errorf("unit %s: result %v flags %v hidden %v", u.Unit.Name, u.Result != nil, u.Flags, u.DetailHidden)
		}
	}
	other := rep.line(t, f.AnnualOnly)
	if *other.Score != 88.57 || *other.Rank != 1 {
		t.Errorf("other unit's ranking line %+v", other)
	}
	var e struct {
		Unit struct{ ID int64 } `json:"unit"`
	}
	apptest.APIDo(t, w.Unit, "GET", w.Base+"/"+apptest.Itoa(f.Both), "", "").Decode(t, http.StatusOK, &e)
	if e.Unit.ID != f.Both {
		t.Errorf("own explanation for unit %d", e.Unit.ID)
	}
	for _, id := range []int64{f.AnnualOnly, f.B1} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Unit, "GET", w.Base+"/"+apptest.Itoa(id), "", ""), 403, "forbidden")
	}
	r := apptest.APIDo(t, w.Unit, "GET", w.Base+".xlsx", "", "")
	if r.Status != http.StatusOK {
		t.Fatalf("xlsx for a unit user: %d %s", r.Status, r.Body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !slices.Equal(got, []string{scorestest.CategoryA, "说明"}) {
		t.Errorf("unit user's sheets %v", got)
	}
	// Rows are in ranking order: AnnualOnly (hidden detail), Short, Both (own), DailyOnly, Empty.
	cells := map[string]string{"A5": "1", "B5": "市医疗保障局", "D5": "88.57", "E5": "", "F5": "", "P5": "仅显示排名与得分",
		"B7": "市政务服务中心", "D7": "86.40", "E7": "85.00", "F7": "4"}
	for c, want := range cells {
		if got, _ := x.GetCellValue(scorestest.CategoryA, c); got != want {
			t.Errorf("cell %s = %q, want %q", c, got, want)
		}
	}
}

func TestAPIScoreExplanation(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	f := w.F
	var e struct {
		Rank          int      `json:"rank"`
		Score         float64  `json:"score"`
		ExactScore    float64  `json:"exact_score"`
		Formula       string   `json:"formula"`
		AnnualFormula string   `json:"annual_formula"`
		UnknownGroups []string `json:"unknown_groups"`
		Daily         struct {
			Count        int     `json:"count"`
			MinCount     int     `json:"min_count"`
			Excluded     int     `json:"excluded"`
			Mean         float64 `json:"mean"`
			Contribution float64 `json:"contribution"`
			Levels       []struct{ Level, Count int }
		} `json:"daily"`
		Annual struct {
			Groups []struct {
				Key             string  `json:"key"`
				Count           int     `json:"count"`
				MinSample       int     `json:"min_sample"`
				Mean            float64 `json:"mean"`
				Weight          float64 `json:"weight"`
				EffectiveWeight float64 `json:"effective_weight"`
				Flags           []struct{ Code string }
			} `json:"groups"`
		} `json:"annual"`
		Links struct {
			Page            string
			Ratings         struct{ API, Console string }            `json:"ratings"`
			ExcludedRatings struct{ API, Console string }            `json:"excluded_ratings"`
			Responses       struct{ API, Console string }            `json:"responses"`
			GroupResponses  map[string]struct{ API, Console string } `json:"group_responses"`
		} `json:"links"`
	}
	apptest.APIDo(t, w.Office, "GET", w.Base+"/"+apptest.Itoa(f.Both), "", "").Decode(t, http.StatusOK, &e)
	if e.Rank != 3 || e.Score != 86.4 || e.Formula != "公众评价得分 = 日常评价 85.00 × 40% + 年度评价 87.33 × 60% = 86.40" ||
		!strings.HasPrefix(e.AnnualFormula, "年度评价 = 服务对象 86.67 × 50%") || !slices.Equal(e.UnknownGroups, []string{"residents"}) {
		t.Errorf("explanation %+v", e)
	}
	if e.Daily.Count != 4 || e.Daily.MinCount != 4 || e.Daily.Excluded != 1 || e.Daily.Mean != 85 || e.Daily.Contribution != 34 ||
		len(e.Daily.Levels) != 5 || e.Daily.Levels[0].Level != 5 || e.Daily.Levels[0].Count != 2 {
		t.Errorf("daily %+v", e.Daily)
	}
	if g := e.Annual.Groups[2]; g.Key != "experts" || g.Count != 2 || g.Mean != 70 || g.Weight != 0.2 || g.EffectiveWeight != 0.2 || g.MinSample != 2 {
		t.Errorf("experts %+v", g)
	}
	u, c := apptest.Itoa(f.Both), apptest.Itoa(f.Cycle.ID)
	links := [][2]string{
		{e.Links.Page, "/console/cycles/" + c + "/scores/" + u},
		{e.Links.Ratings.API, "/api/v1/units/" + u + "/ratings?excluded=false&from=2025-01-01&to=2025-12-31"},
		{e.Links.Ratings.Console, "/console/ratings?excluded=false&from=2025-01-01&to=2025-12-31&unit_id=" + u},
		{e.Links.ExcludedRatings.Console, "/console/ratings?excluded=true&from=2025-01-01&to=2025-12-31&unit_id=" + u},
		{e.Links.Responses.API, "/api/v1/responses?cycle_id=" + c + "&unit_id=" + u},
		{e.Links.GroupResponses["npc_deputies"].Console, "/console/responses?cycle_id=" + c + "&group=npc_deputies&unit_id=" + u},
	}
	for _, l := range links {
		if l[0] != l[1] {
			t.Errorf("link %q, want %q", l[0], l[1])
		}
	}
	// The ratings link lists exactly the counted ratings of the period.
	var list struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", e.Links.Ratings.API, "", "").Decode(t, http.StatusOK, &list)
	var excluded struct{ Total int }
	apptest.APIDo(t, w.Office, "GET", e.Links.ExcludedRatings.API, "", "").Decode(t, http.StatusOK, &excluded)
	if list.Total != 4 || excluded.Total != 1 {
		t.Errorf("linked ratings: %d counted, %d excluded; want 4 and 1", list.Total, excluded.Total)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", w.Base+"/999999", "", ""), 404, "not_found")
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", w.Base+"/"+u+"?version=7", "", ""), 404, "not_found")
}

func TestAPIScoresXLSX(t *testing.T) {
	w := fixtures.NewScoreWorld(t)
	w.Data.SetConfig(w.F.Cycle.ID, scorestest.ConfigV2(), "调整权重")
	r := apptest.APIDo(t, w.Office, "GET", w.Base+".xlsx?version=1", "", "")
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("status %d, type %q: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	cd := r.Header.Get("Content-Disposition")
	wantName := "filename*=UTF-8''" + url.PathEscape("2025年度公众评价得分（第1版）.xlsx")
	if !strings.HasPrefix(cd, `attachment; filename="scores-cycle-`+apptest.Itoa(w.F.Cycle.ID)+`-v1.xlsx"`) || !strings.HasSuffix(cd, wantName) {
		t.Errorf("Content-Disposition %q", cd)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); !slices.Equal(got, []string{scorestest.CategoryB, scorestest.CategoryA, "说明"}) {
		t.Fatalf("sheets %v", got)
	}
	// The rows are streamed (StreamWriter): the first sheet stays the
	// active one, the column widths and the bold header are kept.
	if i := x.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d", i)
	}
	a := scorestest.CategoryA
	if wb, _ := x.GetColWidth(a, "B"); wb != 28 {
		t.Errorf("column B width %v", wb)
	}
	if id, _ := x.GetCellStyle(a, "B4"); id == 0 {
		t.Error("header without its style")
	} else if st, _ := x.GetStyle(id); st.Font == nil || !st.Font.Bold {
		t.Errorf("header style %+v", st)
	}
	if v, _ := x.GetCellValue(a, "A2"); !strings.HasPrefix(v, "配置版本：第1版（最新为第2版）；考核期：2025-01-01 至 2025-12-31；生成时间：2026-02-01 09:30") {
		t.Errorf("version line %q", v)
	}
	if v, _ := x.GetCellValue(a, "A3"); v != "结果状态：正式" {
		t.Errorf("status line %q", v)
	}
	header, _ := x.GetRows(a)
	wantHeader := []string{"排名", "单位名称", "简码", "公众评价得分", "日常评价得分", "日常评价数", "年度评价得分", "年度答卷数",
		"服务对象得分", "服务对象答卷数", "人大代表得分", "人大代表答卷数", "专家学者得分", "专家学者答卷数", "标记", "备注"}
	if !slices.Equal(header[3], wantHeader) {
		t.Errorf("header %q", header[3])
	}
	// Ranking order under version 1: AnnualOnly, Short, Both, DailyOnly, Empty.
	wantRows := [][]string{
		{"1", "市医疗保障局", "", "88.57", "", "0", "88.57", "5", "100.00", "3", "", "0", "60.00", "2", "无日常评价，由年度测评计分；有受访群体无答卷，其余群体权重已按比例调整", ""},
		{"2", "市档案馆", "", "88.00", "100.00", "2", "80.00", "7", "80.00", "3", "80.00", "2", "80.00", "2", "日常评价数量低于最低要求", ""},
		{"3", "市政务服务中心", "", "86.40", "85.00", "4", "87.33", "7", "86.67", "3", "100.00", "2", "70.00", "2", "", ""},
		{"4", "市民政局", "", "70.00", "70.00", "5", "", "0", "", "0", "", "0", "", "0", "无年度测评答卷，由日常评价计分", ""},
		{"", "市地方志办", "", "", "", "0", "", "0", "", "0", "", "0", "", "0", "无日常评价，由年度测评计分；无年度测评答卷，由日常评价计分；无日常评价和年度测评，无法计分", "无日常评价和年度测评，无法计分"},
	}
	for i, want := range wantRows {
		row := 5 + i
		for j, v := range want {
			cellName, _ := excelize.CoordinatesToCellName(j+1, row)
			if got, _ := x.GetCellValue(a, cellName); got != v {
				t.Errorf("cell %s = %q, want %q", cellName, got, v)
			}
		}
	}
	// Numbers are numbers, not text.
	for _, c := range []string{"A5", "D5", "F5", "I5", "D7"} {
		if typ, _ := x.GetCellType(a, c); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
			t.Errorf("cell %s is text", c)
		}
	}
	if raw, _ := x.GetCellValue(a, "D7", excelize.Options{RawCellValue: true}); raw != "86.4" {
		t.Errorf("raw D7 %q, want the number 86.4", raw)
	}
	b, _ := x.GetRows(scorestest.CategoryB)
	if len(b) != 8 || b[5][0] != "2" || b[6][0] != "2" || b[7][0] != "4" {
		t.Errorf("category B rows %q", b)
	}
	info := map[string]string{"A1": "考核年度", "B1": "2025年度", "B3": "1", "B4": "2", "B5": "2026-02-01 09:30:00", "B6": "正式",
		"B7": "非常满意 100分；满意 80分；基本满意 60分；不满意 30分；非常不满意 0分", "B8": "40.00%", "B10": "4",
		"B11": "日常评价仍按权重计入", "A14": "服务对象", "B14": "service_users", "C14": "50.00%", "D16": "2"}
	for c, want := range info {
		if got, _ := x.GetCellValue("说明", c); got != want {
			t.Errorf("说明!%s = %q, want %q", c, got, want)
		}
	}
}
