package users

import (
	"context"
	"crypto/rand"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// Profile is the person behind an account: a name to address them by, and
// the mobile number and e-mail address notifications go to. Each may be
// empty.
type Profile struct {
	Name   string `json:"name"`
	Mobile string `json:"mobile"`
	Email  string `json:"email"`
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	emailRE  = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// check adds what is wrong with the profile.
func (p Profile) check(f apperr.Fields) {
	switch {
	case !safetext.Valid(p.Name) || strings.ContainsAny(p.Name, "\r\n"):
		f.Add("name", "姓名"+safetext.Message)
	case utf8.RuneCountInString(p.Name) > 40:
		f.Add("name", "姓名不能超过40个字")
	}
	if p.Mobile != "" && !mobileRE.MatchString(p.Mobile) {
		f.Add("mobile", "手机号须为11位数字，以1开头")
	}
	if p.Email != "" && (len(p.Email) > 254 || !emailRE.MatchString(p.Email) || !safetext.Valid(p.Email)) {
		f.Add("email", "电子邮箱格式不正确，例如 name@example.gov.cn")
	}
}

// passwordAlphabet leaves out characters read alike (0 O o, 1 l I).
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// GeneratePassword returns a new random password to hand out: three groups
// of four characters from passwordAlphabet (about 70 bits), easy to read
// off a printed letter and to type.
func GeneratePassword() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	var sb strings.Builder
	for i, x := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		// 256 is not a multiple of the alphabet's length; the bias (under
		// 1 %) costs a fraction of a bit.
		sb.WriteByte(passwordAlphabet[int(x)%len(passwordAlphabet)])
	}
	return sb.String()
}

// Patch changes an account: each non-nil field is set. Role and UnitID go
// together: a role change names the unit (nil for office and leader).
type Patch struct {
	Profile  *Profile
	Role     *string
	UnitID   *int64
	Disabled *bool
	// NotifyChannels replaces the channels the account is reached on.
	NotifyChannels *[]string
}

// ChannelNames are the channels an account may choose, as pages name them.
var ChannelNames = map[string]string{"email": "邮件", "sms": "短信"}

// checkChannels returns the chosen channels in a fixed order, or adds why
// they cannot be.
func checkChannels(f apperr.Fields, chosen []string) []string {
	out := []string{}
	for _, ch := range []string{"email", "sms"} {
		for _, c := range chosen {
			if c == ch {
				out = append(out, ch)
				break
			}
		}
	}
	for _, c := range chosen {
		if ChannelNames[c] == "" {
			f.Add("notify_channels", "通知渠道只能选邮件（email）或短信（sms）")
			break
		}
	}
	return out
}

// UpdateUser applies the patch to the user id as actor and returns the
// account after it. Disabling ends the account's sessions at once. Nobody
// disables their own account or takes away their own office role, and the
// last active office account stays, so the office cannot lock itself out.
func UpdateUser(ctx context.Context, tx pgx.Tx, actor User, id int64, p Patch) (User, error) {
	before, err := lockUser(ctx, tx, id)
	if err != nil {
		return User{}, err
	}
	after := before
	f := apperr.Fields{}
	if p.Profile != nil {
		p.Profile.check(f)
		after.Name, after.Mobile, after.Email = p.Profile.Name, p.Profile.Mobile, p.Profile.Email
	}
	if p.NotifyChannels != nil {
		after.NotifyChannels = checkChannels(f, *p.NotifyChannels)
	}
	if p.Role != nil {
		roleProblems(f, *p.Role, p.UnitID)
		after.Role, after.UnitID = *p.Role, p.UnitID
	}
	if err := f.Err(); err != nil {
		return User{}, err
	}
	disabling := p.Disabled != nil && *p.Disabled && before.DisabledAt == nil
	if id == actor.ID && (disabling || after.Role != before.Role) {
		return User{}, apperr.New(apperr.Conflict, "不能停用自己的账号或更改自己的角色")
	}
	if before.Role == RoleOffice && before.DisabledAt == nil && (disabling || after.Role != RoleOffice) {
		if err := keepAnOffice(ctx, tx, id); err != nil {
			return User{}, err
		}
	}
	disabled := p.Disabled != nil && *p.Disabled || p.Disabled == nil && before.DisabledAt != nil
	rows, _ := tx.Query(ctx, `UPDATE users AS u SET name = $2, mobile = $3, email = $4, role = $5, unit_id = $6,
		disabled_at = CASE WHEN NOT $7 THEN NULL ELSE coalesce(u.disabled_at, now()) END, notify_channels = $8,
		updated_at = now()
		WHERE u.id = $1 RETURNING `+userCols,
		id, after.Name, after.Mobile, after.Email, after.Role, after.UnitID, disabled, after.NotifyChannels)
	after, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.Invalid) {
			return User{}, apperr.InvalidField("unit_id", "所属单位不存在")
		}
		return User{}, err
	}
	if disabled || after.Role != before.Role || !sameUnit(after.UnitID, before.UnitID) {
		// A changed role or unit must not live on in a session that
		// carries the old one's rights to pages already open.
		if err := EndSessions(ctx, tx, id, ""); err != nil {
			return User{}, err
		}
	}
	action := "user.update"
	switch {
	case disabling:
		action = "user.disable"
	case before.DisabledAt != nil && !disabled:
		action = "user.enable"
	}
	return after, audit.Record(ctx, tx, actor.Actor(), action, "user", strconv.FormatInt(id, 10), before, after)
}

func sameUnit(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

// lockUser reads the user id for update, or not_found.
func lockUser(ctx context.Context, tx pgx.Tx, id int64) (User, error) {
	rows, _ := tx.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1 FOR UPDATE`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			return User{}, apperr.New(apperr.NotFound, "账号不存在")
		}
	}
	return u, err
}

// keepAnOffice refuses when no active office account but id would remain.
// The office accounts are locked in id order, so two offices demoting each
// other at once cannot both pass.
func keepAnOffice(ctx context.Context, tx pgx.Tx, id int64) error {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT id FROM users
		WHERE role = 'office' AND disabled_at IS NULL AND id <> $1 ORDER BY id FOR UPDATE) AS o`, id).Scan(&n)
	if err != nil {
		return db.Err(err)
	}
	if n == 0 {
		return apperr.New(apperr.Conflict, "这是最后一个可用的绩效办账号，不能停用或改为其他角色")
	}
	return nil
}

// ResetPassword gives the user id a new temporary password, which must be
// changed at the next sign-in, ends the account's sessions and returns the
// password (shown once: only its hash is kept).
func ResetPassword(ctx context.Context, tx pgx.Tx, actor User, id int64) (string, error) {
	u, err := lockUser(ctx, tx, id)
	if err != nil {
		return "", err
	}
	password := GeneratePassword()
	hash, err := secure.HashGeneratedPassword(password)
	if err != nil {
		return "", err
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = true,
		password_changed_at = now(), updated_at = now() WHERE id = $1`, id, hash); err != nil {
		return "", db.Err(err)
	}
	if err := EndSessions(ctx, tx, id, ""); err != nil {
		return "", err
	}
	return password, audit.Record(ctx, tx, actor.Actor(), "user.password_reset", "user", strconv.FormatInt(id, 10),
		nil, map[string]any{"username": u.Username, "temporary": true})
}

// ChangePassword sets the signed-in user's own password after checking
// the current one, makes it permanent and ends the account's other
// sessions (keep is the token of the session that asked).
func ChangePassword(ctx context.Context, tx pgx.Tx, user User, keep, current, next string) error {
	u, err := lockUser(ctx, tx, user.ID)
	if err != nil {
		return err
	}
	f := apperr.Fields{}
	switch {
	case current == "":
		f.Add("current_password", "请填写当前密码")
	case len(current) > maxPasswordBytes || !secure.CheckPassword(u.PasswordHash, current):
		f.Add("current_password", "当前密码不正确")
	}
	if msg := passwordProblem(u.Username, next); msg != "" {
		f.Add("new_password", strings.Replace(msg, "密码", "新密码", 1))
	} else if next == current {
		f.Add("new_password", "新密码不能与当前密码相同")
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := secure.HashPassword(next)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = $2, must_change_password = false,
		password_changed_at = now(), updated_at = now() WHERE id = $1`, u.ID, hash); err != nil {
		return db.Err(err)
	}
	if err := EndSessions(ctx, tx, u.ID, keep); err != nil {
		return err
	}
	return audit.Record(ctx, tx, u.Actor(), "user.password_change", "user", strconv.FormatInt(u.ID, 10), nil,
		map[string]any{"username": u.Username, "was_temporary": u.MustChangePassword})
}
