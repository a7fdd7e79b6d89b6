package searchapp_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// searchWorld is units A and B with QR ratings whose messages hold 态度, its
// two characters apart (状态 … 温度), or neither, a call-back phone left
// twice with the same mask, and a terminal rating with a 办件编号.
type searchWorld struct {
	*fixtures.APIWorld
	// UnitB is a client of a unit-role user of B.
	UnitB *apptest.Client
}

var searchTexts = []struct {
	unit    string // "A" or "B"
	level   string
	comment string
	phone   string
}{
	{"A", "5", "工作人员态度很好", ""},
	{"A", "3", "态度一般，等了很久", ""},
	{"A", "4", "状态不错，温度适宜", ""},
	{"A", "1", "排队太久 <b>没人管</b>", "13912345678"},
	{"A", "2", "窗口少", "13900005678"}, // the same mask, 139****5678
	{"B", "2", "服务态度差", ""},
}

func newSearchWorld(t *testing.T) *searchWorld {
	t.Helper()
	w := &searchWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{})}
	w.App.AddUser(t, "unit-b", "unit-pass-2", "unit", &w.B.ID)
	w.UnitB = w.App.Client()
	w.UnitB.SignIn(t, "unit-b", "unit-pass-2")
	for i, r := range searchTexts {
		code := w.A.QR.Code
		if r.unit == "B" {
			code = w.B.QR.Code
		}
		form := url.Values{"level": {r.level}, "comment": {r.comment}}
		if r.level <= "2" {
			form.Set("reasons", "其他")
		}
		if r.phone != "" {
			form.Set("phone", r.phone)
		}
		if st := fixtures.PostQR(t, w.App, code, "device-"+string(rune('a'+i)), form); st != http.StatusSeeOther {
			t.Fatalf("rating %d: status %d", i, st)
		}
	}
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号窗口评价器"})
	batch := map[string]any{"ratings": []map[string]any{{"id": "t-1", "level": 4, "case_no": "BJ2026-0042"}}}
	if res := w.App.Client().JSON(t, "POST", "/api/v1/terminal/ratings", batch, nil, "Authorization", "Bearer "+token); res.StatusCode != http.StatusOK {
		t.Fatalf("terminal rating: status %d", res.StatusCode)
	}
	return w
}

// comments lists the messages of the feed's answer at path, sorted.
func comments(t *testing.T, c *apptest.Client, path string) []string {
	t.Helper()
	_, _, items := fixtures.Feed(t, c, path)
	out := []string{}
	for _, r := range items {
		out = append(out, r.Comment)
	}
	sort.Strings(out)
	return out
}

func wantComments(t *testing.T, c *apptest.Client, q string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if want == nil {
		want = []string{}
	}
	if got := comments(t, c, "/api/v1/ratings?"+q); !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", q, got, want)
	}
}

// A keyword finds exactly the messages that hold it: two characters only
// together (not 状态 … 温度), one character anywhere, the last one
// included, several words all of them; combined with the feed's filters,
// and a unit's staff find their unit's only.
func TestKeywordFindsExactlyTheMessagesHoldingIt(t *testing.T) {
	w := newSearchWorld(t)
	q := func(s string) string { return url.Values{"q": {s}}.Encode() }
	wantComments(t, w.Office, q("态度"), "工作人员态度很好", "态度一般，等了很久", "服务态度差")
	wantComments(t, w.Office, q("度"), "工作人员态度很好", "态度一般，等了很久", "服务态度差", "状态不错，温度适宜")
	wantComments(t, w.Office, q("宜"), "状态不错，温度适宜")
	wantComments(t, w.Office, q("态度 很"), "工作人员态度很好", "态度一般，等了很久")
	wantComments(t, w.Office, q("没人管"), "排队太久 <b>没人管</b>")
	wantComments(t, w.Office, q("度态"))
	wantComments(t, w.Office, q("态度")+"&level=3", "态度一般，等了很久")
	wantComments(t, w.Office, q("态度")+"&unit_id="+apptest.Itoa(w.B.ID), "服务态度差")
	wantComments(t, w.UnitUser, q("态度"), "工作人员态度很好", "态度一般，等了很久")
	wantComments(t, w.UnitB, q("度"), "服务态度差")
	// The review queue: the same words in its 差评 and messages.
	var queue struct {
		Items []struct {
			Text string `json:"text"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/feedback?"+q("态度"), "", "").Decode(t, http.StatusOK, &queue)
	var texts []string
	for _, it := range queue.Items {
		texts = append(texts, it.Text)
	}
	sort.Strings(texts)
	if want := []string{"工作人员态度很好", "态度一般，等了很久", "服务态度差"}; !slices.Equal(texts, want) {
		t.Errorf("queue q=态度: %q, want %q", texts, want)
	}
	// Bad input is a field error, on the API and on the page.
	r := apptest.APIDo(t, w.Office, "GET", "/api/v1/ratings?"+q(strings.Repeat("字", 51)), "", "")
	apptest.WantAPIError(t, r, http.StatusUnprocessableEntity, "invalid", "q")
	if p := apptest.Get(t, w.Office, "/console/ratings?"+q("一 二 三 四 五 六")); p.Status != http.StatusUnprocessableEntity ||
		!apptest.HasText(p, "搜索词无效") {
		t.Errorf("feed page with six words: status %d", p.Status)
	}
}

// The feed page marks the keyword in each message and escapes the rest.
func TestFeedPageMarksTheKeyword(t *testing.T) {
	w := newSearchWorld(t)
	p := apptest.Get(t, w.Office, "/console/ratings?q="+url.QueryEscape("没人"))
	if p.Status != http.StatusOK || !p.Has("排队太久 &lt;b&gt;<mark>没人</mark>管&lt;/b&gt;") {
		t.Fatalf("feed page: status %d, marked message not found in\n%.3000s", p.Status, p.Body)
	}
}

// The search page: the first hits of each kind with their links; a unit's
// staff see their own unit's only.
func TestSearchPageListsHitsOfTheViewersUnits(t *testing.T) {
	w := newSearchWorld(t)
	p := apptest.Get(t, w.Office, "/console/search?q="+url.QueryEscape("态度"))
	for _, s := range []string{"工作人员<mark>态度</mark>很好", "服务<mark>态度</mark>差", `href="/console/ratings?q=%E6%80%81%E5%BA%A6"`} {
		if p.Status != http.StatusOK || !p.Has(s) {
			t.Fatalf("office's search page: status %d, %q missing", p.Status, s)
		}
	}
	if p.Has("温度") {
		t.Error("office's search page lists 状态不错，温度适宜 for 态度")
	}
	p = apptest.Get(t, w.UnitB, "/console/search?q="+url.QueryEscape("态度"))
	if p.Status != http.StatusOK || !p.Has("服务<mark>态度</mark>差") || p.Has("很好") || p.Has("一般") {
		t.Fatalf("unit B's search page: status %d\n%.3000s", p.Status, apptest.PageText(p.Body))
	}
}

// Direct look-ups: a 办件编号 and a case's number open their record; a
// phone number does for the roles that call back (the office here), among
// ratings sharing its mask only the one with that number, and is not
// looked up for a unit's staff; a unit's staff never reach another
// unit's records.
func TestDirectLookups(t *testing.T) {
	w := newSearchWorld(t)
	cs := fixtures.QRCase(t, w.APIWorld, "13700001111")
	var ratingOf = func(comment string) string {
		var id string
		if err := w.App.Pool.QueryRow(context.Background(), `SELECT id::text FROM ratings WHERE comment = $1`, comment).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	var caseNoRating string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT rating_id::text FROM rating_cases WHERE case_no = 'BJ2026-0042'`).Scan(&caseNoRating); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		who    *apptest.Client
		q      string
		target string // "" for the search page itself
	}{
		{w.Office, "BJ2026-0042", "id=" + caseNoRating},
		{w.UnitUser, "BJ2026-0042", "id=" + caseNoRating},
		{w.UnitB, "BJ2026-0042", ""},
		{w.Office, "#" + apptest.Itoa(cs.ID), "/console/cases/" + apptest.Itoa(cs.ID)},
		{w.UnitUser, "#" + apptest.Itoa(cs.ID), "/console/cases/" + apptest.Itoa(cs.ID)},
		{w.UnitB, "#" + apptest.Itoa(cs.ID), ""},
		{w.Office, "139 1234 5678", "id=" + ratingOf("排队太久 <b>没人管</b>")},
		{w.Office, "13900005678", "id=" + ratingOf("窗口少")},
		{w.UnitUser, "13912345678", ""},
	} {
		p := apptest.Get(t, c.who, "/console/search?q="+url.QueryEscape(c.q))
		loc := p.Location
		switch {
		case c.target == "" && (p.Status != http.StatusOK || p.Has(`id="direct"`)):
			t.Errorf("%s: status %d, location %q; want the search page without a direct hit", c.q, p.Status, loc)
		case c.target != "" && (p.Status != http.StatusSeeOther || !strings.Contains(loc, c.target)):
			t.Errorf("%s: status %d, location %q; want a redirect to %s", c.q, p.Status, loc, c.target)
		}
	}
	// The rating a look-up opens is the feed's one rating.
	p := apptest.Get(t, w.Office, "/console/ratings?id="+ratingOf("窗口少"))
	if p.Status != http.StatusOK || !p.Has("窗口少") || p.Has("态度") || !p.Has(`id="one-rating"`) {
		t.Errorf("feed of one rating: status %d", p.Status)
	}
	// Cases and call-backs by their texts.
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	var problem string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT problem FROM rectification_cases WHERE id = $1`, cs.ID).Scan(&problem); err != nil {
		t.Fatal(err)
	}
	word := string([]rune(problem)[len([]rune(problem))-2:])
	var cases struct {
		Cases []struct {
			ID int64 `json:"id"`
		} `json:"cases"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cases?q="+url.QueryEscape(word), "", "").Decode(t, http.StatusOK, &cases)
	if len(cases.Cases) != 1 || cases.Cases[0].ID != cs.ID {
		t.Errorf("cases q=%s (problem %s): %+v, want case %d", word, problem, cases.Cases, cs.ID)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+apptest.Itoa(cs.ID)+"/callbacks",
		map[string]string{"outcome": "satisfied", "said": "群众说大厅空调修好了"}).Decode(t, http.StatusCreated, nil)
	// Called once, the case has left 待回访 (the list's default) for 已回访.
	for who, want := range map[*apptest.Client]int{w.Office: 1, w.UnitUser: 1, w.UnitB: 0} {
		apptest.APIDo(t, who, "GET", "/api/v1/callbacks?state=called&q="+url.QueryEscape("空调"), "", "").Decode(t, http.StatusOK, &list)
		if len(list.Items) != want {
			t.Errorf("call-backs state=called q=空调: %d, want %d", len(list.Items), want)
		}
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/callbacks?q="+url.QueryEscape("空调"), "", "").Decode(t, http.StatusOK, &list)
	if len(list.Items) != 0 {
		t.Errorf("待回访 q=空调 after the call: %d, want 0", len(list.Items))
	}
	// The search finds the called case in its cases and its call-backs,
	// each list as its own page finds it.
	for who, want := range map[*apptest.Client]int{w.Office: 1, w.UnitUser: 1, w.UnitB: 0} {
		seen := 0
		for _, l := range apiSearch(t, who, "空调").Lists {
			if l.Kind != "cases" && l.Kind != "callbacks" {
				continue
			}
			seen++
			if l.Total != want || len(l.Items) != want || want == 1 && l.Items[0].ID != apptest.Itoa(cs.ID) {
				t.Errorf("search 空调, %s: total %d, items %+v; want %d (case %d)", l.Kind, l.Total, l.Items, want, cs.ID)
			}
		}
		if seen != 2 {
			t.Errorf("search 空调: %d of the cases and call-back lists", seen)
		}
	}
	// One unit's cases are checked case by case (feedback.CaseTextHolds):
	// the same hits as the gram indexes', the problem's and a call-back's
	// words, every term within one text.
	unitCases := func(who *apptest.Client, query string) int {
		t.Helper()
		apptest.APIDo(t, who, "GET", "/api/v1/cases?"+query, "", "").Decode(t, http.StatusOK, &cases)
		return len(cases.Cases)
	}
	qs := func(kw string) string { return url.Values{"q": {kw}}.Encode() }
	for _, c := range []struct {
		who   *apptest.Client
		query string
		want  int
	}{
		{w.UnitUser, qs(word), 1}, {w.UnitB, qs(word), 0},
		{w.UnitUser, qs("空调"), 1}, {w.UnitUser, qs("空调 修好"), 1}, {w.UnitUser, qs("空调 " + word), 0},
		{w.Office, qs("空调") + "&unit_id=" + apptest.Itoa(w.A.ID), 1},
		{w.Office, qs("空调") + "&unit_id=" + apptest.Itoa(w.B.ID), 0},
		{w.Office, qs("空调 " + word), 0},
	} {
		if got := unitCases(c.who, c.query); got != c.want {
			t.Errorf("cases %s: %d, want %d", c.query, got, c.want)
		}
	}
}
