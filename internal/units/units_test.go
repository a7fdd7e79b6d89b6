package units_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/units"
)

var categories = []string{"社会服务类", "经济发展类"}

var actor = audit.Actor{Name: "tester"}

// inTx runs fn in a transaction that commits when fn returns nil.
func inTx(t *testing.T, pool *pgxpool.Pool, fn func(tx pgx.Tx) error) error {
	t.Helper()
	return db.Tx(context.Background(), pool, fn)
}

func createUnit(t *testing.T, pool *pgxpool.Pool, in units.UnitInput) units.Unit {
	t.Helper()
	var u units.Unit
	err := inTx(t, pool, func(tx pgx.Tx) (err error) {
		u, err = units.CreateUnit(context.Background(), tx, actor, in, categories)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantInvalid(t *testing.T, err error, fields ...string) {
	t.Helper()
	e := apperr.From(err)
	if e.Code != apperr.Invalid {
		t.Fatalf("error %v: code %s, want invalid", err, e.Code)
	}
	for _, f := range fields {
		if e.Fields[f] == "" {
			t.Errorf("error %v has no message for field %s", err, f)
		}
	}
	if len(e.Fields) != len(fields) {
		t.Errorf("fields %v, want exactly %v", e.Fields, fields)
	}
}

func TestUnitInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     units.UnitInput
		fields []string
	}{
		{"good", units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"}, nil},
		{"good with code", units.UnitInput{Name: "市税务局", ShortCode: "TAX_01-a", Category: "经济发展类"}, nil},
		{"no name", units.UnitInput{Category: "社会服务类"}, []string{"name"}},
		{"name 101 chars", units.UnitInput{Name: strings.Repeat("局", 101), Category: "社会服务类"}, []string{"name"}},
		{"name 100 chars", units.UnitInput{Name: strings.Repeat("局", 100), Category: "社会服务类"}, nil},
		{"no category", units.UnitInput{Name: "市税务局"}, []string{"category"}},
		{"unknown category", units.UnitInput{Name: "市税务局", Category: "其他类"}, []string{"category"}},
		{"code with space", units.UnitInput{Name: "市税务局", ShortCode: "TAX 1", Category: "社会服务类"}, []string{"short_code"}},
		{"code too long", units.UnitInput{Name: "市税务局", ShortCode: strings.Repeat("A", 21), Category: "社会服务类"}, []string{"short_code"}},
		{"chinese code", units.UnitInput{Name: "市税务局", ShortCode: "税务", Category: "社会服务类"}, []string{"short_code"}},
		{"all bad", units.UnitInput{ShortCode: "!", Category: "x"}, []string{"name", "short_code", "category"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate(categories)
			if len(tt.fields) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			wantInvalid(t, err, tt.fields...)
		})
	}
}

func TestCreateAndUpdateUnit(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u := createUnit(t, pool, units.UnitInput{Name: "  市政务服务中心 ", ShortCode: "GSO", Category: "社会服务类"})
	if u.Name != "市政务服务中心" || u.ShortCode == nil || *u.ShortCode != "GSO" || u.QRCode == "" {
		t.Fatalf("created %+v, want a trimmed name, the short code and a QR code", u)
	}
	if len(u.QRCode) < 16 {
		t.Errorf("QR code %q is not a long random token", u.QRCode)
	}
	other := createUnit(t, pool, units.UnitInput{Name: "市税务局", Category: "经济发展类"})
	if other.QRCode == u.QRCode {
		t.Error("two units share a QR code")
	}

	err := inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.CreateUnit(ctx, tx, actor, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"}, categories)
		return err
	})
	wantInvalid(t, err, "name")
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.CreateUnit(ctx, tx, actor, units.UnitInput{Name: "市公安局", ShortCode: "GSO", Category: "社会服务类"}, categories)
		return err
	})
	wantInvalid(t, err, "short_code")

	var updated units.Unit
	err = inTx(t, pool, func(tx pgx.Tx) (err error) {
		updated, err = units.UpdateUnit(ctx, tx, actor, u.ID, units.UnitInput{Name: "市行政审批局", Category: "经济发展类"}, categories)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != "市行政审批局" || updated.ShortCode != nil || updated.Category != "经济发展类" || updated.QRCode != u.QRCode {
		t.Errorf("updated %+v: want new name and category, no short code, the same QR code", updated)
	}
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.UpdateUnit(ctx, tx, actor, u.ID, units.UnitInput{Name: "市税务局", Category: "经济发展类"}, categories)
		return err
	})
	wantInvalid(t, err, "name")
	err = inTx(t, pool, func(tx pgx.Tx) error {
		_, err := units.UpdateUnit(ctx, tx, actor, 999999, units.UnitInput{Name: "无", Category: "经济发展类"}, categories)
		return err
	})
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("update of unknown unit: %v, want not_found", err)
	}
	if _, err := units.FindUnit(ctx, pool, 999999); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("FindUnit(unknown) = %v, want not_found", err)
	}

	entries, _, err := audit.List(ctx, pool, audit.Filter{Entity: "unit", EntityID: strconv.FormatInt(u.ID, 10)})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit entries %d (%v), want create and update", len(entries), err)
	}
	upd := entries[0]
	var before, after units.Unit
	json.Unmarshal(upd.Before, &before)
	json.Unmarshal(upd.After, &after)
	if upd.Action != "unit.update" || upd.Actor != "tester" || before.Name != "市政务服务中心" || after.Name != "市行政审批局" {
		t.Errorf("update audit = %s by %s, before %q after %q", upd.Action, upd.Actor, before.Name, after.Name)
	}
	if entries[1].Action != "unit.create" || entries[1].Before != nil {
		t.Errorf("create audit = %s with before %s, want unit.create with no before", entries[1].Action, entries[1].Before)
	}

	list, err := units.ListUnits(ctx, pool, nil)
	if err != nil || len(list) != 2 {
		t.Errorf("ListUnits = %d units, %v; want 2", len(list), err)
	}
	list, err = units.ListUnits(ctx, pool, &other.ID)
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Errorf("ListUnits(only %d) = %+v, %v", other.ID, list, err)
	}
}

func TestRotateCodes(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u := createUnit(t, pool, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"})
	var p units.ServicePoint
	err := inTx(t, pool, func(tx pgx.Tx) (err error) {
		p, err = units.CreatePoint(ctx, tx, actor, u.ID, units.PointInput{Name: "1号窗口", Kind: units.KindWindow})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var newUnitCode, newPointCode string
	err = inTx(t, pool, func(tx pgx.Tx) (err error) {
		if newUnitCode, err = units.RotateUnitCode(ctx, tx, actor, u.ID); err != nil {
			return err
		}
		newPointCode, err = units.RotatePointCode(ctx, tx, actor, p.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		code         string
		wantReplaced bool
		wantPoint    bool
	}{{u.QRCode, true, false}, {newUnitCode, false, false}, {p.QRCode, true, true}, {newPointCode, false, true}}
	for _, tt := range tests {
		target, err := units.ResolveCode(ctx, pool, tt.code)
		if err != nil {
			t.Fatalf("ResolveCode(%q): %v", tt.code, err)
		}
		if target.Replaced != tt.wantReplaced || target.UnitID != u.ID || (target.PointID != nil) != tt.wantPoint {
			t.Errorf("ResolveCode(%q) = %+v, want replaced=%v point=%v", tt.code, target, tt.wantReplaced, tt.wantPoint)
		}
	}
	if got, _ := units.FindUnit(ctx, pool, u.ID); got.QRCode != newUnitCode {
		t.Errorf("unit's current code %q, want %q", got.QRCode, newUnitCode)
	}
	if _, err := units.ResolveCode(ctx, pool, "no-such-code"); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("unknown code: %v, want not_found", err)
	}
	err = inTx(t, pool, func(tx pgx.Tx) error { _, err := units.RotatePointCode(ctx, tx, actor, 999999); return err })
	if apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("rotating an unknown point: %v, want not_found", err)
	}
	var before, after string
	err = pool.QueryRow(ctx, `SELECT before->>'qr_code', after->>'qr_code' FROM audit_log WHERE action = 'qr.rotate' AND entity = 'unit'`).Scan(&before, &after)
	if err != nil || before != u.QRCode || after != newUnitCode {
		t.Errorf("rotation audit before=%q after=%q (%v), want %q → %q", before, after, err, u.QRCode, newUnitCode)
	}
}

func TestPointsAndTerminals(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u := createUnit(t, pool, units.UnitInput{Name: "市政务服务中心", Category: "社会服务类"})
	other := createUnit(t, pool, units.UnitInput{Name: "市税务局", Category: "社会服务类"})
	point := func(unitID int64, in units.PointInput) (p units.ServicePoint, err error) {
		err = inTx(t, pool, func(tx pgx.Tx) (err error) { p, err = units.CreatePoint(ctx, tx, actor, unitID, in); return err })
		return p, err
	}
	hall, err := point(u.ID, units.PointInput{Name: "政务服务大厅", Kind: units.KindHall})
	if err != nil || hall.QRCode == "" || hall.QRCode == u.QRCode {
		t.Fatalf("hall %+v, %v: want its own QR code", hall, err)
	}
	_, err = point(u.ID, units.PointInput{Name: "政务服务大厅", Kind: units.KindHall})
	wantInvalid(t, err, "name")
	_, err = point(u.ID, units.PointInput{Name: "", Kind: "desk"})
	wantInvalid(t, err, "name", "kind")
	if _, err = point(999999, units.PointInput{Name: "大厅", Kind: units.KindHall}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("point of unknown unit: %v, want not_found", err)
	}
	if _, err = point(other.ID, units.PointInput{Name: "政务服务大厅", Kind: units.KindHall}); err != nil {
		t.Errorf("the same point name at another unit: %v", err)
	}

	terminal := func(unitID int64, in units.TerminalInput) (tm units.Terminal, token string, err error) {
		err = inTx(t, pool, func(tx pgx.Tx) (err error) {
			tm, token, err = units.CreateTerminal(ctx, tx, actor, unitID, in)
			return err
		})
		return tm, token, err
	}
	tm, token, err := terminal(u.ID, units.TerminalInput{Name: "1号窗口评价器", PointID: &hall.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, units.TokenPrefix) || len(token) < 40 || !strings.HasPrefix(token, strings.TrimSuffix(tm.TokenHint, "…")) {
		t.Errorf("token %q, hint %q", token, tm.TokenHint)
	}
	var plain int
	pool.QueryRow(ctx, `SELECT count(*) FROM terminals WHERE token_hash = $1`, []byte(token)).Scan(&plain)
	if plain != 0 {
		t.Error("terminal token stored in plain")
	}
	_, _, err = terminal(u.ID, units.TerminalInput{Name: " "})
	wantInvalid(t, err, "name")
	_, _, err = terminal(u.ID, units.TerminalInput{Name: strings.Repeat("器", 101)})
	wantInvalid(t, err, "name")
	otherHall, _ := units.ListPoints(ctx, pool, other.ID)
	_, _, err = terminal(u.ID, units.TerminalInput{Name: "借用", PointID: &otherHall[0].ID})
	wantInvalid(t, err, "point_id")
	_, _, err = terminal(u.ID, units.TerminalInput{Name: "无", PointID: new(int64)})
	wantInvalid(t, err, "point_id")
	if _, _, err = terminal(999999, units.TerminalInput{Name: "x"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("terminal of unknown unit: %v, want not_found", err)
	}

	found, err := units.FindTerminalByToken(ctx, pool, token)
	if err != nil || found.ID != tm.ID || found.UnitID != u.ID || found.PointID == nil || *found.PointID != hall.ID {
		t.Fatalf("FindTerminalByToken = %+v, %v", found, err)
	}
	for _, bad := range []string{"", "garbage", "mt_garbage", token + "x", strings.TrimPrefix(token, "mt_")} {
		if _, err := units.FindTerminalByToken(ctx, pool, bad); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("FindTerminalByToken(%q) = %v, want unauthorized", bad, err)
		}
	}
	revoke := func(id int64) (units.Terminal, error) {
		var r units.Terminal
		err := inTx(t, pool, func(tx pgx.Tx) (err error) { r, err = units.RevokeTerminal(ctx, tx, actor, id); return err })
		return r, err
	}
	r1, err := revoke(tm.ID)
	if err != nil || r1.RevokedAt == nil {
		t.Fatalf("revoke: %+v, %v", r1, err)
	}
	r2, err := revoke(tm.ID)
	if err != nil || !r2.RevokedAt.Equal(*r1.RevokedAt) {
		t.Errorf("revoking twice: %+v, %v; want the first revocation kept", r2, err)
	}
	if _, err := revoke(999999); apperr.CodeOf(err) != apperr.NotFound {
		t.Errorf("revoking unknown terminal: %v, want not_found", err)
	}
	if _, err := units.FindTerminalByToken(ctx, pool, token); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("revoked token still found: %v", err)
	}
	var revokes int
	pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'terminal.revoke' AND before->>'revoked_at' IS NULL
		AND after->>'revoked_at' IS NOT NULL`).Scan(&revokes)
	if revokes != 1 {
		t.Errorf("%d terminal.revoke audit entries with before/after, want exactly 1", revokes)
	}
}
