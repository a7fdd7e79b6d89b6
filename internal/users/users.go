// Package users holds staff accounts, their roles and their sessions.
package users

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// Roles.
const (
	RoleOffice = "office" // performance office staff (绩效办): every unit
	RoleUnit   = "unit"   // staff of one responsible unit (责任单位): their unit only
	// RoleLeader is a member of the leadership body (领导): sees every
	// unit's figures and published material, changes nothing.
	RoleLeader = "leader"
)

// RoleNames are the roles as the console names them.
var RoleNames = map[string]string{RoleOffice: "绩效办", RoleUnit: "单位", RoleLeader: "领导（只读）"}

// User is a staff account.
type User struct {
	ID           int64  `json:"id" db:"id"`
	Username     string `json:"username" db:"username"`
	PasswordHash string `json:"-" db:"password_hash"`
	Role         string `json:"role" db:"role"`
	UnitID       *int64 `json:"unit_id" db:"unit_id"`
	Name         string `json:"name" db:"name"`
	Mobile       string `json:"mobile" db:"mobile"`
	Email        string `json:"email" db:"email"`
	// NotifyChannels are the channels besides the inbox the account is
	// reached on: "email", "sms" (migration 0035; e-mail by default).
	NotifyChannels     []string   `json:"notify_channels" db:"notify_channels"`
	MustChangePassword bool       `json:"must_change_password" db:"must_change_password"`
	LastSignInAt       *time.Time `json:"last_sign_in_at" db:"last_sign_in_at"`
	CreatedAt          time.Time  `json:"created_at" db:"created_at"`
	DisabledAt         *time.Time `json:"disabled_at,omitempty" db:"disabled_at"`
}

// userCols are the columns of User, in a statement over users u.
const userCols = `u.id, u.username, u.password_hash, u.role, u.unit_id, u.name, u.mobile, u.email, u.notify_channels,
	u.must_change_password, u.last_sign_in_at, u.created_at, u.disabled_at`

// Actor returns the user as an audit actor.
func (u User) Actor() audit.Actor { return audit.Actor{ID: u.ID, Name: u.Username} }

// SeesAll reports whether the user reads every unit's data: the office and
// leaders.
func (u User) SeesAll() bool { return u.Role == RoleOffice || u.Role == RoleLeader }

// ReadOnly reports whether the user may change nothing but their own
// password and session.
func (u User) ReadOnly() bool { return u.Role == RoleLeader }

// CanSeeUnit reports whether the user may read the unit's data.
func (u User) CanSeeUnit(unitID int64) bool {
	return u.SeesAll() || (u.UnitID != nil && *u.UnitID == unitID)
}

// NewUser is the input to CreateUser.
type NewUser struct {
	Username string
	Password string
	Role     string
	UnitID   *int64
	Profile
	// MustChange makes the password temporary: it must be changed at the
	// next sign-in (an initial password the office hands out).
	MustChange bool
}

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,40}$`)

// maxPasswordBytes is bcrypt's limit: it reads no further.
const maxPasswordBytes = 72

// Validate returns an invalid error naming each bad field.
func (n NewUser) Validate() error {
	f := apperr.Fields{}
	if !usernameRE.MatchString(n.Username) {
		f.Add("username", "用户名须为3–40位字母、数字或 _ . -")
	}
	if msg := passwordProblem(n.Username, n.Password); msg != "" {
		f.Add("password", msg)
	}
	roleProblems(f, n.Role, n.UnitID)
	n.Profile.check(f)
	return f.Err()
}

// passwordProblem returns why password may not be username's, or "".
func passwordProblem(username, password string) string {
	switch {
	case !safetext.Valid(password):
		return "密码" + safetext.Message
	case len([]rune(password)) < 8:
		return "密码至少8位"
	case len(password) > maxPasswordBytes:
		return "密码不能超过72字节"
	}
	return WeakPassword(username, password)
}

// roleProblems adds what is wrong with a role and its unit.
func roleProblems(f apperr.Fields, role string, unitID *int64) {
	switch role {
	case RoleOffice, RoleLeader:
		if unitID != nil {
			f.Add("unit_id", "绩效办和领导账号不属于单位")
		}
	case RoleUnit:
		if unitID == nil {
			f.Add("unit_id", "单位账号必须指定所属单位")
		}
	default:
		f.Add("role", "角色须为绩效办（office）、单位（unit）或领导（leader）")
	}
}

// CreateUser validates and stores a new user. It returns an invalid error for
// bad input (including an unknown unit) and conflict when the username is taken.
func CreateUser(ctx context.Context, q db.DBTX, actor audit.Actor, n NewUser) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := secure.HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	return insertUser(ctx, q, actor, n, hash)
}

// insertUser stores n with the password hash and records it.
func insertUser(ctx context.Context, q db.DBTX, actor audit.Actor, n NewUser, hash string) (User, error) {
	const sql = `INSERT INTO users AS u (username, password_hash, role, unit_id, name, mobile, email, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ` + userCols
	rows, _ := q.Query(ctx, sql, n.Username, hash, n.Role, n.UnitID, n.Name, n.Mobile, n.Email, n.MustChange)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	if err != nil {
		err = db.Err(err)
		if apperr.Is(err, apperr.Conflict) {
			return User{}, apperr.InvalidField("username", "用户名已被使用")
		}
		if apperr.Is(err, apperr.Invalid) {
			return User{}, apperr.InvalidField("unit_id", "所属单位不存在")
		}
		return User{}, err
	}
	err = audit.Record(ctx, q, actor, "user.create", "user", strconv.FormatInt(u.ID, 10), nil, u)
	return u, err
}

// FindUserByID returns the user, or not_found.
func FindUserByID(ctx context.Context, q db.DBTX, id int64) (User, error) {
	rows, _ := q.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = $1`, id)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
	return u, db.Err(err)
}

// Authenticate returns the active user with the username and password, or
// unauthorized. It takes the same time whether or not the user exists. A
// username no account can have (one Validate refuses, such as one with NUL
// or invalid UTF-8) is not looked up, and a password longer than bcrypt
// reads never matches: otherwise anything appended to a 72-byte password
// would sign in too.
func Authenticate(ctx context.Context, q db.DBTX, username, password string) (User, error) {
	var u User
	if usernameRE.MatchString(username) {
		rows, _ := q.Query(ctx, `SELECT `+userCols+` FROM users u WHERE u.username = $1 AND u.disabled_at IS NULL`, username)
		var err error
		u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[User])
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return User{}, db.Err(err)
		}
	}
	hash := u.PasswordHash
	if hash == "" {
		hash = dummyHash
	}
	if !secure.CheckPassword(hash, password) || u.ID == 0 || len(password) > maxPasswordBytes {
		return User{}, apperr.New(apperr.Unauthorized, "用户名或密码错误")
	}
	return u, nil
}

// dummyHash is compared against when the user does not exist, so a missing
// account costs as much time as a wrong password.
var dummyHash, _ = secure.HashPassword("minyi-no-such-user")

// ListUsers returns every user, ordered by username.
func ListUsers(ctx context.Context, q db.DBTX) ([]User, error) {
	rows, _ := q.Query(ctx, `SELECT `+userCols+` FROM users u ORDER BY u.username`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
	return list, db.Err(err)
}

// CountUsers returns how many users exist.
func CountUsers(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, db.Err(err)
}
