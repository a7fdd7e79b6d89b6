package searchapp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

type searchReply struct {
	Q      string `json:"q"`
	Direct []struct {
		Kind, ID, Via, Text, Link string
		UnitName                  string `json:"unit_name"`
	} `json:"direct"`
	Lists []struct {
		Kind       string `json:"kind"`
		Total      int    `json:"total"`
		TotalExact bool   `json:"total_exact"`
		API        string `json:"api"`
		Items      []struct {
			Kind, ID, Text, Link string
		} `json:"items"`
	} `json:"lists"`
}

func apiSearch(t *testing.T, c *apptest.Client, q string) searchReply {
	t.Helper()
	var r searchReply
	apptest.APIDo(t, c, "GET", "/api/v1/search?q="+url.QueryEscape(q), "", "").Decode(t, http.StatusOK, &r)
	return r
}

// The search API answers what the page shows as JSON: the first hits of
// each list with its total and its own filtered API, a unit's staff their
// unit's only, the direct hits without a redirect, and for the office a
// survey respondent by phone number (never for a unit).
func TestSearchAPI(t *testing.T) {
	w := newSearchWorld(t)
	r := apiSearch(t, w.Office, "态度")
	if len(r.Lists) != 4 || r.Lists[0].Kind != "ratings" || r.Lists[0].Total != 3 || !r.Lists[0].TotalExact ||
		r.Lists[0].API != "/api/v1/ratings?q=%E6%80%81%E5%BA%A6" || len(r.Lists[0].Items) != 3 {
		t.Fatalf("office: %+v", r.Lists)
	}
	for _, it := range r.Lists[0].Items {
		if !strings.Contains(it.Text, "态度") || !strings.HasPrefix(it.Link, "/console/ratings?") {
			t.Errorf("hit %+v", it)
		}
	}
	if r := apiSearch(t, w.UnitB, "态度"); r.Lists[0].Total != 1 || r.Lists[0].Items[0].Text != "服务态度差" {
		t.Errorf("unit B: %+v", r.Lists[0])
	}
	r = apiSearch(t, w.Office, "BJ2026-0042")
	if len(r.Direct) != 1 || r.Direct[0].Kind != "rating" || r.Direct[0].Via != "办件编号" || !strings.Contains(r.Direct[0].Link, r.Direct[0].ID) {
		t.Errorf("办件编号: %+v", r.Direct)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", "/api/v1/search?q=", "", ""), http.StatusUnprocessableEntity, "invalid", "q")

	// A respondent with the number of a rating's call-back.
	survey := (&fixtures.AgencyWorld{APIWorld: w.APIWorld}).InsertSurvey(t, "2026年度满意度调查", "open")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/surveys/"+apptest.Itoa(survey)+"/respondents", map[string]any{
		"name": "王代表", "group": "npc_deputies", "organisation": "市人大", "phone": "13912345678"}).Decode(t, http.StatusCreated, nil)
	r = apiSearch(t, w.Office, "13912345678")
	kinds := map[string]string{}
	for _, d := range r.Direct {
		kinds[d.Kind] = d.Text + " " + d.Link + " " + d.UnitName
	}
	if len(r.Direct) != 2 || !strings.Contains(kinds["respondent"], "王代表（市人大） /console/surveys/"+apptest.Itoa(survey)+"?") ||
		kinds["rating"] == "" {
		t.Errorf("phone: %+v", r.Direct)
	}
	// The page lists both (two direct hits: no redirect).
	if p := apptest.Get(t, w.Office, "/console/search?q=13912345678"); p.Status != http.StatusOK || !p.Has("王代表（市人大）") || !p.Has("问卷受访人") {
		t.Errorf("search page: %d", p.Status)
	}
	// A unit's staff (not a call-back role here) look no phone up.
	if r := apiSearch(t, w.UnitUser, "13912345678"); len(r.Direct) != 0 {
		t.Errorf("unit: %+v", r.Direct)
	}
}
