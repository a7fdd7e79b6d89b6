package users

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/secure"
)

// Accounts the office hands out get a generated password that must be
// changed at the first sign-in: the office sees it once, on the screen or
// on a printed credential letter, and never again.

// Credential is an account just handed out and its initial password.
type Credential struct {
	User     User   `json:"user"`
	UnitName string `json:"unit_name,omitempty"`
	Password string `json:"initial_password"`
}

// IssueUser creates the account n (its Password is ignored) with a
// generated initial password to be changed at the first sign-in.
func IssueUser(ctx context.Context, q db.DBTX, actor audit.Actor, n NewUser) (Credential, error) {
	n.Password, n.MustChange = GeneratePassword(), true
	if err := n.Validate(); err != nil {
		return Credential{}, err
	}
	hash, err := secure.HashGeneratedPassword(n.Password)
	if err != nil {
		return Credential{}, err
	}
	u, err := insertUser(ctx, q, actor, n, hash)
	return Credential{User: u, Password: n.Password}, err
}

// issueLock is the advisory lock IssueUnitAccounts holds, so that two
// offices pressing the button at once do not both give a unit an account.
const issueLock = 7_305_013

// IssueUnitAccounts gives every unit without an active account one, with a
// generated initial password, in one transaction, and returns them in the
// order of the units' names. The username is "unit-" and the unit's short
// code (or its number), with "-2", "-3" … when taken.
func IssueUnitAccounts(ctx context.Context, tx pgx.Tx, actor audit.Actor) ([]Credential, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, issueLock); err != nil {
		return nil, db.Err(err)
	}
	rows, _ := tx.Query(ctx, `SELECT n.id, n.name, coalesce(lower(n.short_code), n.id::text) FROM units n
		WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.unit_id = n.id AND u.disabled_at IS NULL)
		ORDER BY n.name`)
	type unit struct {
		id         int64
		name, code string
	}
	var todo []unit
	var x unit
	if _, err := pgx.ForEachRow(rows, []any{&x.id, &x.name, &x.code}, func() error {
		todo = append(todo, x)
		return nil
	}); err != nil {
		return nil, db.Err(err)
	}
	taken, err := takenUsernames(ctx, tx)
	if err != nil {
		return nil, err
	}
	out := make([]Credential, 0, len(todo))
	for _, t := range todo {
		username := freeUsername(taken, "unit-"+strings.ReplaceAll(t.code, "_", "-"))
		taken[username] = true
		id := t.id
		c, err := IssueUser(ctx, tx, actor, NewUser{Username: username, Role: RoleUnit, UnitID: &id})
		if err != nil {
			return nil, err
		}
		c.UnitName = t.name
		out = append(out, c)
	}
	return out, nil
}

// takenUsernames returns every username in use, in lower case.
func takenUsernames(ctx context.Context, tx pgx.Tx) (map[string]bool, error) {
	rows, _ := tx.Query(ctx, `SELECT lower(username) FROM users`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, db.Err(err)
	}
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		taken[n] = true
	}
	return taken, nil
}

// freeUsername returns base, or base-2, base-3 … the first not taken.
func freeUsername(taken map[string]bool, base string) string {
	if len(base) > 34 {
		base = base[:34]
	}
	name := base
	for i := 2; taken[strings.ToLower(name)]; i++ {
		name = base + "-" + strconv.Itoa(i)
	}
	return name
}

// Filter selects accounts for the office's list.
type Filter struct {
	Role     string // "" for every role
	UnitID   *int64
	Search   string // part of the username or the name
	Disabled *bool
	Limit    int // 1–500, default 100
	Offset   int
}

// ListPage is a page of accounts with the unit names and the total.
type ListPage struct {
	Items []Listed `json:"items"`
	Total int      `json:"total"`
}

// Listed is an account in the office's list.
type Listed struct {
	User
	UnitName string `json:"unit_name" db:"unit_name"`
}

// List returns the accounts matching f, by role, unit and username. An
// office has a few thousand accounts at most, so the total is exact.
func List(ctx context.Context, q db.DBTX, f Filter) (ListPage, error) {
	e := apperr.Fields{}
	if f.Role != "" && RoleNames[f.Role] == "" {
		e.Add("role", "角色须为 office、unit 或 leader")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		e.Add("limit", "limit 须为 1 到 500")
	}
	if f.Offset < 0 {
		e.Add("offset", "offset 不能为负数")
	}
	if err := e.Err(); err != nil {
		return ListPage{}, err
	}
	like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Search) + "%"
	rows, _ := q.Query(ctx, `SELECT `+userCols+`, coalesce(n.name, '') AS unit_name, count(*) OVER () AS total
		FROM users u LEFT JOIN units n ON n.id = u.unit_id
		WHERE ($1 = '' OR u.role = $1) AND ($2::bigint IS NULL OR u.unit_id = $2)
		  AND ($3 = '%%' OR u.username ILIKE $3 OR u.name ILIKE $3)
		  AND ($4::bool IS NULL OR (u.disabled_at IS NOT NULL) = $4)
		ORDER BY CASE u.role WHEN 'office' THEN 0 WHEN 'leader' THEN 1 ELSE 2 END, n.name, u.username
		LIMIT $5 OFFSET $6`, f.Role, f.UnitID, like, f.Disabled, f.Limit, f.Offset)
	type row struct {
		Listed
		Total int `db:"total"`
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return ListPage{}, db.Err(err)
	}
	page := ListPage{Items: make([]Listed, len(list))}
	for i, r := range list {
		page.Items[i], page.Total = r.Listed, r.Total
	}
	if len(list) == 0 && f.Offset > 0 {
		// Past the end: the total still tells how many there are.
		f.Offset, f.Limit = 0, 1
		p, err := List(ctx, q, f)
		return ListPage{Items: []Listed{}, Total: p.Total}, err
	}
	return page, nil
}
