package users_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/safetext"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

func TestCreateUserRefusesWeakPasswords(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	tests := []struct {
		username, password, want string
	}{
		{"office1", "12345678", "密码过于常见，容易被猜中，请换一个"},
		{"office1", "password", "密码过于常见，容易被猜中，请换一个"},
		{"office1", "QWERTY123", "密码过于常见，容易被猜中，请换一个"},
		{"office1", "88888888", "密码过于常见，容易被猜中，请换一个"},
		{"office1", "admin123", "密码过于常见，容易被猜中，请换一个"},
		{"unit.zhangwei", "unit.zhangwei", "密码不能与用户名相同"},
		{"unit.zhangwei", "UNIT.ZHANGWEI2026", "密码不能与用户名相同"},
	}
	for _, tt := range tests {
		for _, role := range []string{users.RoleOffice, users.RoleUnit} {
			n := users.NewUser{Username: tt.username, Password: tt.password, Role: role}
			if role == users.RoleUnit {
				n.UnitID = ptr[int64](424242)
			}
			_, err := users.CreateUser(ctx, pool, audit.System, n)
			if e := apperr.From(err); e.Code != apperr.Invalid || !strings.HasPrefix(e.Fields["password"], tt.want) {
				t.Errorf("%s %s / %s: %v (fields %v), want the password refused with %q", role, tt.username, tt.password, err, e.Fields, tt.want)
			}
		}
	}
	if n, err := users.CountUsers(ctx, pool); err != nil || n != 0 {
		t.Errorf("%d users stored (%v), want none", n, err)
	}
	// A password that merely contains a common one is accepted.
	if _, err := users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "office1", Password: "password-of-the-river", Role: "office"}); err != nil {
		t.Errorf("a long password containing a common word: %v", err)
	}
}

func TestAuthenticateRefusesHostileInput(t *testing.T) {
	pool := testutil.DB(t)
	ctx := context.Background()
	long := strings.Repeat("长河", 12) // 72 bytes, bcrypt's limit
	if _, err := users.CreateUser(ctx, pool, audit.System, users.NewUser{Username: "office1", Password: long, Role: "office"}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Authenticate(ctx, pool, "office1", long); err != nil {
		t.Fatalf("the 72-byte password: %v", err)
	}
	// bcrypt reads only 72 bytes: without a length check anything appended
	// to the password would sign in too.
	for _, tc := range []struct{ user, pass string }{
		{"office1", long + "x"},
		{"office1", long + strings.Repeat("y", 1000)},
		{"office\x00", long},
		{"office1\x00", long},
		{"\xff\xfe", "anything-at-all"},
		{strings.Repeat("a", 5000), "anything-at-all"},
		{"office1' OR '1'='1", long},
	} {
		if _, err := users.Authenticate(ctx, pool, tc.user, tc.pass); apperr.CodeOf(err) != apperr.Unauthorized {
			t.Errorf("Authenticate(%q, %d bytes) = %v, want unauthorized", tc.user, len(tc.pass), err)
		}
	}
}

// FuzzNewUserValidate checks that Validate never panics and that whatever
// it accepts keeps every rule: a well-formed username, a password of 8 to
// 72 bytes of ordinary text that is neither common nor the username.
func FuzzNewUserValidate(f *testing.F) {
	for _, seed := range [][2]string{
		{"office1", "river-stone-7"}, {"office1", "12345678"}, {"office1", "PASSWORD"}, {"office1", "office1"},
		{"office1", "Office1999"}, {"unit.hr-1", "unit.hr-1!"}, {"ab", "x"}, {"office1", "river\x00stone"},
		{"office1", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8"}, {"office1", strings.Repeat("密", 25)}, {"office1", "aaaaaaaa"},
		{"zhang", "woaini1314"}, {"zhang", "我的密码是很长的一句话"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, username, password string) {
		err := users.NewUser{Username: username, Password: password, Role: users.RoleOffice}.Validate()
		if err != nil {
			e := apperr.From(err)
			if e.Code != apperr.Invalid || len(e.Fields) == 0 {
				t.Fatalf("Validate(%q, %q) = %v, want invalid naming fields", username, password, err)
			}
			for field, msg := range e.Fields {
				if msg == "" || !utf8.ValidString(msg) {
					t.Errorf("field %s has message %q", field, msg)
				}
			}
			return
		}
		if !safetext.Valid(password) || utf8.RuneCountInString(password) < 8 || len(password) > 72 {
			t.Fatalf("accepted password %q", password)
		}
		if users.WeakPassword(username, password) != "" {
			t.Fatalf("accepted weak password %q for %q", password, username)
		}
		if strings.EqualFold(password, username) {
			t.Fatalf("accepted password %q equal to the username %q", password, username)
		}
	})
}
