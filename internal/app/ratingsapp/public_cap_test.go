package ratingsapp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// capState counts the unit's ratings: counted, and held (stored excluded,
// awaiting the office).
func capState(t *testing.T, f *fixtures.PubFixture, unitID int64) string {
	t.Helper()
	var counted, held int
	err := f.App.Pool.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE NOT excluded),
		count(*) FILTER (WHERE held AND excluded) FROM ratings WHERE unit_id = $1`, unitID).Scan(&counted, &held)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d counted, %d held", counted, held)
}

// rateFrom posts a 非常满意 from a new phone at the address (through the
// trusted loopback proxy; "" posts from loopback itself).
func rateFrom(t *testing.T, f *fixtures.PubFixture, code, addr string, form url.Values) {
	t.Helper()
	d := f.Device(fmt.Sprintf("%s-%d", addr, time.Now().UnixNano()))
	if addr != "" {
		d.Headers["X-Forwarded-For"] = addr
	}
	if form == nil {
		form = fixtures.RatingForm("5")
	}
	res, body := d.Rate(t, code, form)
	fixtures.WantThanks(t, res, body)
}

// dayCounts is the unit's count for the local day of at from the daily
// aggregate, checked against the count straight from the ratings.
func dayCounts(t *testing.T, f *fixtures.PubFixture, unitID int64, at time.Time) int64 {
	t.Helper()
	day := at.In(f.App.Config.Location).Format(time.DateOnly)
	ctx := context.Background()
	got, err := ratings.DailyLevelCounts(ctx, f.App.Pool, day, day, f.App.Config.Location, []int64{unitID})
	if err != nil {
		t.Fatal(err)
	}
	want, err := ratings.DirectLevelCounts(ctx, f.App.Pool, day, day, f.App.Config.Location, []int64{unitID})
	if err != nil {
		t.Fatal(err)
	}
	if got[unitID] != want[unitID] {
		t.Fatalf("daily aggregate %v, the ratings say %v", got[unitID], want[unitID])
	}
	return got[unitID].Total()
}

type apiHoldGroup struct {
	Key, Address, Day string
	Pending, Counted  int
	NotCounted        int       `json:"not_counted"`
	DailyCap          int       `json:"daily_cap"`
	NetworkName       *string   `json:"network_name"`
	LastAt            time.Time `json:"last_at"`
}

// holdGroups lists the groups of held ratings through the API, by address.
func holdGroups(t *testing.T, f *fixtures.PubFixture, query string) map[string]apiHoldGroup {
	t.Helper()
	var out struct {
		Total int
		Items []apiHoldGroup
	}
	if res := f.Office.JSON(t, "GET", "/api/v1/feedback/held?"+query, nil, &out); res.StatusCode != http.StatusOK {
		t.Fatalf("held groups: status %d", res.StatusCode)
	}
	m := map[string]apiHoldGroup{}
	for _, g := range out.Items {
		m[g.Address] = g
	}
	return m
}

func TestDailyCapHoldsRatingsBeyondTheCapUntilTheOfficeDecides(t *testing.T) {
	// The ratings arrive two days ago, so that their day is rolled into
	// the daily aggregate before the office decides.
	ago := 48 * time.Hour
	f := fixtures.NewPubFixture(t, apptest.Options{Now: func() time.Time { return time.Now().Add(-ago) },
		Env: map[string]string{"RATE_PUBLIC_DAILY_PER_ADDRESS": "3", "TRUSTED_PROXIES": "127.0.0.1"}})
	unitUser := "unit1"
	f.App.AddUser(t, unitUser, "unit-pass-1", "unit", &f.UnitID)
	// One address, a new phone (cookie and User-Agent) each time: the first
	// three count, the other two are stored and held. An IPv6 /64 is one
	// address however its phones vary the rest.
	for range 5 {
		rateFrom(t, f, f.Code, "203.0.113.7", nil)
	}
	for i := range 4 {
		rateFrom(t, f, f.Code, "2001:db8:1:2::"+strconv.Itoa(i+1), fixtures.RatingForm("1", "reasons", "服务态度差"))
	}
	rateFrom(t, f, f.Code, "198.51.100.1", nil)
	if got := capState(t, f, f.UnitID); got != "7 counted, 3 held" {
		t.Fatalf("%s, want 7 counted (3 + 3 + 1) and 3 held", got)
	}
	var stats struct{ Today struct{ Count int } }
	if res := f.Office.JSON(t, "GET", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/stats", nil, &stats); res.StatusCode != http.StatusOK || stats.Today.Count != 7 {
		t.Fatalf("stats: status %d, today %d, want 7", res.StatusCode, stats.Today.Count)
	}
	if _, err := ratings.RollUp(context.Background(), f.App.Pool, time.Now(), f.App.Config.Location); err != nil {
		t.Fatal(err)
	}
	when := time.Now().Add(-ago)
	if n := dayCounts(t, f, f.UnitID, when); n != 7 {
		t.Fatalf("the day counts %d, want 7", n)
	}

	// The feed shows them held, and filters them; a unit sees that they
	// are held, never from where.
	var feed struct {
		Total int
		Items []struct {
			Held, Excluded bool
			ExcludeReason  string `json:"exclude_reason"`
		}
	}
	if res := f.Office.JSON(t, "GET", "/api/v1/ratings?held=true", nil, &feed); res.StatusCode != http.StatusOK || feed.Total != 3 ||
		!feed.Items[0].Held || !feed.Items[0].Excluded || feed.Items[0].ExcludeReason != ratings.HeldReasonAddress {
		t.Fatalf("held=true: status %d, %+v", res.StatusCode, feed)
	}
	office := apptest.SignedIn(t, f.App, "office1", "office-pass-1")
	if p := apptest.Get(t, office, "/console/ratings?held=true"); p.Status != http.StatusOK || !p.Has("暂不计分") ||
		!p.Has(ratings.HeldReasonAddress) || !p.Has("计入得分") || strings.Count(p.Body, `class="tag tag-warn">暂不计分`) != 3 {
		t.Fatalf("office feed of held ratings: %d %.300s", p.Status, p.Body)
	}
	unit := apptest.SignedIn(t, f.App, unitUser, "unit-pass-1")
	if p := apptest.Get(t, unit, "/console/ratings"); p.Status != http.StatusOK || !p.Has("暂不计分") || p.Has("203.0.113.7") || p.Has("2001:db8") {
		t.Fatalf("unit feed: %d", p.Status)
	}
	if p := apptest.Get(t, unit, "/console/feedback"); p.Status != http.StatusForbidden {
		t.Fatalf("unit user on the review queue: %d", p.Status)
	}

	// The review queue groups them by unit, day and address.
	groups := holdGroups(t, f, "")
	a, b := groups["203.0.113.7"], groups["2001:db8:1:2::/64"]
	if len(groups) != 2 || a.Pending != 2 || a.DailyCap != 3 || b.Pending != 1 {
		t.Fatalf("held groups %+v", groups)
	}
	p := apptest.Get(t, office, "/console/feedback")
	if p.Status != http.StatusOK || !p.Has(`id="held"`) || !p.Has("地址 203.0.113.7") || !p.Has("地址 2001:db8:1:2::/64") ||
		!p.Has("非常满意 2") || !p.Has("/console/feedback/held/"+a.Key+"/decide") {
		t.Fatalf("queue page: %d %.600s", p.Status, p.Body)
	}

	// Counting a group puts it into the score, exactly.
	until := a.LastAt.Format(time.RFC3339Nano)
	if p := apptest.Post(t, office, "/console/feedback/held/"+a.Key+"/decide", url.Values{"decision": {"count"}, "until": {until}}); p.Status != http.StatusSeeOther {
		t.Fatalf("count: %d %.300s", p.Status, p.Body)
	}
	if got := capState(t, f, f.UnitID); got != "9 counted, 1 held" {
		t.Fatalf("after counting: %s", got)
	}
	if n := dayCounts(t, f, f.UnitID, when); n != 9 {
		t.Fatalf("the day counts %d after counting, want 9", n)
	}
	// Not counting needs a reason; the page says so next to the group.
	p = apptest.Post(t, office, "/console/feedback/held/"+b.Key+"/decide", url.Values{"decision": {"not_count"}, "reason": {" "}})
	if p.Status != http.StatusUnprocessableEntity || !p.Has("请填写不计入的理由") {
		t.Fatalf("no reason: %d %.300s", p.Status, p.Body)
	}
	var res struct{ Settled int }
	if r := f.Office.JSON(t, "POST", "/api/v1/feedback/held/"+b.Key+"/not-count", map[string]string{"reason": "同一网段连续差评"}, &res); r.StatusCode != http.StatusOK || res.Settled != 1 {
		t.Fatalf("not count: %d %+v", r.StatusCode, res)
	}
	var e apptest.APIError
	if r := f.Office.JSON(t, "POST", "/api/v1/feedback/held/"+b.Key+"/count", map[string]string{}, &e); r.StatusCode != http.StatusConflict || e.Error.Code != "conflict" {
		t.Fatalf("deciding again: %d %+v", r.StatusCode, e)
	}
	if got := capState(t, f, f.UnitID); got != "9 counted, 0 held" {
		t.Fatalf("after not counting: %s", got)
	}
	if n := dayCounts(t, f, f.UnitID, when); n != 9 {
		t.Fatalf("the day counts %d after not counting, want 9", n)
	}
	if g := holdGroups(t, f, "status=decided")["2001:db8:1:2::/64"]; g.NotCounted != 1 || g.Pending != 0 {
		t.Fatalf("decided group %+v", g)
	}
	if r := unit.JSON(t, "GET", "/api/v1/feedback/held", nil, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("unit user on held groups: %d", r.StatusCode)
	}
}

func TestDailyCapOfHallNetworks(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_DAILY_PER_ADDRESS": "2", "TRUSTED_PROXIES": "127.0.0.1"}})
	f.App.AddUser(t, "unit1", "unit-pass-1", "unit", &f.UnitID)
	var point struct {
		ID int64
		QR struct{ Code string }
	}
	if res := f.Office.JSON(t, "POST", "/api/v1/units/"+apptest.Itoa(f.UnitID)+"/points", map[string]string{"name": "一楼大厅", "kind": "hall"}, &point); res.StatusCode != http.StatusCreated {
		t.Fatalf("create point: %d", res.StatusCode)
	}
	// Registering: bad input is refused with Chinese messages per field.
	var e apptest.APIError
	path := "/api/v1/units/" + apptest.Itoa(f.UnitID) + "/networks"
	if res := f.Office.JSON(t, "POST", path, map[string]any{"network": "10.0.0.0/8", "daily_cap": 0}, &e); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(e.Error.Fields["network"], "网段过大") || !strings.Contains(e.Error.Fields["daily_cap"], "每日上限") {
		t.Fatalf("bad network: %d %+v", res.StatusCode, e)
	}
	unit := f.App.Client()
	unit.SignIn(t, "unit1", "unit-pass-1")
	if res := unit.JSON(t, "GET", path, nil, nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a unit listed its networks: %d", res.StatusCode)
	}
	var whole struct {
		ID      int64
		Network string
	}
	if res := f.Office.JSON(t, "POST", path, map[string]any{"network": "198.51.100.9/24", "daily_cap": 4, "name": "中心 Wi-Fi"}, &whole); res.StatusCode != http.StatusCreated || whole.Network != "198.51.100.0/24" {
		t.Fatalf("unit network: %d %+v", res.StatusCode, whole)
	}
	// The hall's network through the unit's page.
	office := apptest.SignedIn(t, f.App, "office1", "office-pass-1")
	page := "/console/units/" + apptest.Itoa(f.UnitID) + "/networks"
	if p := apptest.Post(t, office, page, url.Values{"network": {"203.0.113.0/33"}, "daily_cap": {"很多"}, "point_id": {apptest.Itoa(point.ID)}}); p.Status != http.StatusUnprocessableEntity ||
		!p.Has("网络地址格式不正确") || !p.Has("每日上限须为 1 到 100000 之间的整数") {
		t.Fatalf("bad console form: %d %.300s", p.Status, p.Body)
	}
	if p := apptest.Post(t, office, page, url.Values{"network": {"203.0.113.0/24"}, "daily_cap": {"3"}, "point_id": {apptest.Itoa(point.ID)}, "name": {"大厅 Wi-Fi"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("console form: %d %.300s", p.Status, p.Body)
	}
	if p := apptest.Get(t, office, "/console/units/"+apptest.Itoa(f.UnitID)); !p.Has("198.51.100.0/24") || !p.Has("203.0.113.0/24") || !p.Has("一楼大厅") {
		t.Fatalf("unit page lacks its networks: %.300s", p.Body)
	}
	if p := apptest.Get(t, unit, "/console/units/"+apptest.Itoa(f.UnitID)); p.Has("198.51.100.0/24") || p.Has(`id="networks"`) {
		t.Fatal("a unit user sees the networks")
	}

	// The unit's network: five addresses share its cap of four.
	for i := range 5 {
		rateFrom(t, f, f.Code, "198.51.100."+strconv.Itoa(i+1), nil)
	}
	if got := capState(t, f, f.UnitID); got != "4 counted, 1 held" {
		t.Fatalf("unit network: %s", got)
	}
	// The hall's network applies to the hall's code only: three of four
	// count there, while the same addresses at the unit's code each have
	// their own per-address cap of two.
	for i := range 4 {
		rateFrom(t, f, point.QR.Code, "203.0.113."+strconv.Itoa(i+1), nil)
		rateFrom(t, f, f.Code, "203.0.113."+strconv.Itoa(i+1), nil)
	}
	if got := capState(t, f, f.UnitID); got != "11 counted, 2 held" {
		t.Fatalf("hall network: %s", got)
	}
	groups := holdGroups(t, f, "")
	if g := groups["203.0.113.0/24"]; g.Pending != 1 || g.DailyCap != 3 || g.NetworkName == nil || *g.NetworkName != "大厅 Wi-Fi" {
		t.Fatalf("hall network's group: %+v", groups)
	}
	if p := apptest.Get(t, office, "/console/feedback"); !p.Has("登记网络“大厅 Wi-Fi” 203.0.113.0/24") || !p.Has("登记网络“中心 Wi-Fi” 198.51.100.0/24") {
		t.Fatalf("queue page lacks the networks' groups: %.600s", p.Body)
	}
	var held string
	if err := f.App.Pool.QueryRow(context.Background(), `SELECT exclude_reason FROM ratings WHERE held LIMIT 1`).Scan(&held); err != nil || held != ratings.HeldReasonNetwork {
		t.Fatalf("held rating's reason %q (%v)", held, err)
	}

	// Raising the cap through the API applies to the next rating at once.
	if res := f.Office.JSON(t, "PATCH", "/api/v1/networks/"+apptest.Itoa(whole.ID), map[string]any{"daily_cap": 10}, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("patch: %d", res.StatusCode)
	}
	rateFrom(t, f, f.Code, "198.51.100.77", nil)
	if got := capState(t, f, f.UnitID); got != "12 counted, 2 held" {
		t.Fatalf("after raising the cap: %s", got)
	}
	// Deleted, its addresses have the per-address cap again.
	if res := f.Office.JSON(t, "DELETE", "/api/v1/networks/"+apptest.Itoa(whole.ID), nil, nil); res.StatusCode != http.StatusOK {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	for range 3 {
		rateFrom(t, f, f.Code, "198.51.100.1", nil)
	}
	if got := capState(t, f, f.UnitID); got != "14 counted, 3 held" {
		t.Fatalf("after deleting the network: %s", got)
	}
}

func TestDailyCapCountsARetriedFormOnce(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_DAILY_PER_ADDRESS": "2"}})
	// The same form sent again from another phone (a new cookie and
	// User-Agent, so the once-a-day rule does not stop it) is a duplicate:
	// it counts nothing, and the address's second rating still counts.
	rateFrom(t, f, f.Code, "", fixtures.RatingForm("5", "token", "form-token-1"))
	rateFrom(t, f, f.Code, "", fixtures.RatingForm("5", "token", "form-token-1"))
	if n := f.Stored(t, f.UnitID); n != 1 {
		t.Fatalf("stored %d ratings for one form", n)
	}
	rateFrom(t, f, f.Code, "", fixtures.RatingForm("4", "token", "form-token-2"))
	rateFrom(t, f, f.Code, "", fixtures.RatingForm("4", "token", "form-token-3"))
	if got := capState(t, f, f.UnitID); got != "2 counted, 1 held" {
		t.Fatalf("%s, want 2 counted and 1 held", got)
	}
}

func TestDailyCapHoldsUnderConcurrentPosts(t *testing.T) {
	f := fixtures.NewPubFixture(t, apptest.Options{Env: map[string]string{"RATE_PUBLIC_DAILY_PER_ADDRESS": "3"}})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rateFrom(t, f, f.Code, "", nil)
		}()
	}
	wg.Wait()
	if got := capState(t, f, f.UnitID); got != "3 counted, 13 held" {
		t.Fatalf("%s, want 3 counted and 13 held", got)
	}
}

func TestDailyCapHoldsWithRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 200 * time.Millisecond, WriteTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	f := fixtures.NewPubFixture(t, apptest.Options{Redis: rdb, Env: map[string]string{"RATE_PUBLIC_DAILY_PER_ADDRESS": "2"}})
	for range 4 {
		rateFrom(t, f, f.Code, "", nil)
	}
	if got := capState(t, f, f.UnitID); got != "2 counted, 2 held" {
		t.Fatalf("%s, want 2 counted and 2 held", got)
	}
}
