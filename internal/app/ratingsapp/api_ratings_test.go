package ratingsapp_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// feedWorld is an APIWorld on 2026-03-15 10:00 Shanghai time with these
// ratings of unit A: r1 03-01 00:30 level 5, r2 03-01 23:59 level 4,
// r3 03-02 00:00 level 1, r4 02-28 23:59:59 level 2, r5 03-15 09:00 level 3
// (terminal), and a QR rating now at level 5 with a phone number; unit B
// has b1 on 03-01 12:00 at level 5.
func feedWorld(t *testing.T, env map[string]string) *fixtures.APIWorld {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 3, 15, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: env})
	_, tokenA := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "A评价器"})
	_, tokenB := w.CreateTerminal(t, w.B.ID, map[string]any{"name": "B评价器"})
	send := func(token string, items ...map[string]any) {
		var out struct{ Accepted int }
		apptest.APIJSON(t, w.Anon, "POST", "/api/v1/terminal/ratings", map[string]any{"ratings": items}, "Authorization", "Bearer "+token).
			Decode(t, http.StatusOK, &out)
		if out.Accepted != len(items) {
			t.Fatalf("accepted %d of %d", out.Accepted, len(items))
		}
	}
	send(tokenA,
		map[string]any{"id": "r1", "level": 5, "rated_at": "2026-03-01T00:30:00+08:00", "case_no": "BJ-1", "window": "3", "staff_no": "A017"},
		map[string]any{"id": "r2", "level": 4, "rated_at": "2026-03-01T23:59:00+08:00"},
		map[string]any{"id": "r3", "level": 1, "rated_at": "2026-03-02T00:00:00+08:00", "reasons": []string{"等候时间长"}, "comment": "等了一小时"},
		map[string]any{"id": "r4", "level": 2, "rated_at": "2026-02-28T23:59:59+08:00"},
		map[string]any{"id": "r5", "level": 3, "rated_at": "2026-03-15T01:00:00Z"})
	send(tokenB, map[string]any{"id": "b1", "level": 5, "rated_at": "2026-03-01T12:00:00+08:00"})
	if st := fixtures.PostQR(t, w.App, w.A.QR.Code, "phone-1", url.Values{"level": {"5"}, "phone": {"138 1234 5678"}, "comment": {"很好"}}); st != http.StatusSeeOther {
		t.Fatalf("QR rating: status %d, want 303", st)
	}
	return w
}

func TestAPIRatingFeedFilters(t *testing.T) {
	w := feedWorld(t, nil)
	a, b := apptest.Itoa(w.A.ID), apptest.Itoa(w.B.ID)
	tests := []struct {
		query string
		want  string // client ids newest first; "qr" for the QR rating
	}{
		{"", "qr,r5,r3,r2,r1,r4"},
		{"from=2026-03-01&to=2026-03-01", "r2,r1"},
		{"from=2026-03-02", "qr,r5,r3"},
		{"to=2026-02-28", "r4"},
		{"from=2026-02-28&to=2026-02-28", "r4"},
		{"from=2026-03-01T12:00:00%2B08:00&to=2026-03-02T00:00:00%2B08:00", "r2"},
		{"channel=qr", "qr"},
		{"channel=terminal&level=5", "r1"},
		{"level=5", "qr,r1"},
		{"level=1", "r3"},
		{"rate_checked=true", "qr,r5,r3,r2,r1,r4"},
		{"rate_checked=false", ""},
		{"excluded=false", "qr,r5,r3,r2,r1,r4"},
		{"excluded=true", ""},
		{"limit=2", "qr,r5"},
		{"limit=2&offset=2", "r3,r2"},
		{"limit=2&offset=5", "r4"},
		{"offset=6", ""},
		{"unit_id=" + b, "qr,r5,r3,r2,r1,r4"}, // the path's unit wins over unit_id
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			total, names, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?"+tt.query)
			if got := strings.Join(names, ","); got != tt.want {
				t.Errorf("items %q, want %q", got, tt.want)
			}
			if !strings.Contains(tt.query, "limit") && !strings.Contains(tt.query, "offset") && total != len(names) {
				t.Errorf("total %d for %d items", total, len(names))
			}
		})
	}
	// A rating taken while Redis was down is marked and can be found.
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE ratings SET rate_checked = false WHERE client_id = 'r2'`); err != nil {
		t.Fatal(err)
	}
	if _, names, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?rate_checked=false"); strings.Join(names, ",") != "r2" {
		t.Errorf("rate_checked=false lists %v, want [r2]", names)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?rate_checked=1"); total != 5 {
		t.Errorf("rate_checked=1 lists %d, want 5", total)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?limit=2"); total != 6 {
		t.Errorf("total with limit=2 is %d, want all 6 matches", total)
	}
	if _, names, _ := fixtures.Feed(t, w.Office, "/api/v1/ratings?unit_id="+b); strings.Join(names, ",") != "b1" {
		t.Errorf("all-units feed for unit B: %v", names)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/ratings"); total != 7 {
		t.Errorf("office sees %d ratings in all, want 7", total)
	}
	if total, _, items := fixtures.Feed(t, w.UnitUser, "/api/v1/ratings"); total != 6 || items[0].UnitID != w.A.ID {
		t.Errorf("unit user sees %d ratings, want unit A's 6", total)
	}
	if total, _, _ := fixtures.Feed(t, w.UnitUser, "/api/v1/ratings?unit_id="+a+"&level=5"); total != 2 {
		t.Errorf("unit user, own unit, level 5: %d", total)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/ratings?unit_id="+b, "", ""), 403, "forbidden")

	_, _, items := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?channel=terminal&level=5")
	r1 := items[0]
	if r1.Points != 100 || r1.LevelLabel != "非常满意" || r1.UnitName != "市政务服务中心" || r1.TerminalID == nil ||
		r1.CaseNo == nil || *r1.CaseNo != "BJ-1" || r1.Window == nil || *r1.Window != "3" || r1.StaffNo == nil || *r1.StaffNo != "A017" ||
		!r1.RatedAt.Equal(time.Date(2026, 3, 1, 0, 30, 0, 0, apptest.Shanghai)) || !r1.RateChecked || r1.Excluded {
		t.Errorf("r1 shown as %+v", r1)
	}
	_, _, items = fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?level=1")
	if r3 := items[0]; r3.Points != 0 || strings.Join(r3.Reasons, ",") != "等候时间长" || r3.Comment != "等了一小时" {
		t.Errorf("r3 shown as %+v", r3)
	}
}

func TestAPIRatingFeedBadFilters(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	tests := []struct {
		query  string
		fields string
	}{
		{"from=yesterday", "from"},
		{"from=2026-3-1", "from"},
		{"to=2026-02-30", "to"},
		{"to=2026-03-01T25:00:00Z", "to"},
		{"from=2026-03-02&to=2026-03-01", "to"},
		{"channel=sms", "channel"},
		{"channel=QR", "channel"},
		{"level=0", "level"},
		{"level=6", "level"},
		{"level=five", "level"},
		{"unit_id=abc", "unit_id"},
		{"unit_id=0", "unit_id"},
		{"unit_id=-3", "unit_id"},
		{"excluded=maybe", "excluded"},
		{"rate_checked=2", "rate_checked"},
		{"limit=0", "limit"},
		{"limit=501", "limit"},
		{"limit=ten", "limit"},
		{"offset=-1", "offset"},
		{"offset=x", "offset"},
		{"from=x&channel=sms&level=9&limit=0", "channel,from,level,limit"},
	}
	for _, tt := range tests {
		for _, path := range []string{"/api/v1/ratings?", "/api/v1/units/" + apptest.Itoa(w.A.ID) + "/ratings?"} {
			t.Run(path+tt.query, func(t *testing.T) {
				apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "GET", path+tt.query, "", ""), 422, "invalid", strings.Split(tt.fields, ",")...)
			})
		}
	}
}

func TestAPIExcludeAndRestore(t *testing.T) {
	w := feedWorld(t, nil)
	a := apptest.Itoa(w.A.ID)
	_, _, items := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?level=1")
	r3 := items[0].ID
	exclude := "/api/v1/ratings/" + r3 + "/exclude"
	bad := append([]apptest.APIBodyCase{
		{Name: "missing reason", ContentType: "application/json", Body: `{}`, Fields: []string{"reason"}},
		{Name: "blank reason", ContentType: "application/json", Body: `{"reason":"   "}`, Fields: []string{"reason"}},
		{Name: "reason a number", ContentType: "application/json", Body: `{"reason":5}`, Fields: []string{"reason"}},
		{Name: "reason 201 runes", ContentType: "application/json", Body: `{"reason":"` + strings.Repeat("刷", 201) + `"}`, Fields: []string{"reason"}},
	}, apptest.APIBadBodies...)
	for _, tt := range bad {
		t.Run(tt.Name, func(t *testing.T) {
			apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", exclude, tt.ContentType, tt.Body), 422, "invalid", tt.Fields...)
		})
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/ratings?excluded=true"); total != 0 {
		t.Fatalf("refused exclusions excluded %d ratings", total)
	}
	var r fixtures.Rating
	apptest.APIJSON(t, w.Office, "POST", exclude, map[string]string{"reason": "工作人员自评"}).Decode(t, http.StatusOK, &r)
	if !r.Excluded || r.ExcludeReason == nil || *r.ExcludeReason != "工作人员自评" || r.ExcludedBy == nil || *r.ExcludedBy != "office1" {
		t.Errorf("excluded rating %+v", r)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", exclude, map[string]string{"reason": "再次"}), 409, "conflict")
	if _, names, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?excluded=true"); strings.Join(names, ",") != "r3" {
		t.Errorf("excluded=true lists %v, want [r3]", names)
	}
	if total, _, _ := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?excluded=false"); total != 5 {
		t.Errorf("excluded=false lists %d, want 5", total)
	}
	_, _, seen := fixtures.Feed(t, w.UnitUser, "/api/v1/units/"+a+"/ratings?excluded=true")
	if len(seen) != 1 || seen[0].ExcludeReason == nil {
		t.Errorf("the unit cannot see what was excluded and why: %+v", seen)
	}
	restore := "/api/v1/ratings/" + r3 + "/restore"
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", restore, "", ""), 422, "invalid")
	apptest.APIDo(t, w.Office, "POST", restore, "application/json", "{}").Decode(t, http.StatusOK, &r)
	if r.Excluded || r.ExcludeReason != nil || r.ExcludedBy != nil {
		t.Errorf("restored rating %+v", r)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.Office, "POST", restore, "application/json", "{}"), 409, "conflict")

	var log struct {
		Items []struct {
			Action, Actor string
			Before, After struct {
				Excluded bool    `json:"excluded"`
				Reason   *string `json:"exclude_reason"`
			}
		}
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/audit?entity=rating&entity_id="+r3, "", "").Decode(t, http.StatusOK, &log)
	if len(log.Items) != 2 {
		t.Fatalf("%d audit entries for the rating, want exclude and restore", len(log.Items))
	}
	rs, ex := log.Items[0], log.Items[1]
	if ex.Action != "rating.exclude" || ex.Actor != "office1" || ex.Before.Excluded || !ex.After.Excluded || ex.After.Reason == nil {
		t.Errorf("exclude entry %+v", ex)
	}
	if rs.Action != "rating.restore" || !rs.Before.Excluded || rs.Before.Reason == nil || rs.After.Excluded {
		t.Errorf("restore entry %+v", rs)
	}
}

func TestAPIStatsSkipExcluded(t *testing.T) {
	w := feedWorld(t, nil)
	a := apptest.Itoa(w.A.ID)
	type period struct {
		Count int     `json:"count"`
		Mean  float64 `json:"mean_points"`
	}
	var st struct {
		UnitID             int64 `json:"unit_id"`
		Today, Month, Year period
	}
	stats := func(c *apptest.Client) {
		t.Helper()
		apptest.APIDo(t, c, "GET", "/api/v1/units/"+a+"/stats", "", "").Decode(t, http.StatusOK, &st)
	}
	stats(w.UnitUser)
	// Today r5 (60) and the QR rating (100); this month also r1 (100), r2
	// (80), r3 (0); this year also r4 (30).
	if st.UnitID != w.A.ID || st.Today != (period{2, 80}) || st.Month != (period{5, 68}) || st.Year.Count != 6 ||
		st.Year.Mean < 61.66 || st.Year.Mean > 61.67 {
		t.Errorf("stats %+v", st)
	}
	_, _, items := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?level=1")
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/ratings/"+items[0].ID+"/exclude", map[string]string{"reason": "恶意评价"}).Decode(t, http.StatusOK, nil)
	stats(w.Office)
	if st.Today != (period{2, 80}) || st.Month != (period{4, 85}) || st.Year != (period{5, 74}) {
		t.Errorf("stats after excluding r3: %+v", st)
	}
	var empty struct {
		UnitID int64 `json:"unit_id"`
		Today  period
		Year   period
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/units/"+apptest.Itoa(w.B.ID)+"/stats", "", "").Decode(t, http.StatusOK, &empty)
	if empty.UnitID != w.B.ID || empty.Today.Count != 0 || empty.Year.Count != 1 || empty.Year.Mean != 100 {
		t.Errorf("unit B stats %+v", empty)
	}
}

func TestAPIPhonesAndClientAddresses(t *testing.T) {
	w := feedWorld(t, nil)
	a := apptest.Itoa(w.A.ID)
	_, _, office := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?channel=qr")
	_, _, unit := fixtures.Feed(t, w.UnitUser, "/api/v1/units/"+a+"/ratings?channel=qr")
	if office[0].Phone != "13812345678" {
		t.Errorf("office sees phone %q, want it in full", office[0].Phone)
	}
	if unit[0].Phone != "138****5678" {
		t.Errorf("unit user sees phone %q, want 138****5678", unit[0].Phone)
	}
	_, _, others := fixtures.Feed(t, w.Office, "/api/v1/units/"+a+"/ratings?channel=terminal")
	for _, r := range others {
		if r.Phone != "" {
			t.Errorf("rating without phone shows %q", r.Phone)
		}
	}
	r := apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/units/"+a+"/ratings", "", "")
	if bytes.Contains(r.Body, []byte("13812345678")) || bytes.Contains(r.Body, []byte("phone_enc")) || bytes.Contains(r.Body, []byte("client_hash")) {
		t.Errorf("unit feed leaks the phone or hashes: %s", r.Body)
	}

	var enc, hash []byte
	var mask string
	err := w.App.Pool.QueryRow(context.Background(), `SELECT phone_enc, phone_mask, client_hash FROM ratings WHERE channel = 'qr'`).
		Scan(&enc, &mask, &hash)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) == 0 || bytes.Contains(enc, []byte("13812345678")) || bytes.Contains(enc, []byte("5678")) {
		t.Errorf("phone_enc %x holds the number in plain", enc)
	}
	if got, err := w.App.Keys.Decrypt(enc); err != nil || got != "13812345678" {
		t.Errorf("phone_enc decrypts to %q, %v", got, err)
	}
	if mask != "138****5678" {
		t.Errorf("phone_mask %q", mask)
	}
	if len(hash) != 32 || bytes.Contains(hash, []byte("127.0.0.1")) || bytes.Equal(hash, []byte{127, 0, 0, 1}) ||
		!bytes.Equal(hash, w.App.Keys.Hash("client", "127.0.0.1")) {
		t.Errorf("client_hash %x is not the keyed hash of the address", hash)
	}
	var raw int
	w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM ratings WHERE client_hash::text LIKE '%127.0.0.1%'
		OR convert_from(coalesce(client_hash, ''), 'SQL_ASCII') LIKE '%127.0.0.1%'`).Scan(&raw) //nolint:errcheck
	if raw != 0 {
		t.Error("a rating stores the raw client address")
	}
}

func TestAPIPhonesForCallbackRoles(t *testing.T) {
	w := feedWorld(t, map[string]string{"CALLBACK_ROLES": "office,unit"})
	_, _, unit := fixtures.Feed(t, w.UnitUser, "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/ratings?channel=qr")
	if unit[0].Phone != "13812345678" {
		t.Errorf("with CALLBACK_ROLES=office,unit the unit user sees %q, want the full number", unit[0].Phone)
	}
	w = feedWorld(t, map[string]string{"CALLBACK_ROLES": "unit"})
	_, _, office := fixtures.Feed(t, w.Office, "/api/v1/units/"+apptest.Itoa(w.A.ID)+"/ratings?channel=qr")
	if office[0].Phone != "138****5678" {
		t.Errorf("with CALLBACK_ROLES=unit the office sees %q, want the mask", office[0].Phone)
	}
}
