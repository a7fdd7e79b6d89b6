package users_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

func ptr[T any](v T) *T { return &v }

func TestNewUserValidate(t *testing.T) {
	tests := []struct {
		name       string
		in         users.NewUser
		wantFields []string
	}{
		{"office", users.NewUser{Username: "office1", Password: "river-stone-7", Role: "office"}, nil},
		{"unit", users.NewUser{Username: "unit.hr-1", Password: "river-stone-7", Role: "unit", UnitID: ptr[int64](3)}, nil},
		{"short username", users.NewUser{Username: "ab", Password: "river-stone-7", Role: "office"}, []string{"username"}},
		{"username with space", users.NewUser{Username: "a b c", Password: "river-stone-7", Role: "office"}, []string{"username"}},
		{"chinese username", users.NewUser{Username: "绩效办", Password: "river-stone-7", Role: "office"}, []string{"username"}},
		{"long username", users.NewUser{Username: strings.Repeat("a", 41), Password: "river-stone-7", Role: "office"}, []string{"username"}},
		{"short password", users.NewUser{Username: "office1", Password: "1234567", Role: "office"}, []string{"password"}},
		{"password over 72 bytes", users.NewUser{Username: "office1", Password: strings.Repeat("密", 25), Role: "office"}, []string{"password"}},
		{"unknown role", users.NewUser{Username: "office1", Password: "river-stone-7", Role: "admin"}, []string{"role"}},
		{"empty role", users.NewUser{Username: "office1", Password: "river-stone-7"}, []string{"role"}},
		{"unit without unit", users.NewUser{Username: "unit1", Password: "river-stone-7", Role: "unit"}, []string{"unit_id"}},
		{"office with unit", users.NewUser{Username: "office1", Password: "river-stone-7", Role: "office", UnitID: ptr[int64](1)}, []string{"unit_id"}},
		{"everything wrong", users.NewUser{Username: "x", Password: "x", Role: "root"}, []string{"username", "password", "role"}},
		{"common password", users.NewUser{Username: "office1", Password: "12345678", Role: "office"}, []string{"password"}},
		{"common password, other case", users.NewUser{Username: "office1", Password: "PassWord", Role: "office"}, []string{"password"}},
		{"chinese favourite", users.NewUser{Username: "office1", Password: "woaini1314", Role: "office"}, []string{"password"}},
		{"keyboard walk", users.NewUser{Username: "unit1", Password: "1qaz2wsx", Role: "unit", UnitID: ptr[int64](3)}, []string{"password"}},
		{"password is the username", users.NewUser{Username: "office.zhang", Password: "Office.Zhang", Role: "office"}, []string{"password"}},
		{"username and digits", users.NewUser{Username: "office1", Password: "office12026", Role: "office"}, []string{"password"}},
		{"one character repeated", users.NewUser{Username: "office1", Password: "zzzzzzzzzz", Role: "office"}, []string{"password"}},
		{"control character", users.NewUser{Username: "office1", Password: "river\x00stone-7", Role: "office"}, []string{"password"}},
		{"invalid utf-8", users.NewUser{Username: "office1", Password: "river-stone-\xff", Role: "office"}, []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if len(tt.wantFields) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e := apperr.From(err)
			if e.Code != apperr.Invalid {
				t.Fatalf("code %s, want invalid", e.Code)
			}
			if len(e.Fields) != len(tt.wantFields) {
				t.Errorf("fields %v, want %v", e.Fields, tt.wantFields)
			}
			for _, f := range tt.wantFields {
				if e.Fields[f] == "" {
					t.Errorf("no message for field %s in %v", f, e.Fields)
				}
			}
		})
	}
}

func TestCreateUserAndAuthenticate(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u, err := users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "office1", Password: "office-pass-1", Role: "office"})
	if err != nil {
		t.Fatal(err)
	}
	if u.PasswordHash == "" || strings.Contains(u.PasswordHash, "office-pass-1") {
		t.Errorf("password stored as %q", u.PasswordHash)
	}
	got, err := users.Authenticate(ctx, pool, "office1", "office-pass-1")
	if err != nil || got.ID != u.ID || got.Role != "office" {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	for _, tc := range []struct{ user, pass string }{{"office1", "wrong-pass"}, {"nobody", "office-pass-1"}, {"office1", ""}, {"OFFICE1", "office-pass-1"}} {
		if _, err := users.Authenticate(ctx, pool, tc.user, tc.pass); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("Authenticate(%q, %q) = %v, want unauthorized", tc.user, tc.pass, err)
		}
	}
	_, err = users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "office1", Password: "another-pass", Role: "office"})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["username"] == "" {
		t.Errorf("duplicate username: %v, want invalid on username", err)
	}
	_, err = users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "unit1", Password: "unit-pass-1", Role: "unit", UnitID: ptr[int64](424242)})
	if e := apperr.From(err); e.Code != apperr.Invalid || e.Fields["unit_id"] == "" {
		t.Errorf("unknown unit: %v, want invalid on unit_id", err)
	}
	if n, err := users.CountUsers(ctx, pool); err != nil || n != 1 {
		t.Errorf("CountUsers = %d, %v; want 1 (refused users are not stored)", n, err)
	}
	var action, after string
	err = pool.QueryRow(ctx, `SELECT action, after::text FROM audit_log WHERE entity = 'user' AND entity_id = $1`, itoa(u.ID)).Scan(&action, &after)
	if err != nil || action != "user.create" {
		t.Fatalf("audit entry: %q, %v", action, err)
	}
	if strings.Contains(after, "password_hash") || strings.Contains(after, u.PasswordHash) {
		t.Errorf("audit entry holds the password hash: %s", after)
	}

	if _, err := pool.Exec(ctx, `UPDATE users SET disabled_at = now() WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate(ctx, pool, "office1", "office-pass-1"); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("disabled user signed in: %v", err)
	}
}

func TestCanSeeUnit(t *testing.T) {
	office := users.User{Role: users.RoleOffice}
	unit := users.User{Role: users.RoleUnit, UnitID: ptr[int64](7)}
	broken := users.User{Role: users.RoleUnit}
	tests := []struct {
		u    users.User
		id   int64
		want bool
	}{{office, 7, true}, {office, 8, true}, {unit, 7, true}, {unit, 8, false}, {broken, 7, false}}
	for _, tt := range tests {
		if got := tt.u.CanSeeUnit(tt.id); got != tt.want {
			t.Errorf("%s/%v CanSeeUnit(%d) = %v, want %v", tt.u.Role, tt.u.UnitID, tt.id, got, tt.want)
		}
	}
}

func TestSessions(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	u, err := users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "office1", Password: "office-pass-1", Role: "office"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := users.CreateSession(ctx, pool, u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, []byte(s.Token)).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("session token stored in plain (%d rows, %v)", stored, err)
	}
	got, err := users.FindSession(ctx, pool, s.Token)
	if err != nil || got.User.ID != u.ID || got.CSRFToken != s.CSRFToken {
		t.Fatalf("FindSession = %+v, %v", got, err)
	}
	for _, token := range []string{"", "nope", s.Token + "x"} {
		if _, err := users.FindSession(ctx, pool, token); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("FindSession(%q) = %v, want unauthorized", token, err)
		}
	}

	old, err := users.CreateSession(ctx, pool, u, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE csrf_token = $1`, old.CSRFToken); err != nil {
		t.Fatal(err)
	}
	if _, err := users.FindSession(ctx, pool, old.Token); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("expired session: %v, want unauthorized", err)
	}
	if n, err := users.DeleteExpiredSessions(ctx, pool); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := users.FindSession(ctx, pool, s.Token); err != nil {
		t.Errorf("live session removed by the cleanup: %v", err)
	}

	if err := users.DeleteSession(ctx, pool, s.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := users.FindSession(ctx, pool, s.Token); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("signed-out session still works: %v", err)
	}
	if err := users.DeleteSession(ctx, pool, "never-existed"); err != nil {
		t.Errorf("deleting an unknown session: %v", err)
	}

	if _, err := pool.Exec(ctx, `UPDATE users SET disabled_at = now()`); err != nil {
		t.Fatal(err)
	}
	live, _ := users.CreateSession(ctx, pool, u, time.Hour)
	if _, err := users.FindSession(ctx, pool, live.Token); apperr.CodeOf(err) != apperr.Unauthorized {
		t.Errorf("session of a disabled user: %v, want unauthorized", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
