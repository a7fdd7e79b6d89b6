package bizsys_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/testutil"
)

// The systems' rules and their tokens' life: issued, used, revoked once
// (a second revocation is harmless and not audited again), refused when
// revoked or when the system is disabled.
func TestSystemsAndTokens(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	var unit int64
	if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('市政务服务中心', '社会服务类') RETURNING id`).
		Scan(&unit); err != nil {
		t.Fatal(err)
	}
	tx := func(fn func(pgx.Tx) error) error { return db.Tx(ctx, pool, fn) }
	var sys bizsys.System
	create := func(in bizsys.Input) error {
		return tx(func(tx pgx.Tx) (err error) { sys, err = bizsys.Create(ctx, tx, audit.System, in); return err })
	}
	for _, c := range []struct {
		in    bizsys.Input
		field string
	}{
		{bizsys.Input{Name: " ", UnitIDs: []int64{unit}}, "name"},
		{bizsys.Input{Name: "甲"}, "unit_ids"},
		{bizsys.Input{Name: "甲", UnitIDs: []int64{unit, 999999}}, "unit_ids"},
	} {
		if f, ok := apperr.From(create(c.in)).Fields[c.field]; !ok || f == "" {
			t.Errorf("%+v: no message for %s", c.in, c.field)
		}
	}
	if err := create(bizsys.Input{Name: " 综合受理平台 ", UnitIDs: []int64{unit, unit}}); err != nil {
		t.Fatal(err)
	}
	if sys.Name != "综合受理平台" || len(sys.UnitIDs) != 1 || !sys.MayAct(unit) || sys.MayAct(unit+1) {
		t.Fatalf("created %+v", sys)
	}
	id := sys.ID
	if err := create(bizsys.Input{Name: "综合受理平台", UnitIDs: []int64{unit}}); apperr.From(err).Fields["name"] == "" {
		t.Fatalf("a second system of the same name: %v", err)
	}
	var tok bizsys.Token
	var token string
	if err := tx(func(tx pgx.Tx) (err error) {
		tok, token, err = bizsys.IssueToken(ctx, tx, audit.System, id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := bizsys.Authenticate(ctx, pool, token); err != nil || got.ID != id {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	for range 2 {
		if err := tx(func(tx pgx.Tx) error { _, err := bizsys.RevokeToken(ctx, tx, audit.System, id, tok.ID); return err }); err != nil {
			t.Fatal(err)
		}
	}
	var revokes int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'business_system_token.revoke'`).Scan(&revokes); err != nil {
		t.Fatal(err)
	}
	if revokes != 1 {
		t.Fatalf("%d revocations audited, want 1", revokes)
	}
	if _, err := bizsys.Authenticate(ctx, pool, token); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("revoked token: %v", err)
	}
	err := tx(func(tx pgx.Tx) error { _, err := bizsys.RevokeToken(ctx, tx, audit.System, id+1, tok.ID); return err })
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("revoking another system's token: %v", err)
	}
	if err := tx(func(tx pgx.Tx) (err error) { _, token, err = bizsys.IssueToken(ctx, tx, audit.System, id); return err }); err != nil {
		t.Fatal(err)
	}
	if err := tx(func(tx pgx.Tx) error { _, err := bizsys.SetDisabled(ctx, tx, audit.System, id, true); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := bizsys.Authenticate(ctx, pool, token); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("token of a disabled system: %v", err)
	}
	err = tx(func(tx pgx.Tx) error { _, _, err := bizsys.IssueToken(ctx, tx, audit.System, id); return err })
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("issuing to a disabled system: %v", err)
	}
	list, err := bizsys.ListTokens(ctx, pool, []int64{id})
	if err != nil || len(list) != 2 || list[0].RevokedAt != nil || list[1].RevokedAt == nil {
		t.Fatalf("tokens %+v %v: want the active one first", list, err)
	}
}

// Update renames a system and changes its units, audited once; a name
// another system uses, a unit that does not exist and an unknown system
// are refused, and the same input again changes nothing.
func TestUpdateSystem(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	var a, b int64
	if err := pool.QueryRow(ctx, `INSERT INTO units (name, category) VALUES ('甲中心', '社会服务类'), ('乙中心', '社会服务类')
		RETURNING id`).Scan(&a); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT id FROM units WHERE name = '乙中心'`).Scan(&b); err != nil {
		t.Fatal(err)
	}
	tx := func(fn func(pgx.Tx) error) error { return db.Tx(ctx, pool, fn) }
	var one, other bizsys.System
	if err := tx(func(tx pgx.Tx) (err error) {
		if one, err = bizsys.Create(ctx, tx, audit.System, bizsys.Input{Name: "受理平台", UnitIDs: []int64{a}}); err != nil {
			return err
		}
		other, err = bizsys.Create(ctx, tx, audit.System, bizsys.Input{Name: "不动产登记系统", UnitIDs: []int64{b}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	update := func(id int64, in bizsys.Input) (s bizsys.System, err error) {
		err = tx(func(tx pgx.Tx) (err error) { s, err = bizsys.Update(ctx, tx, audit.System, id, in); return err })
		return s, err
	}
	s, err := update(one.ID, bizsys.Input{Name: " 综合受理平台 ", UnitIDs: []int64{b, a, b}})
	if err != nil || s.Name != "综合受理平台" || len(s.UnitIDs) != 2 || !s.MayAct(a) || !s.MayAct(b) {
		t.Fatalf("updated %+v %v", s, err)
	}
	if _, err := update(one.ID, bizsys.Input{Name: "综合受理平台", UnitIDs: []int64{a, b}}); err != nil {
		t.Fatalf("the same again: %v", err)
	}
	audits := func() (n int) {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'business_system.update'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := audits(); n != 1 {
		t.Fatalf("%d update audit entries, want 1", n)
	}
	for _, c := range []struct {
		in    bizsys.Input
		field string
	}{
		{bizsys.Input{Name: "不动产登记系统", UnitIDs: []int64{a}}, "name"},
		{bizsys.Input{Name: "综合受理平台", UnitIDs: []int64{a, 999999}}, "unit_ids"},
		{bizsys.Input{Name: "综合受理平台"}, "unit_ids"},
		{bizsys.Input{Name: "", UnitIDs: []int64{a}}, "name"},
	} {
		if _, err := update(one.ID, c.in); apperr.From(err).Fields[c.field] == "" {
			t.Errorf("%+v: %v, want a message for %s", c.in, err, c.field)
		}
	}
	if _, err := update(other.ID+100, bizsys.Input{Name: "x", UnitIDs: []int64{a}}); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown system: %v", err)
	}
	if s, err := bizsys.Find(ctx, pool, one.ID); err != nil || s.Name != "综合受理平台" || len(s.UnitIDs) != 2 || audits() != 1 {
		t.Fatalf("after the refusals %+v %v", s, err)
	}
}
