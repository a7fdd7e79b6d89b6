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
)

// User is a staff account.
type User struct {
	ID           int64      `json:"id" db:"id"`
	Username     string     `json:"username" db:"username"`
	PasswordHash string     `json:"-" db:"password_hash"`
	Role         string     `json:"role" db:"role"`
	UnitID       *int64     `json:"unit_id" db:"unit_id"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty" db:"disabled_at"`
}

// Actor returns the user as an audit actor.
func (u User) Actor() audit.Actor { return audit.Actor{ID: u.ID, Name: u.Username} }

// CanSeeUnit reports whether the user may read the unit's data.
func (u User) CanSeeUnit(unitID int64) bool {
	return u.Role == RoleOffice || (u.UnitID != nil && *u.UnitID == unitID)
}

// NewUser is the input to CreateUser.
type NewUser struct {
	Username string
	Password string
	Role     string
	UnitID   *int64
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
	switch {
	case !safetext.Valid(n.Password):
		f.Add("password", "密码"+safetext.Message)
	case len([]rune(n.Password)) < 8:
		f.Add("password", "密码至少8位")
	case len(n.Password) > maxPasswordBytes:
		f.Add("password", "密码不能超过72字节")
	default:
		if msg := WeakPassword(n.Username, n.Password); msg != "" {
			f.Add("password", msg)
		}
	}
	switch n.Role {
	case RoleOffice:
		if n.UnitID != nil {
			f.Add("unit_id", "绩效办账号不属于单位")
		}
	case RoleUnit:
		if n.UnitID == nil {
			f.Add("unit_id", "单位账号必须指定所属单位")
		}
	default:
		f.Add("role", "角色须为 office 或 unit")
	}
	return f.Err()
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
	const sql = `INSERT INTO users (username, password_hash, role, unit_id) VALUES ($1, $2, $3, $4)
		RETURNING id, username, password_hash, role, unit_id, created_at, disabled_at`
	rows, _ := q.Query(ctx, sql, n.Username, hash, n.Role, n.UnitID)
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
	rows, _ := q.Query(ctx, `SELECT id, username, password_hash, role, unit_id, created_at, disabled_at FROM users WHERE id = $1`, id)
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
		rows, _ := q.Query(ctx, `SELECT id, username, password_hash, role, unit_id, created_at, disabled_at
			FROM users WHERE username = $1 AND disabled_at IS NULL`, username)
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
	rows, _ := q.Query(ctx, `SELECT id, username, password_hash, role, unit_id, created_at, disabled_at FROM users ORDER BY username`)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
	return list, db.Err(err)
}

// CountUsers returns how many users exist.
func CountUsers(ctx context.Context, q db.DBTX) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, db.Err(err)
}
