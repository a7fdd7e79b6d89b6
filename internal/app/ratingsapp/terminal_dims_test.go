package ratingsapp_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minyi/internal/ratings"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// dimsRow is what a stored rating carries of the record's dimensions.
type dimsRow struct {
	item, stage, eva string
	pf, applicant    int
	codes            []string
}

func storedDims(t *testing.T, w *fixtures.APIWorld, clientID string) dimsRow {
	t.Helper()
	var d dimsRow
	var pf, app *int16
	var item, stage, eva *string
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT item_code, stage, `+ratings.PFSQL("r")+`, pf,
		coalesce(reason_codes, '{}'), eva_version, applicant_type FROM ratings r WHERE client_id = $1`, clientID).
		Scan(&item, &stage, &d.pf, &pf, &d.codes, &eva, &app); err != nil {
		t.Fatalf("rating %s: %v", clientID, err)
	}
	deref := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	d.item, d.stage, d.eva = deref(item), deref(stage), deref(eva)
	if app != nil {
		d.applicant = int(*app)
	}
	return d
}

func TestTerminalDimensionsAndStages(t *testing.T) {
	clock := apptest.NewClock(time.Date(2026, 3, 15, 10, 0, 0, 0, apptest.Shanghai))
	w := fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: map[string]string{"TERMINAL_MAX_AGE": "48h"}})
	_, token := w.CreateTerminal(t, w.A.ID, map[string]any{"name": "1号评价器"})
	ctx := context.Background()
	if _, err := w.App.Pool.Exec(ctx, `INSERT INTO service_items (unit_id, code, name, online) VALUES
		($1, 'SX-1', '企业设立登记', false), ($1, 'SX-OLD', '旧事项', false), ($1, 'SX-NET', '网上申报', true),
		($2, 'SX-B', '乙单位事项', false)`, w.A.ID, w.B.ID); err != nil {
		t.Fatal(err)
	}
	// SX-OLD was retired an hour ago.
	if _, err := w.App.Pool.Exec(ctx, `UPDATE service_items SET retired_at = $1 WHERE code = 'SX-OLD'`,
		clock.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	at := func(d time.Duration) string { return clock.Now().Add(d).Format(time.RFC3339) }
	out := termPost(t, w, token,
		map[string]any{"id": "d-1", "level": 5, "case_no": "BJ-9", "stage": "1", "item_code": "SX-1", "applicant_type": 2},
		map[string]any{"id": "d-2", "level": 1, "case_no": "BJ-9", "stage": "3", "item_code": "SX-1", "pf": 5,
			"reasons": []string{"服务态度差", "其他"}, "reason_codes": []string{"101"}},
		map[string]any{"id": "d-3", "level": 4, "case_no": "BJ-9", "stage": "1"},
		map[string]any{"id": "d-4", "level": 4, "item_code": "NOPE"},
		map[string]any{"id": "d-5", "level": 4, "item_code": "SX-B"},
		map[string]any{"id": "d-6", "level": 4, "stage": "9"},
		map[string]any{"id": "d-7", "level": 4, "pf": 3},
		map[string]any{"id": "d-8", "level": 4, "applicant_type": 7, "reason_codes": []string{"999"}},
		map[string]any{"id": "d-9", "level": 4, "item_code": "SX-OLD"},
		map[string]any{"id": "d-10", "level": 4, "item_code": "SX-OLD", "rated_at": at(-2 * time.Hour)},
		map[string]any{"id": "d-11", "level": 2, "item_code": "SX-NET", "reasons": []string{"办事效率低"}},
		map[string]any{"id": "d-12", "level": 5, "case_no": "BJ-9"},
		map[string]any{"id": "d-13", "level": 5, "case_no": "BJ-9"},
	)
	want := "d-1:created d-2:created d-3:rejected:case_conflict:case_no d-4:rejected:invalid:item_code " +
		"d-5:rejected:invalid:item_code d-6:rejected:invalid:stage d-7:rejected:invalid:pf"
	if got := out.Summary(); !strings.HasPrefix(got, want) {
		t.Fatalf("results\n%s\nwant prefix\n%s", got, want)
	}
	byID := map[string]int{}
	for i, r := range out.Results {
		byID[r.ID] = i
	}
	r8 := out.Results[byID["d-8"]]
	if r8.Fields["applicant_type"] == "" || r8.Fields["reason_codes"] == "" {
		t.Errorf("d-8: %+v", r8)
	}
	if r := out.Results[byID["d-4"]]; !strings.Contains(r.Fields["item_code"], "NOPE") {
		t.Errorf("unknown item message: %q", r.Fields["item_code"])
	}
	for id, status := range map[string]string{"d-9": "rejected", "d-10": "created", "d-11": "created", "d-12": "created", "d-13": "rejected"} {
		if got := out.Results[byID[id]].Status; got != status {
			t.Errorf("%s: %s, want %s", id, got, status)
		}
	}
	if e := out.Results[byID["d-13"]].Error; e != "case_conflict" {
		t.Errorf("d-13: a second rating of the case without a stage: %s", e)
	}

	d1 := storedDims(t, w, "d-1")
	if d1.item != "SX-1" || d1.stage != "1" || d1.pf != 4 || d1.applicant != 2 || d1.eva != ratings.EvaVersion || len(d1.codes) != 0 {
		t.Errorf("d-1 stored %+v", d1)
	}
	d2 := storedDims(t, w, "d-2")
	if d2.pf != 5 || strings.Join(d2.codes, ",") != "101,103" {
		t.Errorf("d-2 stored %+v, want pf 5 and codes 101 (sent) and 103 (服务态度差)", d2)
	}
	if d11 := storedDims(t, w, "d-11"); strings.Join(d11.codes, ",") != "201" {
		t.Errorf("d-11 (online item) stored %+v, want code 201", d11)
	}

	// Replays stay idempotent by id; another stage of the case is taken.
	again := termPost(t, w, token,
		map[string]any{"id": "d-1", "level": 5, "case_no": "BJ-9", "stage": "1", "item_code": "SX-1"},
		map[string]any{"id": "d-14", "level": 3, "case_no": "BJ-9", "stage": "2"},
		map[string]any{"id": "d-15", "level": 3, "case_no": "BJ-9", "stage": "2"},
	)
	if got := again.Summary(); got != "d-1:duplicate d-14:created d-15:rejected:case_conflict:case_no" {
		t.Errorf("replay: %s", got)
	}
	var cases int
	if err := w.App.Pool.QueryRow(ctx, `SELECT count(*) FROM rating_cases WHERE unit_id = $1 AND case_no = 'BJ-9'`, w.A.ID).Scan(&cases); err != nil || cases != 4 {
		t.Errorf("rating_cases of BJ-9: %d (%v), want 4 (no stage, 接件, 受理, 办结)", cases, err)
	}
}

func TestOldRatingsReadTheirChannelCode(t *testing.T) {
	w := fixtures.NewAPIWorld(t, apptest.Options{})
	ctx := context.Background()
	// Rows as stored before migration 0082: no pf.
	if _, err := w.App.Pool.Exec(ctx, `INSERT INTO ratings (id, rated_at, channel, unit_id, level, points, client_id)
		VALUES (gen_random_uuid(), now(), 'qr', $1, 5, 100, 'old-qr'), (gen_random_uuid(), now(), 'terminal', $1, 5, 100, 'old-term')`,
		w.A.ID); err != nil {
		t.Fatal(err)
	}
	if d := storedDims(t, w, "old-qr"); d.pf != 3 {
		t.Errorf("old QR rating reads pf %d, want 3", d.pf)
	}
	if d := storedDims(t, w, "old-term"); d.pf != 4 {
		t.Errorf("old terminal rating reads pf %d, want 4", d.pf)
	}
	if ratings.PFOf(nil, ratings.ChannelQR) != 3 || ratings.PFOf(nil, ratings.ChannelTerminal) != 4 {
		t.Error("PFOf disagrees with PFSQL")
	}
}
