package agencies_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/surveys"
)

func TestAgencyAccounts(t *testing.T) {
	w := newWorld(t)
	err := func() error {
		_, err := agencies.CreateAgency(w.ctx, mustBegin(t, w), office, w.survey, agencies.Input{Name: " 甲调查公司 "})
		return err
	}()
	if e := apperr.From(err); e.Code != apperr.Invalid || !strings.Contains(e.Fields["name"], "已有名为") {
		t.Errorf("duplicate name: %v", err)
	}
	for _, in := range []agencies.Input{{Name: ""}, {Name: strings.Repeat("名", 101)}, {Name: "x", Contact: strings.Repeat("c", 101)}} {
		if err := in.Validate(); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("Validate(%+v) = %v", in, err)
		}
	}
	if _, err := agencies.CreateAgency(w.ctx, mustBegin(t, w), office, w.survey+100, agencies.Input{Name: "丙"}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown survey: %v", err)
	}
	list, err := agencies.ListAgencies(w.ctx, w.pool, w.survey)
	if err != nil || len(list) != 2 || list[0].Name != "乙调查公司" && list[0].Name != "甲调查公司" {
		t.Errorf("list %+v, %v", list, err)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE action = 'agency.create'`); n != 2 {
		t.Errorf("%d audit entries for creation", n)
	}
}

// mustBegin starts a transaction that the test's end rolls back.
func mustBegin(t *testing.T, w *world) pgx.Tx {
	t.Helper()
	tx, err := w.pool.Begin(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(w.ctx) })
	return tx
}

func TestTokens(t *testing.T) {
	w := newWorld(t)
	var token string
	var tok agencies.Token
	w.tx(t, func(tx pgx.Tx) (err error) {
		tok, token, err = agencies.IssueToken(w.ctx, tx, office, w.ag.ID)
		return err
	})
	if !strings.HasPrefix(token, agencies.TokenPrefix) || !strings.HasPrefix(token, strings.TrimSuffix(tok.Hint, "…")) {
		t.Errorf("token %q hint %q", token, tok.Hint)
	}
	if n := w.count(t, `SELECT count(*) FROM survey_agency_tokens WHERE token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Error("the token is stored in clear")
	}
	sess, err := agencies.Authenticate(w.ctx, w.pool, token)
	if err != nil || sess.Agency.ID != w.ag.ID || sess.Token.ID != tok.ID {
		t.Fatalf("authenticate: %+v, %v", sess, err)
	}
	for _, bad := range []string{"", "ma_nope", "mt_" + token[3:], token + "x"} {
		if _, err := agencies.Authenticate(w.ctx, w.pool, bad); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	// Disabling the agency refuses its tokens; enabling lets them in again.
	w.tx(t, func(tx pgx.Tx) error { _, err := agencies.SetDisabled(w.ctx, tx, office, w.ag.ID, true); return err })
	if _, err := agencies.Authenticate(w.ctx, w.pool, token); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("disabled agency: %v", err)
	}
	err = inTx(w, func(tx pgx.Tx) error { _, _, err := agencies.IssueToken(w.ctx, tx, office, w.ag.ID); return err })
	if !apperr.Is(err, apperr.Invalid) {
		t.Errorf("issuing to a disabled agency: %v", err)
	}
	w.tx(t, func(tx pgx.Tx) error { _, err := agencies.SetDisabled(w.ctx, tx, office, w.ag.ID, false); return err })
	if _, err := agencies.Authenticate(w.ctx, w.pool, token); err != nil {
		t.Errorf("enabled again: %v", err)
	}
	// Revoking is final and idempotent; another agency cannot revoke it.
	err = inTx(w, func(tx pgx.Tx) error { _, err := agencies.RevokeToken(w.ctx, tx, office, w.ag2.ID, tok.ID); return err })
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("revoking through another agency: %v", err)
	}
	for range 2 {
		w.tx(t, func(tx pgx.Tx) error { _, err := agencies.RevokeToken(w.ctx, tx, office, w.ag.ID, tok.ID); return err })
	}
	if _, err := agencies.Authenticate(w.ctx, w.pool, token); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("revoked token: %v", err)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE action LIKE 'agency%' AND entity_id = $1`, fmt.Sprint(w.ag.ID)); n != 5 {
		t.Errorf("%d audit entries, want create, issue, disable, enable, revoke", n)
	}
}

// inTx runs fn in a transaction and returns its error.
func inTx(w *world, fn func(tx pgx.Tx) error) error { return pgx.BeginFunc(w.ctx, w.pool, fn) }

func TestQuotasAndProgress(t *testing.T) {
	w := newWorld(t)
	set := func(items ...agencies.QuotaInput) ([]agencies.Quota, error) {
		var out []agencies.Quota
		err := inTx(w, func(tx pgx.Tx) (err error) {
			out, err = agencies.SetQuotas(w.ctx, tx, office, w.ag.ID, items)
			return err
		})
		return out, err
	}
	b := w.b.ID
	q, err := set(agencies.QuotaInput{GroupKey: "npc_deputies", Target: 10},
		agencies.QuotaInput{GroupKey: "npc_deputies", UnitID: &b, Target: 4},
		agencies.QuotaInput{GroupKey: "experts", Target: 2})
	if err != nil || len(q) != 4 {
		t.Fatalf("quotas %+v, %v", q, err)
	}
	// Target 0 removes experts for unit B only.
	if q, err = set(agencies.QuotaInput{GroupKey: "experts", UnitID: &b, Target: 0}); err != nil || len(q) != 3 {
		t.Fatalf("after removal %+v, %v", q, err)
	}
	nope := int64(999999)
	_, err = set(agencies.QuotaInput{GroupKey: "service_users", Target: 1}, agencies.QuotaInput{GroupKey: "experts", Target: -1},
		agencies.QuotaInput{GroupKey: "experts", UnitID: &nope, Target: 1})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["items[0].group_key"] == "" || e.Fields["items[1].target"] == "" ||
		e.Fields["items[2].unit_id"] == "" {
		t.Errorf("bad quotas: %v %v", err, e.Fields)
	}
	// Responses of this agency and of another.
	rows := []agencies.RowInput{row(1, "R1"), row(2, "R2")}
	rows[1].Unit = w.b.Name
	if _, err := w.upload(t, w.ag, rows); err != nil {
		t.Fatal(err)
	}
	if _, err := w.upload(t, w.ag2, []agencies.RowInput{row(1, "R1"), row(2, "R2"), row(3, "R3")}); err != nil {
		t.Fatal(err)
	}
	sv, _ := surveys.FindSurvey(w.ctx, w.pool, w.survey)
	p, err := agencies.AgencyProgress(w.ctx, w.pool, w.ag, sv)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, r := range p.Rows {
		got[r.GroupKey+" "+r.UnitName] = [2]int{r.Target, r.Received}
	}
	want := map[string][2]int{"npc_deputies 市税务局": {10, 1}, "npc_deputies 市政务服务中心": {4, 1}, "experts 市税务局": {2, 0}}
	if len(got) != len(want) {
		t.Errorf("progress rows %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("progress %s = %v, want %v", k, got[k], v)
		}
	}
	if p.Total.Target != 16 || p.Total.Received != 2 || *p.Total.Percent != 12 || len(p.Groups) != 2 ||
		p.Groups[0].GroupKey != "npc_deputies" || p.Groups[0].Received != 2 || *p.Groups[0].Percent != 14 {
		t.Errorf("totals %+v groups %+v", p.Total, p.Groups)
	}
	p2, _ := agencies.AgencyProgress(w.ctx, w.pool, w.ag2, sv)
	if p2.Total.Received != 3 || p2.Total.Target != 0 || p2.Total.Percent != nil {
		t.Errorf("other agency %+v", p2.Total)
	}
}
