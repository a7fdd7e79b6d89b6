package users_test

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/testutil"
	"minyi/internal/users"
)

// accountsWorld is a database with two units, an office account and a
// unit account.
type accountsWorld struct {
	t      *testing.T
	pool   *pgxpool.Pool
	units  []int64
	office users.User
}

func newAccountsWorld(t *testing.T) *accountsWorld {
	w := &accountsWorld{t: t, pool: testutil.DB(t)}
	for _, u := range [][2]any{{"人社局", "HRSS"}, {"税务局", nil}} {
		var id int64
		if err := w.pool.QueryRow(context.Background(), `INSERT INTO units (name, short_code, category) VALUES ($1, $2, '窗口单位') RETURNING id`,
			u[0], u[1]).Scan(&id); err != nil {
			t.Fatal(err)
		}
		w.units = append(w.units, id)
	}
	var err error
	w.office, err = users.CreateUser(context.Background(), w.pool, audit.System,
		users.NewUser{Username: "office1", Password: "river-stone-7", Role: users.RoleOffice})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// tx runs fn in a transaction and returns its error.
func (w *accountsWorld) tx(fn func(tx pgx.Tx) error) error {
	return db.Tx(context.Background(), w.pool, fn)
}

func (w *accountsWorld) signIn(username, password string) error {
	_, err := users.Authenticate(context.Background(), w.pool, username, password)
	return err
}

func fieldsOf(err error) []string {
	var out []string
	for k := range apperr.From(err).Fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestIssuedAccountsHaveTemporaryPasswords(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	c, err := users.IssueUser(ctx, w.pool, w.office.Actor(), users.NewUser{Username: "leader1", Role: users.RoleLeader,
		Profile: users.Profile{Name: "王局长", Mobile: "13800138000", Email: "wang@example.gov.cn"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$`).MatchString(c.Password) {
		t.Errorf("initial password %q is not three groups of four", c.Password)
	}
	if !c.User.MustChangePassword || c.User.Name != "王局长" || c.User.Role != users.RoleLeader {
		t.Errorf("issued account: %+v", c.User)
	}
	if err := w.signIn("leader1", c.Password); err != nil {
		t.Errorf("the initial password does not sign in: %v", err)
	}
	// Bad input is refused field by field and stores nothing.
	_, err = users.IssueUser(ctx, w.pool, w.office.Actor(), users.NewUser{Username: "leader2", Role: users.RoleLeader,
		UnitID: &w.units[0], Profile: users.Profile{Mobile: "12345", Email: "not-an-address"}})
	if got := fieldsOf(err); len(got) != 3 || got[0] != "email" || got[1] != "mobile" || got[2] != "unit_id" {
		t.Errorf("bad leader: fields %v (%v)", got, err)
	}
	_, err = users.IssueUser(ctx, w.pool, w.office.Actor(), users.NewUser{Username: "leader1", Role: users.RoleLeader})
	if got := fieldsOf(err); len(got) != 1 || got[0] != "username" {
		t.Errorf("a taken username: fields %v (%v)", got, err)
	}
}

func TestUnitAccountsForEveryUnitInOneAction(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	// The first unit's only account is disabled: it counts as none. A
	// username the scheme would pick is taken by another account.
	old, err := users.CreateUser(ctx, w.pool, audit.System, users.NewUser{Username: "unit-hrss", Password: "river-stone-7",
		Role: users.RoleUnit, UnitID: &w.units[0]})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.tx(func(tx pgx.Tx) error {
		_, err := users.UpdateUser(ctx, tx, w.office, old.ID, users.Patch{Disabled: ptr(true)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var issued []users.Credential
	if err := w.tx(func(tx pgx.Tx) (err error) {
		issued, err = users.IssueUnitAccounts(ctx, tx, w.office.Actor())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(issued) != 2 {
		t.Fatalf("issued %d accounts, want 2: %+v", len(issued), issued)
	}
	byUnit := map[string]string{}
	for _, c := range issued {
		byUnit[c.UnitName] = c.User.Username
		if err := w.signIn(c.User.Username, c.Password); err != nil || !c.User.MustChangePassword {
			t.Errorf("%s: %v, must change %v", c.User.Username, err, c.User.MustChangePassword)
		}
	}
	if byUnit["人社局"] != "unit-hrss-2" || byUnit["税务局"] != "unit-"+itoa(w.units[1]) {
		t.Errorf("usernames: %v", byUnit)
	}
	// Pressing it again gives nobody a second account.
	if err := w.tx(func(tx pgx.Tx) (err error) {
		issued, err = users.IssueUnitAccounts(ctx, tx, w.office.Actor())
		return err
	}); err != nil || len(issued) != 0 {
		t.Errorf("second press issued %d: %v", len(issued), err)
	}
	page, err := users.List(ctx, w.pool, users.Filter{Role: users.RoleUnit, Disabled: ptr(false)})
	if err != nil || page.Total != 2 || page.Items[0].UnitName != "人社局" {
		t.Errorf("active unit accounts: %+v %v", page, err)
	}
	page, err = users.List(ctx, w.pool, users.Filter{Search: "hrss", Limit: 1, Offset: 5})
	if err != nil || page.Total != 2 || len(page.Items) != 0 {
		t.Errorf("a page past the end: %+v %v", page, err)
	}
	if _, err := users.List(ctx, w.pool, users.Filter{Role: "admin", Limit: 900}); len(fieldsOf(err)) != 2 {
		t.Errorf("bad filter: %v", err)
	}
}

func TestDisablingEndsSessionsAndTheOfficeKeepsAnAccount(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	c, err := users.IssueUser(ctx, w.pool, w.office.Actor(), users.NewUser{Username: "office2", Role: users.RoleOffice})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.SignIn(ctx, w.pool, c.User, 3600e9, "Mozilla/5.0 测试", "203.0.113.9"); err != nil {
		t.Fatal(err)
	}
	list, err := users.ListSessions(ctx, w.pool, c.User.ID, "")
	if err != nil || len(list) != 1 || list[0].Address != "203.0.113.9" || len(list[0].ID) != 16 {
		t.Fatalf("sessions: %+v %v", list, err)
	}
	update := func(actor users.User, id int64, p users.Patch) (users.User, error) {
		var u users.User
		err := w.tx(func(tx pgx.Tx) (err error) { u, err = users.UpdateUser(ctx, tx, actor, id, p); return err })
		return u, err
	}
	if _, err := update(w.office, w.office.ID, users.Patch{Disabled: ptr(true)}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("disabling oneself: %v", err)
	}
	u, err := update(w.office, c.User.ID, users.Patch{Disabled: ptr(true)})
	if err != nil || u.DisabledAt == nil {
		t.Fatalf("disable: %+v %v", u, err)
	}
	if list, _ := users.ListSessions(ctx, w.pool, c.User.ID, ""); len(list) != 0 {
		t.Errorf("a disabled account keeps %d sessions", len(list))
	}
	if err := w.signIn("office2", c.Password); err == nil {
		t.Error("a disabled account signs in")
	}
	// office1 is now the last active office account: office2, enabled
	// again, may not demote or disable it... but office1 may disable
	// office2 again, and office2 may not disable the last one.
	if _, err := update(w.office, c.User.ID, users.Patch{Disabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := update(c.User, c.User.ID, users.Patch{Role: ptr(users.RoleLeader)}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("changing one's own role: %v", err)
	}
	if _, err := update(c.User, w.office.ID, users.Patch{Disabled: ptr(true)}); err != nil {
		t.Errorf("with two office accounts one may go: %v", err)
	}
	if _, err := update(w.office, c.User.ID, users.Patch{Role: ptr(users.RoleLeader)}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("demoting the last office account: %v", err)
	}
	// A unit account moved to another unit; a profile with a bad mobile
	// changes nothing.
	unit, err := users.IssueUser(ctx, w.pool, w.office.Actor(), users.NewUser{Username: "hr1", Role: users.RoleUnit, UnitID: &w.units[0]})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := update(c.User, unit.User.ID, users.Patch{Role: ptr(users.RoleUnit), UnitID: &w.units[1]}); err != nil || *u.UnitID != w.units[1] {
		t.Errorf("move to another unit: %+v %v", u, err)
	}
	if _, err := update(c.User, unit.User.ID, users.Patch{Profile: &users.Profile{Name: "李四", Mobile: "138"}}); len(fieldsOf(err)) != 1 {
		t.Errorf("bad mobile: %v", err)
	}
	if got, _ := users.FindUserByID(ctx, w.pool, unit.User.ID); got.Name != "" {
		t.Errorf("a refused patch changed the name to %q", got.Name)
	}
	var actions []string
	rows, _ := w.pool.Query(ctx, `SELECT action FROM audit_log WHERE entity = 'user' ORDER BY id`)
	actions, _ = pgx.CollectRows(rows, pgx.RowTo[string])
	want := "[user.create user.create user.disable user.enable user.disable user.create user.update]"
	if got := fmtList(actions); got != want {
		t.Errorf("audit: %s, want %s", got, want)
	}
}

func TestPasswordResetAndChange(t *testing.T) {
	w := newAccountsWorld(t)
	ctx := context.Background()
	unit, err := users.CreateUser(ctx, w.pool, audit.System, users.NewUser{Username: "hr1", Password: "river-stone-7",
		Role: users.RoleUnit, UnitID: &w.units[0]})
	if err != nil {
		t.Fatal(err)
	}
	s1, _ := users.SignIn(ctx, w.pool, unit, 3600e9, "", "")
	var temp string
	if err := w.tx(func(tx pgx.Tx) (err error) { temp, err = users.ResetPassword(ctx, tx, w.office, unit.ID); return err }); err != nil {
		t.Fatal(err)
	}
	if w.signIn("hr1", "river-stone-7") == nil || w.signIn("hr1", temp) != nil {
		t.Fatal("after the reset the old password signs in, or the temporary one does not")
	}
	if _, err := users.FindSession(ctx, w.pool, s1.Token); err == nil {
		t.Error("a session survived the reset")
	}
	u, _ := users.FindUserByID(ctx, w.pool, unit.ID)
	if !u.MustChangePassword {
		t.Error("a reset password is not temporary")
	}
	s2, _ := users.SignIn(ctx, w.pool, u, 3600e9, "", "")
	s3, _ := users.SignIn(ctx, w.pool, u, 3600e9, "", "")
	change := func(current, next string) error {
		return w.tx(func(tx pgx.Tx) error { return users.ChangePassword(ctx, tx, u, s2.Token, current, next) })
	}
	for _, c := range []struct{ current, next, field string }{
		{"wrong", "meadow-lantern-4", "current_password"},
		{temp, "12345678", "new_password"},
		{temp, "hr1!!!!!!", "new_password"},
		{temp, temp, "new_password"},
	} {
		if got := fieldsOf(change(c.current, c.next)); len(got) != 1 || got[0] != c.field {
			t.Errorf("%q → %q: fields %v, want %s", c.current, c.next, got, c.field)
		}
	}
	if err := change(temp, "meadow-lantern-4"); err != nil {
		t.Fatal(err)
	}
	if w.signIn("hr1", "meadow-lantern-4") != nil || w.signIn("hr1", temp) == nil {
		t.Error("after the change the new password does not sign in, or the temporary one does")
	}
	if _, err := users.FindSession(ctx, w.pool, s2.Token); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if _, err := users.FindSession(ctx, w.pool, s3.Token); err == nil {
		t.Error("another session survived the change")
	}
	if u, _ := users.FindUserByID(ctx, w.pool, unit.ID); u.MustChangePassword || u.LastSignInAt == nil {
		t.Errorf("after the change: must change %v, last sign-in %v", u.MustChangePassword, u.LastSignInAt)
	}
}

func fmtList(s []string) string { return "[" + strings.Join(s, " ") + "]" }
