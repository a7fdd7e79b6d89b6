package casesapp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/testutil/apptest"
	"minyi/internal/testutil/apptest/fixtures"
)

// callbackWorld has a QR 差评 with a phone for unit A and two cases: caseA
// (unit A, closed, its call-back due date passed) from that rating, and
// caseB of unit B without a phone. cycle is the 2026 cycle.
type callbackWorld struct {
	*fixtures.APIWorld
	caseA, caseB, cycle int64
}

func newCallbackWorld(t *testing.T, env map[string]string) *callbackWorld {
	t.Helper()
	clock := apptest.NewClock(time.Date(2026, 3, 16, 10, 0, 0, 0, apptest.Shanghai))
	w := &callbackWorld{APIWorld: fixtures.NewAPIWorld(t, apptest.Options{Now: clock.Now, Env: env})}
	if st := fixtures.PostQR(t, w.App, w.A.QR.Code, "phone-1", url.Values{"level": {"1"}, "phone": {"13812345678"},
		"reasons": {"等候时间长"}, "comment": {"排队太久"}}); st != http.StatusSeeOther {
		t.Fatalf("QR rating: status %d", st)
	}
	ctx := context.Background()
	err := db.Tx(ctx, w.App.Pool, func(tx pgx.Tx) error {
		cy, err := cycles.CreateCycle(ctx, tx, audit.System, cycles.CycleInput{Name: "2026年度", Year: 2026,
			PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31"}, cycles.DefaultConfig([]float64{100, 80, 60, 30, 0}))
		if err != nil {
			return err
		}
		w.cycle = cy.ID
		var rid string
		if err := tx.QueryRow(ctx, `SELECT id::text FROM ratings WHERE phone_enc IS NOT NULL`).Scan(&rid); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, real_name,
			cycle_id, sent_on, callback_due, answer_due) VALUES ($1, 'rating', $2, '排队时间过长', 'closed', true, $3, '2026-03-02',
			'2026-03-03', '2026-03-10') RETURNING id`, w.A.ID, rid, cy.ID).Scan(&w.caseA); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO case_sources VALUES ($1, 'rating', $2)`, w.caseA, rid); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO rectification_cases (unit_id, source_kind, source_id, problem, status, real_name, cycle_id,
			sent_on) VALUES ($1, 'response', 'x', '办事指南不清楚', 'sent', true, $2, '2026-03-02') RETURNING id`, w.B.ID, cy.ID).Scan(&w.caseB)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

type apiCallbackView struct {
	Case struct {
		ID      int64 `json:"id"`
		Overdue bool  `json:"callback_overdue"`
	} `json:"case"`
	Phones []struct {
		Number string `json:"number"`
		Full   bool   `json:"full"`
	} `json:"phones"`
	Calls     []struct{ Outcome, Said string } `json:"calls"`
	Followups []struct {
		Level   int    `json:"level"`
		Comment string `json:"comment"`
	} `json:"followups"`
}

func TestAPICallbackPhonesByRoleAndAccess(t *testing.T) {
	w := newCallbackWorld(t, nil)
	path := "/api/v1/cases/" + apptest.Itoa(w.caseA) + "/callbacks"
	var v apiCallbackView
	apptest.APIDo(t, w.Office, "GET", path, "", "").Decode(t, http.StatusOK, &v)
	if len(v.Phones) != 1 || v.Phones[0].Number != "13812345678" || !v.Phones[0].Full || !v.Case.Overdue {
		t.Fatalf("office view %+v", v)
	}
	apptest.APIDo(t, w.UnitUser, "GET", path, "", "").Decode(t, http.StatusOK, &v)
	if len(v.Phones) != 1 || v.Phones[0].Full || strings.Contains(v.Phones[0].Number, "12345678") {
		t.Fatalf("unit user sees %+v, want the mask", v.Phones)
	}
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cases/"+apptest.Itoa(w.caseB)+"/callbacks", "", ""), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", "/api/v1/cases/"+apptest.Itoa(w.caseB)+"/callbacks",
		map[string]any{"outcome": "unreachable"}), http.StatusForbidden, "forbidden")
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/callbacks", "", "").Decode(t, http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].ID != w.caseA {
		t.Fatalf("unit's call-back list %+v", list)
	}

	body := map[string]any{"outcome": "satisfied", "said": "已经改进", "caller_name": "李四", "client_key": "c-1"}
	apptest.APIJSON(t, w.UnitUser, "POST", path, body).Decode(t, http.StatusCreated, nil)
	apptest.APIJSON(t, w.UnitUser, "POST", path, body).Decode(t, http.StatusOK, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", path, map[string]any{"outcome": "satisfied"}), http.StatusUnprocessableEntity, "invalid", "said")
	apptest.APIDo(t, w.Office, "GET", path, "", "").Decode(t, http.StatusOK, &v)
	if len(v.Calls) != 1 || v.Calls[0].Said != "已经改进" || v.Case.Overdue {
		t.Fatalf("after the call-back %+v", v)
	}

	w2 := newCallbackWorld(t, map[string]string{"CALLBACK_ROLES": "office,unit"})
	apptest.APIDo(t, w2.UnitUser, "GET", "/api/v1/cases/"+apptest.Itoa(w2.caseA)+"/callbacks", "", "").Decode(t, http.StatusOK, &v)
	if len(v.Phones) != 1 || v.Phones[0].Number != "13812345678" {
		t.Fatalf("with CALLBACK_ROLES=office,unit the unit sees %+v", v.Phones)
	}
}

func TestPublicFollowupLink(t *testing.T) {
	w := newCallbackWorld(t, map[string]string{"RATE_PUBLIC_CLIENT": "4-M"})
	linkPath := "/api/v1/cases/" + apptest.Itoa(w.caseA) + "/followup-links"
	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "POST", linkPath, map[string]any{}), http.StatusForbidden, "forbidden")
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/cases/"+apptest.Itoa(w.caseB)+"/followup-links", map[string]any{}), http.StatusConflict, "conflict")
	var link struct {
		URL, Token string
		PNG        string `json:"qr_png"`
	}
	apptest.APIJSON(t, w.Office, "POST", linkPath, map[string]any{"days": 30}).Decode(t, http.StatusCreated, &link)
	if link.Token == "" || !strings.HasSuffix(link.URL, "/f/"+link.Token) {
		t.Fatalf("link %+v", link)
	}
	f := "/f/" + link.Token
	if p := apptest.Get(t, w.Anon, f); p.Status != http.StatusOK || !p.Has("排队时间过长") || p.Has("13812345678") {
		t.Fatalf("follow-up page %d", p.Status)
	}
	// The page shows what the unit did before asking for the rating, with
	// any phone number in it masked.
	if _, err := w.App.Pool.Exec(context.Background(), `UPDATE rectification_cases SET explanation = '高峰时段窗口人手不足',
		measures = '增开两个窗口，咨询电话13900001111', done_note = '3月起已增开窗口' WHERE id = $1`, w.caseA); err != nil {
		t.Fatal(err)
	}
	p := apptest.Get(t, w.Anon, f)
	if !apptest.HasText(p, "高峰时段窗口人手不足") || !apptest.HasText(p, "3月起已增开窗口") || !p.Has(`id="answer"`) ||
		p.Has("13900001111") || strings.Index(p.Body, `id="answer"`) > strings.Index(p.Body, `id="followup"`) {
		t.Errorf("the follow-up page does not show the unit's answer first, masked")
	}
	if r := apptest.APIDo(t, w.Anon, "GET", f+"/qr.png", "", ""); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Anon, "POST", f, map[string]any{"level": 9}), http.StatusUnprocessableEntity, "invalid", "level")
	apptest.APIJSON(t, w.Anon, "POST", f, map[string]any{"level": 4, "comment": "好多了"}).Decode(t, http.StatusCreated, nil)
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Anon, "POST", f, map[string]any{"level": 5}), http.StatusConflict, "conflict")
	p = apptest.DoPage(t, w.Anon, "POST", f, url.Values{"level": {"5"}})
	if p.Status != http.StatusConflict || !p.Has("此链接已使用") {
		t.Fatalf("used link page %d", p.Status)
	}
	var v apiCallbackView
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cases/"+apptest.Itoa(w.caseA)+"/callbacks", "", "").Decode(t, http.StatusOK, &v)
	if len(v.Followups) != 1 || v.Followups[0].Level != 4 || v.Followups[0].Comment != "好多了" {
		t.Fatalf("follow-ups %+v", v.Followups)
	}
	// The fifth submit from this address within the minute is refused.
	r := apptest.APIJSON(t, w.Anon, "POST", f, map[string]any{"level": 5})
	apptest.WantAPIError(t, r, http.StatusTooManyRequests, "rate_limited")
	if p := apptest.Get(t, w.Anon, "/f/not-a-token"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown token: %d", p.Status)
	}
}

func TestConsoleCallbackPages(t *testing.T) {
	w := newCallbackWorld(t, nil)
	id := apptest.Itoa(w.caseA)
	if p := apptest.Get(t, w.Office, "/console/callbacks"); p.Status != http.StatusOK || !p.Has("回访逾期") || !p.Has("<td>已交办</td>") {
		t.Fatalf("call-back list %d (want the status in Chinese)\n%s", p.Status, p.Body)
	}
	if p := apptest.Get(t, w.Office, "/console/callbacks/"+id); p.Status != http.StatusOK || !p.Has("13812345678") {
		t.Fatalf("call-back page %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/callbacks/"+id); p.Status != http.StatusOK || p.Has("13812345678") {
		t.Fatalf("unit's call-back page %d shows the full number", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/callbacks/"+apptest.Itoa(w.caseB)); p.Status != http.StatusForbidden {
		t.Fatalf("other unit's case: %d", p.Status)
	}
	if p := apptest.Post(t, w.UnitUser, "/console/callbacks/"+id+"/calls", url.Values{"outcome": {"unreachable"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("record call: %d\n%s", p.Status, p.Body)
	}
	if p := apptest.Post(t, w.Office, "/console/callbacks/"+id+"/link", url.Values{"days": {"7"}}); p.Status != http.StatusCreated || !p.Has("/f/") {
		t.Fatalf("issue link: %d", p.Status)
	}
	if p := apptest.Post(t, w.Office, "/console/callbacks/"+id+"/carry", url.Values{"carry": {"1"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("mark carry: %d", p.Status)
	}
	cy := apptest.Itoa(w.cycle)
	if p := apptest.Get(t, w.Office, "/console/cycles/"+cy+"/case-deductions?reason_key=targets_incomplete"); p.Status != http.StatusOK || !p.Has("确认扣分") {
		t.Fatalf("deductions page %d\n%s", p.Status, p.Body)
	}
	if p := apptest.Post(t, w.Office, "/console/cycles/"+cy+"/case-deductions", url.Values{"unit_id": {apptest.Itoa(w.A.ID)},
		"reason_key": {"targets_incomplete"}}); p.Status != http.StatusSeeOther {
		t.Fatalf("confirm deduction: %d\n%s", p.Status, p.Body)
	}
	if p := apptest.Get(t, w.Office, "/console/cycles/"+cy+"/case-carry"); p.Status != http.StatusOK || !p.Has("排队时间过长") {
		t.Fatalf("carry page %d", p.Status)
	}
	if p := apptest.Post(t, w.Office, "/console/cycles/"+cy+"/case-carry", url.Values{"points": {"2"}}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("carry without a next cycle: %d", p.Status)
	}
	if p := apptest.Get(t, w.UnitUser, "/console/cycles/"+cy+"/case-deductions"); p.Status != http.StatusForbidden {
		t.Fatalf("unit on deductions page: %d", p.Status)
	}
}

func TestAPICaseDeductionsAndCarry(t *testing.T) {
	w := newCallbackWorld(t, nil)
	cy := apptest.Itoa(w.cycle)
	apptest.WantAPIError(t, apptest.APIDo(t, w.UnitUser, "GET", "/api/v1/cycles/"+cy+"/case-deductions", "", ""), http.StatusForbidden, "forbidden")
	var props struct {
		Items []struct {
			UnitID        int64   `json:"unit_id"`
			AnswerOverdue int     `json:"answers_overdue"`
			Points        float64 `json:"points"`
			Filed         int     `json:"filed"`
		} `json:"items"`
	}
	apptest.APIDo(t, w.Office, "GET", "/api/v1/cycles/"+cy+"/case-deductions?reason_key=targets_incomplete", "", "").Decode(t, http.StatusOK, &props)
	if len(props.Items) != 1 || props.Items[0].UnitID != w.A.ID || props.Items[0].AnswerOverdue != 1 || props.Items[0].Points != 2 {
		t.Fatalf("proposals %+v", props)
	}
	var out struct {
		Created []struct {
			Description string `json:"description"`
		} `json:"created"`
	}
	body := map[string]any{"unit_id": w.A.ID, "reason_key": "targets_incomplete"}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+cy+"/case-deductions", body).Decode(t, http.StatusOK, &out)
	if len(out.Created) != 1 || !strings.Contains(out.Created[0].Description, "#"+apptest.Itoa(w.caseA)) {
		t.Fatalf("confirmed %+v", out)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+cy+"/case-deductions", body).Decode(t, http.StatusOK, &out)
	if len(out.Created) != 0 {
		t.Fatalf("second confirmation created %d", len(out.Created))
	}
	apptest.WantAPIError(t, apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+cy+"/case-deductions",
		map[string]any{"unit_id": w.A.ID, "reason_key": "nope"}), http.StatusUnprocessableEntity, "invalid", "reason_key")

	apptest.WantAPIError(t, apptest.APIJSON(t, w.UnitUser, "PUT", "/api/v1/cases/"+apptest.Itoa(w.caseA)+"/carry", map[string]any{"carry_to_targets": true}),
		http.StatusForbidden, "forbidden")
	apptest.APIJSON(t, w.Office, "PUT", "/api/v1/cases/"+apptest.Itoa(w.caseA)+"/carry", map[string]any{"carry_to_targets": true}).Decode(t, http.StatusOK, nil)
	var next struct {
		ID int64 `json:"id"`
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles", map[string]any{"name": "2027年度", "year": 2027,
		"period_start": "2027-01-01", "period_end": "2027-12-31"}).Decode(t, http.StatusCreated, &next)
	var carried struct {
		Carried []struct {
			SheetID int64   `json:"sheet_id"`
			CaseIDs []int64 `json:"case_ids"`
		} `json:"carried"`
	}
	req := map[string]any{"next_cycle_id": next.ID, "points": 3}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+cy+"/case-carry", req).Decode(t, http.StatusOK, &carried)
	if len(carried.Carried) != 1 || carried.Carried[0].CaseIDs[0] != w.caseA {
		t.Fatalf("carried %+v", carried)
	}
	apptest.APIJSON(t, w.Office, "POST", "/api/v1/cycles/"+cy+"/case-carry", req).Decode(t, http.StatusOK, &carried)
	if len(carried.Carried) != 0 {
		t.Fatalf("second carry %+v", carried)
	}
	var n int
	if err := w.App.Pool.QueryRow(context.Background(), `SELECT count(*) FROM target_indicators i JOIN target_sheets s ON s.id = i.sheet_id
		WHERE s.cycle_id = $1 AND s.unit_id = $2 AND s.status = 'draft'`, next.ID, w.A.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d draft indicators in the next cycle (%v), want 1", n, err)
	}
}
