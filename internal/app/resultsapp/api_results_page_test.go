package resultsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"minyi/internal/results"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type resultsPageReply struct {
	resultsReply
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// pageUnits lists the units of the categories' lines in order, with each
// line's rank ("-" unranked) and the count of categories.
func pageUnits(cats []results.Category) (units []string, ncats int) {
	for _, c := range cats {
		for _, l := range c.Lines {
			rank := "-"
			if l.Rank != nil {
				rank = fmt.Sprint(*l.Rank)
			}
			units = append(units, l.Unit.Name+"#"+rank)
		}
	}
	return units, len(cats)
}

// TestAPIResultsPaging covers the paging of GET /cycles/:id/results: the
// default page, a first and an offset page of the draft and of the
// publication (ranks computed over every unit), the total, a unit
// account's page and bad limit/offset.
func TestAPIResultsPaging(t *testing.T) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, loc)
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	ids := []int64{w.A.ID, w.B.ID}
	for i, name := range []string{"市公安局", "市人社局", "市教育局"} {
		cat := "社会服务类"
		if i == 2 {
			cat = "经济发展类"
		}
		ids = append(ids, w.CreateUnit(t, name, cat).ID)
	}
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	base := "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/results"
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	for i, id := range ids {
		if _, err := w.App.Pool.Exec(ctx, `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points) VALUES ($1, $2, 'work', $3)`,
			cy.ID, id, 90-float64(i)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(c *apptest.Client, query string) resultsPageReply {
		t.Helper()
		var r resultsPageReply
		apptest.APIJSON(t, c, "GET", base+query, nil).Decode(t, http.StatusOK, &r)
		return r
	}

	all := get(w.Office, "")
	want, ncats := pageUnits(all.Draft.Categories)
	if all.Total != 5 || all.Limit != 100 || all.Offset != 0 || len(want) != 5 || ncats != 2 {
		t.Fatalf("default page: total %d limit %d offset %d units %v", all.Total, all.Limit, all.Offset, want)
	}
	first := get(w.Office, "?limit=2")
	got, n := pageUnits(first.Draft.Categories)
	if first.Total != 5 || first.Limit != 2 || fmt.Sprint(got) != fmt.Sprint(want[:2]) || n != 2 {
		t.Fatalf("first page: total %d units %v (%d categories), want %v", first.Total, got, n, want[:2])
	}
	if first.Draft.Cycle.ID != cy.ID || first.Draft.SchemeVersion != all.Draft.SchemeVersion {
		t.Fatalf("a page lost the draft's cycle fields: %+v", first.Draft.Cycle)
	}
	// A page keeps every category with its counts, ranks over all units.
	second := get(w.Office, "?limit=2&offset=2")
	got, n = pageUnits(second.Draft.Categories)
	if second.Offset != 2 || fmt.Sprint(got) != fmt.Sprint(want[2:4]) || n != 2 {
		t.Fatalf("offset page: %v (%d categories), want %v", got, n, want[2:4])
	}
	for i, c := range second.Draft.Categories {
		if c.Units != all.Draft.Categories[i].Units || c.Ranked != all.Draft.Categories[i].Ranked {
			t.Fatalf("category counts on a page: %+v", c)
		}
	}
	if past := get(w.Office, "?offset=5"); past.Total != 5 || len(past.Draft.Categories) != 2 {
		t.Fatalf("past the end: %+v", past)
	} else if got, _ := pageUnits(past.Draft.Categories); len(got) != 0 {
		t.Fatalf("past the end has lines: %v", got)
	}

	// The publication's lines are paged the same way.
	apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{"show_composite": true}).Decode(t, http.StatusCreated, nil)
	pub := get(w.Office, "?limit=3&offset=1")
	if got, _ := pageUnits(pub.Published); pub.Total != 5 || fmt.Sprint(got) != fmt.Sprint(want[1:4]) {
		t.Fatalf("published page: %v, want %v", got, want[1:4])
	}
	if got, _ := pageUnits(pub.Draft.Categories); fmt.Sprint(got) != fmt.Sprint(want[1:4]) {
		t.Fatalf("draft page next to the publication: %v", got)
	}
	own := get(w.UnitUser, "?limit=1")
	if got, _ := pageUnits(own.Published); own.Total != 1 || own.Draft != nil || len(got) != 1 || got[0][:len(w.A.Name)] != w.A.Name {
		t.Fatalf("unit's page: total %d %v", own.Total, got)
	}

	for query, field := range map[string]string{"?limit=0": "limit", "?limit=1001": "limit", "?limit=x": "limit",
		"?offset=-1": "offset", "?offset=9999999999": "offset"} {
		apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", base+query, nil), http.StatusUnprocessableEntity, "invalid", field)
	}
	if r := get(w.Office, "?limit=1000"); r.Limit != 1000 || r.Total != 5 {
		t.Fatalf("limit 1000: %+v", r)
	}
}
