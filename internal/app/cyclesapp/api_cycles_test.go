package cyclesapp_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"minyi/internal/cycles"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// apiVersionReply is a configuration version as the API returns it.
type apiVersionReply struct {
	CycleID   int64          `json:"cycle_id"`
	Version   int            `json:"version"`
	CreatedBy *string        `json:"created_by"`
	Note      string         `json:"note"`
	Config    *cycles.Config `json:"config"`
}

func customConfig() cycles.Config {
	c := cycles.DefaultConfig([]float64{100, 90, 70, 40, 10})
	c.Score.DailyWeight, c.Score.AnnualWeight = 0.3, 0.7
	c.Score.MinDailyCount = 50
	c.Score.AnnualCarriesWhenDailyShort = true
	c.Score.Groups = c.Score.Groups[:2]
	c.Score.Groups[0].Weight, c.Score.Groups[1].Weight = 0.75, 0.25
	return c
}

func TestAPICycles(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	def := w.CreateCycle(t, "2024年度", 2024, nil)
	if want := cycles.DefaultConfig(w.App.Config.LevelPoints); !reflect.DeepEqual(def.Config, want) || def.ConfigVersion != 1 {
		t.Errorf("cycle without config got %+v version %d, want the defaults %+v at version 1", def.Config, def.ConfigVersion, want)
	}
	if def.ID == 0 || def.Name != "2024年度" || def.Year != 2024 || def.PeriodStart != "2024-01-01" || def.PeriodEnd != "2024-12-31" {
		t.Errorf("created cycle %+v", def)
	}
	custom := customConfig()
	cus := w.CreateCycle(t, "2025年度", 2025, &custom)
	if !reflect.DeepEqual(cus.Config, custom) || cus.ConfigVersion != 1 {
		t.Errorf("custom config stored as %+v, want %+v", cus.Config, custom)
	}

	ok := `"name":"x","year":2026,"period_start":"2026-01-01","period_end":"2026-12-31"`
	withConfig := func(cfg string) string { return `{` + ok + `,"config":` + cfg + `}` }
	cfgJSON := func(change func(c *cycles.Config)) string {
		c := cycles.DefaultConfig([]float64{100, 80, 60, 30, 0})
		change(&c)
		b, _ := json.Marshal(c)
		return string(b)
	}
	bad := append([]apptest.APIBodyCase{
		{Name: "missing fields", ContentType: "application/json", Body: `{}`, Fields: []string{"name", "year", "period_start", "period_end"}},
		{Name: "name 101 chars", ContentType: "application/json", Body: `{` + strings.Replace(ok, `"x"`, `"`+strings.Repeat("年", 101)+`"`, 1) + `}`, Fields: []string{"name"}},
		{Name: "year 1999", ContentType: "application/json", Body: `{` + strings.Replace(ok, "2026,", "1999,", 1) + `}`, Fields: []string{"year"}},
		{Name: "year a string", ContentType: "application/json", Body: `{` + strings.Replace(ok, "2026,", `"2026",`, 1) + `}`, Fields: []string{"year"}},
		{Name: "bad date", ContentType: "application/json", Body: `{` + strings.Replace(ok, "2026-01-01", "2026-13-01", 1) + `}`, Fields: []string{"period_start"}},
		{Name: "end before start", ContentType: "application/json", Body: `{` + strings.Replace(ok, "2026-12-31", "2025-12-31", 1) + `}`, Fields: []string{"period_end"}},
		{Name: "duplicate name", ContentType: "application/json", Body: `{` + strings.Replace(ok, `"x"`, `"2024年度"`, 1) + `}`, Fields: []string{"name"}},
		{Name: "weights not summing to 1", ContentType: "application/json", Body: withConfig(cfgJSON(func(c *cycles.Config) { c.Score.DailyWeight = 0.5 })),
			Fields: []string{"score.daily_weight", "score.annual_weight"}},
		{Name: "group weights not summing to 1", ContentType: "application/json", Body: withConfig(cfgJSON(func(c *cycles.Config) { c.Score.Groups[1].Weight = 0.2 })),
			Fields: []string{"score.groups"}},
		{Name: "four level points", ContentType: "application/json", Body: withConfig(cfgJSON(func(c *cycles.Config) { c.LevelPoints = c.LevelPoints[1:] })),
			Fields: []string{"level_points"}},
		{Name: "rising level points", ContentType: "application/json", Body: withConfig(cfgJSON(func(c *cycles.Config) { c.LevelPoints[3] = 70 })),
			Fields: []string{"level_points[3]"}},
		{Name: "duplicate group key", ContentType: "application/json", Body: withConfig(cfgJSON(func(c *cycles.Config) { c.Score.Groups[2].Key = "npc_deputies" })),
			Fields: []string{"score.groups[2].key"}},
		{Name: "empty config", ContentType: "application/json", Body: withConfig(`{}`), Fields: []string{"level_points", "score.daily_weight", "score.annual_weight", "score.groups"}},
	}, apptest.APIBadBodies...)
	for _, tt := range bad {
		t.Run("create "+tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", "/api/v1/cycles", tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}
	var list struct {
		Total int                   `json:"total"`
		Items []fixtures.CycleReply `json:"items"`
	}
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cycles", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 2 || list.Items[0].ID != cus.ID || list.Items[1].ID != def.ID {
		t.Fatalf("list %+v, want 2025 then 2024 (refused creates stored nothing)", list)
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles?limit=1&offset=1", "", "").Decode(t, http.StatusOK, &list)
	if list.Total != 2 || len(list.Items) != 1 || list.Items[0].ID != def.ID {
		t.Errorf("second page %+v", list)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles?limit=0", "", ""), 422, "invalid", "limit")
	var got fixtures.CycleReply
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cycles/"+apptest.Itoa(cus.ID), "", "").Decode(t, http.StatusOK, &got)
	if !reflect.DeepEqual(got, cus) {
		t.Errorf("GET cycle %+v, want %+v", got, cus)
	}
}

func TestAPICycleConfigVersions(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/config"
	v1 := cy.Config

	custom := customConfig()
	var v2 apiVersionReply
	apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"config": custom, "note": " 调整权重 "}).Decode(t, http.StatusCreated, &v2)
	if v2.Version != 2 || v2.CycleID != cy.ID || v2.Config == nil || !reflect.DeepEqual(*v2.Config, custom) ||
		v2.Note != "调整权重" || v2.CreatedBy == nil || *v2.CreatedBy != "office1" {
		t.Errorf("PUT config answered %+v", v2)
	}
	var now fixtures.CycleReply
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/"+apptest.Itoa(cy.ID), "", "").Decode(t, http.StatusOK, &now)
	if now.ConfigVersion != 2 || !reflect.DeepEqual(now.Config, custom) {
		t.Errorf("cycle after PUT has version %d config %+v", now.ConfigVersion, now.Config)
	}
	var old apiVersionReply
	apptest.APIDo(t, w.UnitUser, "GET", base+"/versions/1", "", "").Decode(t, http.StatusOK, &old)
	if old.Version != 1 || old.Config == nil || !reflect.DeepEqual(*old.Config, v1) {
		t.Errorf("version 1 is now %+v, want the original %+v", old, v1)
	}

	badPut := []apptest.APIBodyCase{
		{Name: "no config", ContentType: "application/json", Body: `{"note":"x"}`, Fields: []string{"config"}},
		{Name: "null config", ContentType: "application/json", Body: `{"config":null}`, Fields: []string{"config"}},
		{Name: "bad weights", ContentType: "application/json", Body: `{"config":{"level_points":[100,80,60,30,0],"score":{"daily_weight":0.4,"annual_weight":0.4,"groups":[{"key":"a","name":"甲","weight":1}]}}}`,
			Fields: []string{"score.daily_weight", "score.annual_weight"}},
		{Name: "rising points", ContentType: "application/json", Body: `{"config":{"level_points":[100,80,60,30,40],"score":{"daily_weight":0.4,"annual_weight":0.6,"groups":[{"key":"a","name":"甲","weight":1}]}}}`,
			Fields: []string{"level_points[4]"}},
		{Name: "long note", ContentType: "application/json", Body: `{"note":"` + strings.Repeat("注", 501) + `","config":` + string(mustJSON(t, custom)) + `}`, Fields: []string{"note"}},
	}
	for _, tt := range append(badPut, apptest.APIBadBodies...) {
		t.Run("put "+tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "PUT", base, tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}

	// Eight concurrent changes get versions 3 to 10, none refused.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Go(func() {
			c := customConfig()
			c.Score.MinDailyCount = 100 + i
			statuses[i] = apptest.APIJSON(t, w.Office, "PUT", base, map[string]any{"config": c, "note": "并发" + apptest.Itoa(int64(i))}).Status
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusCreated {
			t.Errorf("concurrent PUT %d: status %d", i, s)
		}
	}
	var versions struct {
		Total int               `json:"total"`
		Items []apiVersionReply `json:"items"`
	}
	apptest.APIDo(t, w.UnitUser, "GET", base+"/versions", "", "").Decode(t, http.StatusOK, &versions)
	var nums []int
	minimums := map[int]bool{}
	for _, v := range versions.Items {
		nums = append(nums, v.Version)
		if v.Config != nil {
			t.Errorf("version list item %d carries the config", v.Version)
		}
	}
	if want := []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}; versions.Total != 10 || !slices.Equal(nums, want) {
		t.Fatalf("versions total %d %v, want %v", versions.Total, nums, want)
	}
	for n := 3; n <= 10; n++ {
		var v apiVersionReply
		apptest.APIDo(t, w.Office, "GET", base+"/versions/"+apptest.Itoa(int64(n)), "", "").Decode(t, http.StatusOK, &v)
		minimums[v.Config.Score.MinDailyCount] = true
	}
	if len(minimums) != 8 {
		t.Errorf("versions 3..10 hold %d distinct changes, want 8", len(minimums))
	}
	apptest.APIDo(t, w.Office, "GET", base+"/versions/1", "", "").Decode(t, http.StatusOK, &old)
	if !reflect.DeepEqual(*old.Config, v1) {
		t.Errorf("version 1 changed after concurrent PUTs: %+v", old.Config)
	}

	// Audit: one create and nine config changes, the first with its before and after.
	var entries struct {
		Total int `json:"total"`
		Items []struct {
			Action string          `json:"action"`
			Actor  string          `json:"actor"`
			Before json.RawMessage `json:"before"`
			After  json.RawMessage `json:"after"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?entity=cycle&entity_id="+apptest.Itoa(cy.ID)+"&limit=100", "", "").Decode(t, http.StatusOK, &entries)
	if entries.Total != 10 {
		t.Fatalf("audit has %d entries for the cycle, want 10", entries.Total)
	}
	first, change := entries.Items[9], entries.Items[8]
	if first.Action != "cycle.create" || first.Actor != "office1" || string(first.Before) != "null" {
		t.Errorf("create entry %+v", first)
	}
	var before, after struct {
		Version int           `json:"version"`
		Config  cycles.Config `json:"config"`
	}
	if err := json.Unmarshal(change.Before, &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(change.After, &after); err != nil {
		t.Fatal(err)
	}
	if change.Action != "cycle.config" || before.Version != 1 || !reflect.DeepEqual(before.Config, v1) ||
		after.Version != 2 || !reflect.DeepEqual(after.Config, custom) {
		t.Errorf("config change entry %s: before %s after %s", change.Action, change.Before, change.After)
	}
}

func TestAPICyclesAccess(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	cy := w.CreateCycle(t, "2025年度", 2025, nil)
	id := apptest.Itoa(cy.ID)
	cfg := string(mustJSON(t, map[string]any{"config": cy.Config}))
	writes := []struct{ method, path, body string }{
		{"POST", "/api/v1/cycles", string(mustJSON(t, fixtures.CycleBody("2026年度", 2026, "2026-01-01", "2026-12-31", nil)))},
		{"PUT", "/api/v1/cycles/" + id + "/config", cfg},
	}
	reads := []string{"/api/v1/cycles", "/api/v1/cycles/" + id, "/api/v1/cycles/" + id + "/config/versions",
		"/api/v1/cycles/" + id + "/config/versions/1"}
	for _, r := range writes {
		apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, r.method, r.path, "application/json", r.body), 403, "forbidden")
		apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, r.method, r.path, "application/json", r.body), 401, "unauthorized")
	}
	for _, p := range reads {
		if r := apptest.APIDo(t, w.UnitUser, "GET", p, "", ""); r.Status != http.StatusOK {
			t.Errorf("unit user GET %s: %d %s", p, r.Status, r.Body)
		}
		apptest.WantAPIError(t, apptest.APIDo(t, w.Anon, "GET", p, "", ""), 401, "unauthorized")
	}
	var after fixtures.CycleReply
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/"+id, "", "").Decode(t, http.StatusOK, &after)
	if after.ConfigVersion != 1 {
		t.Errorf("refused writes changed the cycle to version %d", after.ConfigVersion)
	}

	// Unknown or malformed ids and versions are not found.
	for _, p := range []string{"/api/v1/cycles/999999", "/api/v1/cycles/abc", "/api/v1/cycles/999999/config/versions",
		"/api/v1/cycles/0/config/versions", "/api/v1/cycles/999999/config/versions/1", "/api/v1/cycles/" + id + "/config/versions/2",
		"/api/v1/cycles/" + id + "/config/versions/0", "/api/v1/cycles/" + id + "/config/versions/99999999999"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", p, "", ""), 404, "not_found")
	}
	for _, p := range []string{"/api/v1/cycles/999999/config", "/api/v1/cycles/x/config"} {
		apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "PUT", p, "application/json", cfg), 404, "not_found")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
