package resultsapp_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"minyi/internal/results"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
	"minyi/internal/todos"
)

type receiptsReply struct {
	Summary results.ReceiptSummary `json:"summary"`
	Items   []results.UnitReceipt  `json:"items"`
}

// receiptWorld publishes the preliminary results of a cycle of three units
// (A and B of the fixtures, C with its own account) on Monday 28 September
// 2026, before the National Day holidays, and returns the clock's setter.
func receiptWorld(t *testing.T) (w *fixtures.APIWorld, unitC *apptest.Client, c fixtures.UnitReply, base string, setNow func(time.Time)) {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	var mu sync.Mutex
	now := time.Date(2026, 9, 28, 10, 0, 0, 0, loc)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	setNow = func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	w = fixtures.NewAPIWorld(t, apptest.Options{Now: clock})
	c = w.CreateUnit(t, "市公安局", "社会服务类")
	w.App.AddUser(t, "unit-c", "unit-pass-3", "unit", &c.ID)
	unitC = w.App.Client()
	unitC.SignIn(t, "unit-c", "unit-pass-3")
	cy := w.CreateCycle(t, "2026年度", 2026, nil)
	base = "/api/v1/cycles/" + apptest.Itoa(cy.ID) + "/results"
	tree := map[string]any{"key": "total", "name": "综合", "kind": "sum", "children": []map[string]any{
		{"key": "work", "name": "工作实绩", "kind": "manual", "max": 100, "assessor": map[string]any{"name": "市考评办"}}}}
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cycles/"+apptest.Itoa(cy.ID)+"/scheme", map[string]any{"tree": tree}).Decode(t, http.StatusCreated, nil)
	for unit, pts := range map[int64]float64{w.A.ID: 91, w.B.ID: 75, c.ID: 88.5} {
		if _, err := w.App.Pool.Exec(context.Background(), `INSERT INTO assessment_entries (cycle_id, unit_id, leaf_key, points)
			VALUES ($1, $2, 'work', $3)`, cy.ID, unit, pts); err != nil {
			t.Fatal(err)
		}
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/preliminary", map[string]any{}).Decode(t, http.StatusCreated, nil)
	return w, unitC, c, base, setNow
}

func auditCount(t *testing.T, w *fixtures.APIWorld, action string) int {
	t.Helper()
	var n int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = $1`, action).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAPIReceipts covers signing (idempotent, only the own unit), the
// office's record of a paper delivery (bad input refused, nothing
// changed), the windows counted from the receipt or, past the days to
// sign, from the notification, appeals within and after them, the
// receipts list, the unit's to-do and the final publication's wait.
func TestAPIReceipts(t *testing.T) {
	w, unitC, c, base, setNow := receiptWorld(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	a, b := apptest.Itoa(w.A.ID), apptest.Itoa(w.B.ID)

	// Before signing: pending, and a to-do due the last day to sign
	// (5 working days after the notification: 29, 30 Sep, 8, 9 Oct and
	// the make-up Saturday 10 Oct).
	var rc results.UnitReceipt
	apptest.APIJSON(t, w.UnitUser, "GET", base+"/units/"+a+"/receipt", nil).Decode(t, http.StatusOK, &rc)
	if rc.Basis != results.BasisPending || rc.Kind != nil || rc.NotifiedOn != "2026-09-28" || !rc.WindowOpen {
		t.Fatalf("before signing: %+v", rc)
	}
	var td struct{ Items []todos.Item }
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/todos", nil).Decode(t, http.StatusOK, &td)
	found := false
	for _, it := range td.Items {
		if it.Kind == todos.KindResultReceipt {
			found = it.Due != nil && *it.Due == "2026-10-10" && strings.HasSuffix(it.Link, "/results/"+a+"#receipt")
		}
	}
	if !found {
		t.Fatalf("unit to-dos lack the receipt: %+v", td.Items)
	}
	// The notice names the last day to sign; unsigned, the window ends
	// 5 working days after the notification (the make-up Saturday).
	if n := notices(t, w.UnitUser); len(n) != 1 || !strings.Contains(n[0].Body, "请于2026年10月10日前登录系统签收") ||
		!strings.Contains(n[0].Body, "自签收之日起5个工作日内") || !strings.Contains(n[0].Body, "即2026年10月10日前") {
		t.Fatalf("preliminary notice: %+v", n)
	}
	if it := officeReceiptTodo(t, w); it == nil || it.Count != 3 || it.Title != "3 个单位尚未签收初步考核结果" || *it.Due != "2026-10-10" ||
		!strings.HasSuffix(it.Link, "/results/receipts?state=pending") {
		t.Fatalf("office to-do before signing: %+v", it)
	}

	// Signing: not the office's, not another unit's; the own one, twice.
	setNow(time.Date(2026, 9, 29, 9, 0, 0, 0, loc))
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/units/"+a+"/receipt", nil), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+apptest.Itoa(c.ID)+"/receipt", nil), http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+a+"/receipt", nil).Decode(t, http.StatusOK, &rc)
	if rc.Basis != results.BasisSigned || *rc.ReceivedOn != "2026-09-29" || *rc.RecordedBy != "unit-a" || rc.WindowEnd != "2026-10-12" {
		t.Fatalf("signed: %+v", rc)
	}
	setNow(time.Date(2026, 9, 30, 9, 0, 0, 0, loc))
	var again results.UnitReceipt
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+a+"/receipt", nil).Decode(t, http.StatusOK, &again)
	if *again.ReceivedOn != "2026-09-29" || !again.RecordedAt.Equal(*rc.RecordedAt) || auditCount(t, w, "results.receipt_sign") != 1 {
		t.Fatalf("signed again: %+v", again)
	}
	apptest.APIJSON(t, w.UnitUser, "GET", "/api/v1/todos", nil).Decode(t, http.StatusOK, &td)
	for _, it := range td.Items {
		if it.Kind == todos.KindResultReceipt {
			t.Fatalf("to-do left after signing: %+v", it)
		}
	}

	// Delivery on paper (B): refused in Chinese, nothing changed.
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"delivered_on": ""}, "delivered_on"},
		{map[string]any{"delivered_on": "2026-13-01"}, "delivered_on"},
		{map[string]any{"delivered_on": "2026-09-27"}, "delivered_on"},
		{map[string]any{"delivered_on": "2026-10-01"}, "delivered_on"},
		{map[string]any{"delivered_on": "2026-09-29", "note": strings.Repeat("长", 501)}, "note"},
	}
	for _, tc := range bad {
		rep := apptest.APIJSON(t, w.Office, "POST", base+"/units/"+b+"/delivery", tc.body)
		apptest.WantAPIError(t, rep, http.StatusUnprocessableEntity, "invalid", tc.field)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+b+"/delivery", map[string]any{"delivered_on": "2026-09-29"}), http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.Office, "GET", base+"/units/"+b+"/receipt", nil).Decode(t, http.StatusOK, &rc)
	if rc.Kind != nil || auditCount(t, w, "results.receipt_delivery") != 0 {
		t.Fatalf("refused deliveries changed the receipt: %+v", rc)
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/units/"+b+"/delivery", map[string]any{"delivered_on": "2026-09-29", "note": "办公室张三签收"}).Decode(t, http.StatusOK, &rc)
	if rc.Basis != results.BasisDelivered || *rc.RecordedBy != "office1" || rc.WindowEnd != "2026-10-12" || rc.Note != "办公室张三签收" {
		t.Fatalf("delivered: %+v", rc)
	}
	apptest.APIJSON(t, w.Office, "POST", base+"/units/"+b+"/delivery", map[string]any{"delivered_on": "2026-09-29"}).Decode(t, http.StatusOK, &rc)
	rep := apptest.APIJSON(t, w.Office, "POST", base+"/units/"+b+"/delivery", map[string]any{"delivered_on": "2026-09-30"})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "不能再登记送达日期") {
		t.Fatalf("second delivery: %s", rep.Body)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/units/"+a+"/delivery", map[string]any{"delivered_on": "2026-09-29"}), http.StatusConflict, "conflict")
	if it := officeReceiptTodo(t, w); it == nil || it.Count != 1 || it.Overdue {
		t.Fatalf("office to-do after one signed and one delivered: %+v", it)
	}

	// Monday 12 October: C never signed; past 10 October its window
	// counts from the notification and ended on 10 October.
	setNow(time.Date(2026, 10, 12, 10, 0, 0, 0, loc))
	var list receiptsReply
	apptest.APIJSON(t, w.Office, "GET", base+"/receipts", nil).Decode(t, http.StatusOK, &list)
	s := list.Summary
	if s.Units != 3 || s.Signed != 1 || s.Delivered != 1 || s.Unreceived != 1 || s.Overdue != 1 || s.LatestEnd != "2026-10-12" ||
		s.ReceiptBy != "2026-10-10" || len(list.Items) != 3 {
		t.Fatalf("receipts: %+v", list)
	}
	apptest.APIJSON(t, w.Office, "GET", base+"/receipts?state=pending", nil).Decode(t, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].UnitID != c.ID || list.Items[0].Basis != results.BasisNotified || list.Items[0].WindowEnd != "2026-10-10" {
		t.Fatalf("pending receipts: %+v", list.Items)
	}
	if it := officeReceiptTodo(t, w); it == nil || it.Title != "1 个单位逾期未签收初步考核结果，请登记送达日期" || !it.Overdue {
		t.Fatalf("office to-do past the days to sign: %+v", it)
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "GET", base+"/receipts?state=x", nil), http.StatusUnprocessableEntity, "invalid", "state")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "GET", base+"/receipts", nil), http.StatusForbidden, "forbidden")

	appeal := map[string]any{"grounds": "工作实绩得分漏计一项市级表彰"}
	rep = apptest.APIJSON(t, unitC, "POST", base+"/units/"+apptest.Itoa(c.ID)+"/appeal", appeal)
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "已超过申请复核期限（逾期未签收，自通知之日（2026-09-28）起5个工作日，截至2026-10-10）") {
		t.Fatalf("late appeal of the unsigned unit: %s", rep.Body)
	}
	// Signing now keeps the window counted from the notification.
	apptest.APIJSON(t, unitC, "POST", base+"/units/"+apptest.Itoa(c.ID)+"/receipt", nil).Decode(t, http.StatusOK, &rc)
	if rc.Basis != results.BasisNotified || rc.WindowOpen {
		t.Fatalf("late signing: %+v", rc)
	}
	// A signed on 29 September: the last day is today.
	apptest.APIJSON(t, w.UnitUser, "POST", base+"/units/"+a+"/appeal", appeal).Decode(t, http.StatusCreated, nil)
	rep = apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{})
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "申请复核期限截至2026-10-12（按各单位签收或送达之日计算）") {
		t.Fatalf("early final: %s", rep.Body)
	}

	// Tuesday 13 October: B's window (delivered 29 September) is over.
	setNow(time.Date(2026, 10, 13, 10, 0, 0, 0, loc))
	w.App.AddUser(t, "unit-b", "unit-pass-b", "unit", &w.B.ID)
	unitB := w.App.Client()
	unitB.SignIn(t, "unit-b", "unit-pass-b")
	rep = apptest.APIJSON(t, unitB, "POST", base+"/units/"+b+"/appeal", appeal)
	apptest.WantAPIError(t, rep, http.StatusConflict, "conflict")
	if !strings.Contains(string(rep.Body), "自送达之日（2026-09-29）起5个工作日，截至2026-10-12") {
		t.Fatalf("late appeal after delivery: %s", rep.Body)
	}
	// Signing once the final results are out is refused.
	var st results.Status
	apptest.APIJSON(t, w.Office, "POST", base+"/appeals/"+apptest.Itoa(firstAppeal(t, w, base))+"/answer",
		map[string]any{"status": "rejected", "answer": "经复核，表彰不属于加分范围"}).Decode(t, http.StatusOK, nil)
	apptest.APIJSON(t, w.Office, "POST", base+"/final", map[string]any{"provisional_reason": "测试"}).Decode(t, http.StatusCreated, &st)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", base+"/units/"+b+"/delivery", map[string]any{"delivered_on": "2026-09-30"}), http.StatusConflict, "conflict")
	if it := officeReceiptTodo(t, w); it != nil {
		t.Fatalf("office to-do left after the final results: %+v", it)
	}
}

// officeReceiptTodo is the office's to-do for the units that have not
// received the preliminary results, nil when there is none.
func officeReceiptTodo(t *testing.T, w *fixtures.APIWorld) *todos.Item {
	t.Helper()
	var td struct{ Items []todos.Item }
	apptest.APIJSON(t, w.Office, "GET", "/api/v1/todos", nil).Decode(t, http.StatusOK, &td)
	for _, it := range td.Items {
		if it.Kind == todos.KindResultReceipts {
			return &it
		}
	}
	return nil
}

func firstAppeal(t *testing.T, w *fixtures.APIWorld, base string) int64 {
	t.Helper()
	var r struct{ Items []results.Appeal }
	var list []results.Appeal
	apptest.APIJSON(t, w.Office, "GET", base+"/appeals", nil).Decode(t, http.StatusOK, &r)
	list = r.Items
	if len(list) == 0 {
		t.Fatal("no appeal")
	}
	return list[0].ID
}
