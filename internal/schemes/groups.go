package schemes

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// DefaultGroupName names the default scheme: the one that scores the
// units of every category in no group (all of them in a cycle without
// groups).
const DefaultGroupName = "通用方案"

// Group is a set of a cycle's categories whose units are scored on one
// scheme of their own (乡镇 / 县直部门 / 驻县单位). A category belongs to
// at most one group of a cycle; categories in none are scored on the
// cycle's default scheme.
type Group struct {
	ID         int64     `json:"id" db:"id"`
	CycleID    int64     `json:"cycle_id" db:"cycle_id"`
	Name       string    `json:"name" db:"name"`
	Categories []string  `json:"categories" db:"categories"`
	CreatedAt  time.Time `json:"created_at" db:"created_at"`
	UpdatedAt  time.Time `json:"updated_at" db:"updated_at"`
	// Versions is how many scheme versions the group has.
	Versions int `json:"versions" db:"versions"`
}

// GroupInput is what the office submits for a group.
type GroupInput struct {
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
}

const groupColumns = `g.id, g.cycle_id, g.name, g.categories, g.created_at, g.updated_at,
	(SELECT count(*) FROM cycle_schemes s WHERE s.group_id = g.id)::int AS versions`

// Groups returns the cycle's scheme groups in the order they were made.
func Groups(ctx context.Context, q db.DBTX, cycleID int64) ([]Group, error) {
	rows, _ := q.Query(ctx, `SELECT `+groupColumns+` FROM scheme_groups g WHERE g.cycle_id = $1 ORDER BY g.id`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Group])
	if list == nil {
		list = []Group{}
	}
	return list, db.Err(err)
}

// GroupOf returns the group of the cycle that holds category, nil when
// the category's units are scored on the default scheme.
func GroupOf(groups []Group, category string) *Group {
	for i := range groups {
		if slices.Contains(groups[i].Categories, category) {
			return &groups[i]
		}
	}
	return nil
}

// FindGroup returns the cycle's group id; a group of another cycle or none
// is invalid (field group_id), with a Chinese message.
func FindGroup(ctx context.Context, q db.DBTX, cycleID, groupID int64) (Group, error) {
	rows, _ := q.Query(ctx, `SELECT `+groupColumns+` FROM scheme_groups g WHERE g.id = $1`, groupID)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Group])
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Group{}, apperr.InvalidField("group_id", "方案分组不存在")
		}
		return Group{}, db.Err(err)
	}
	if g.CycleID != cycleID {
		return Group{}, apperr.InvalidField("group_id", "方案分组“"+g.Name+"”属于其他考核年度，不能在本年度使用")
	}
	return g, nil
}

// lockCycleCategories locks the cycle row and returns its categories; a
// cycle whose categories are not set yet cannot have groups.
func lockCycleCategories(ctx context.Context, tx pgx.Tx, cycleID int64) ([]string, error) {
	var cats []string
	err := tx.QueryRow(ctx, `SELECT categories FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&cats)
	if err != nil {
		return nil, notFound(db.Err(err), "考核年度不存在")
	}
	if cats == nil {
		return nil, apperr.InvalidField("categories", "请先设置本考核年度的单位类别")
	}
	return cats, nil
}

// validateGroup normalizes the input and checks it against the cycle's
// categories and its other groups (all but selfID): a name of 1–30
// characters not used by another group nor 通用方案, at least one
// category, each one of the cycle's, listed once and in no other group.
func validateGroup(in GroupInput, cats []string, others []Group, selfID int64) (GroupInput, error) {
	out := GroupInput{Name: strings.TrimSpace(in.Name)}
	switch n := utf8.RuneCountInString(out.Name); {
	case n == 0:
		return out, apperr.InvalidField("name", "请填写分组名称")
	case n > 30:
		return out, apperr.InvalidField("name", "分组名称不能超过30字")
	case out.Name == DefaultGroupName:
		return out, apperr.InvalidField("name", "“"+DefaultGroupName+"”是未分组类别所用方案的名称，请换一个分组名称")
	}
	for _, c := range in.Categories {
		c = strings.TrimSpace(c)
		switch {
		case c == "":
			continue
		case !slices.Contains(cats, c):
			return out, apperr.InvalidField("categories", "“"+c+"”不是本考核年度的单位类别")
		case slices.Contains(out.Categories, c):
			return out, apperr.InvalidField("categories", "类别“"+c+"”重复")
		}
		for _, g := range others {
			if g.ID != selfID && slices.Contains(g.Categories, c) {
				return out, apperr.InvalidField("categories", "类别“"+c+"”已归入方案分组“"+g.Name+"”，一个类别只能属于一个分组")
			}
		}
		out.Categories = append(out.Categories, c)
	}
	if len(out.Categories) == 0 {
		return out, apperr.InvalidField("categories", "方案分组须至少包含一个单位类别")
	}
	// Keep the cycle's order of categories.
	slices.SortStableFunc(out.Categories, func(a, b string) int { return slices.Index(cats, a) - slices.Index(cats, b) })
	for _, g := range others {
		if g.ID != selfID && g.Name == out.Name {
			return out, apperr.InvalidField("name", "分组名称“"+out.Name+"”已被使用")
		}
	}
	return out, nil
}

// SaveGroup creates a group (groupID 0) or changes one of the cycle's, and
// records it in the audit log. Bad input is invalid and changes nothing:
// a group with no categories, a category in two groups or not the
// cycle's, a group of another cycle.
func SaveGroup(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, groupID int64, in GroupInput) (Group, error) {
	cats, err := lockCycleCategories(ctx, tx, cycleID)
	if err != nil {
		return Group{}, err
	}
	var before *Group
	if groupID != 0 {
		g, err := FindGroup(ctx, tx, cycleID, groupID)
		if err != nil {
			return Group{}, err
		}
		before = &g
	}
	others, err := Groups(ctx, tx, cycleID)
	if err != nil {
		return Group{}, err
	}
	in, err = validateGroup(in, cats, others, groupID)
	if err != nil {
		return Group{}, err
	}
	if groupID == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO scheme_groups (cycle_id, name, categories) VALUES ($1, $2, $3) RETURNING id`,
			cycleID, in.Name, in.Categories).Scan(&groupID)
	} else {
		_, err = tx.Exec(ctx, `UPDATE scheme_groups SET name = $2, categories = $3, updated_at = now() WHERE id = $1`,
			groupID, in.Name, in.Categories)
	}
	if err != nil {
		return Group{}, db.Err(err)
	}
	g, err := FindGroup(ctx, tx, cycleID, groupID)
	if err != nil {
		return Group{}, err
	}
	var old any
	if before != nil {
		old = GroupInput{before.Name, before.Categories}
	}
	return g, audit.Record(ctx, tx, actor, "cycle.scheme_group", "cycle", strconv.FormatInt(cycleID, 10),
		old, map[string]any{"group": g.ID, "name": g.Name, "categories": g.Categories})
}

// DeleteGroup removes a group that has no scheme version yet (its
// categories go back to the default scheme); a group with versions is
// kept, as its versions are the record of how units were scored.
func DeleteGroup(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID, groupID int64) error {
	var id int64
	if err := tx.QueryRow(ctx, `SELECT id FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&id); err != nil {
		return notFound(db.Err(err), "考核年度不存在")
	}
	g, err := FindGroup(ctx, tx, cycleID, groupID)
	if err != nil {
		return err
	}
	if g.Versions > 0 {
		return apperr.New(apperr.Conflict, "方案分组“"+g.Name+"”已保存考核方案，不能删除；可调整其包含的类别")
	}
	if _, err := tx.Exec(ctx, `DELETE FROM scheme_groups WHERE id = $1`, groupID); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "cycle.scheme_group_delete", "cycle", strconv.FormatInt(cycleID, 10),
		GroupInput{g.Name, g.Categories}, nil)
}
