package cycles

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Limits of a cycle's category list.
const (
	MaxCategories      = 30
	MaxCategoryLength  = 30
	categoryListAction = "cycle.categories"
)

// CategoryPreset is a shipped list of unit categories from a regulation.
type CategoryPreset struct {
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Categories []string `json:"categories"`
}

var categoryPresets = []CategoryPreset{
	{Key: "jiangxi", Name: "江西省直单位（六类）",
		Categories: []string{"党政综合类", "经济发展类", "执法监督类", "社会服务类", "人民团体和民主党派类", "中央驻赣类"}},
	{Key: "zhongshan", Name: "中山市（三类）", Categories: []string{"经济管理服务", "社会管理服务", "综合管理服务"}},
	{Key: "fuxin", Name: "阜新市（三个系列）", Categories: []string{"系列Ⅰ", "系列Ⅱ", "系列Ⅲ"}},
}

// CategoryPresets returns the shipped category lists.
func CategoryPresets() []CategoryPreset {
	out := make([]CategoryPreset, len(categoryPresets))
	for i, p := range categoryPresets {
		p.Categories = slices.Clone(p.Categories)
		out[i] = p
	}
	return out
}

// CategoriesInput is what the office submits: a preset's key or a list.
type CategoriesInput struct {
	Preset     string   `json:"preset"`
	Categories []string `json:"categories"`
	// ConfirmRemove confirms that the units of a category leaving the
	// list no longer take part in the cycle.
	ConfirmRemove bool `json:"confirm_remove"`
}

// Resolve returns the normalized list, or an invalid error: neither or
// both of preset and list, an unknown preset, an empty list, more than 30
// categories, an empty or over-long name, a name with a comma or a
// control character, or a category listed twice.
func (in CategoriesInput) Resolve() ([]string, error) {
	preset := strings.TrimSpace(in.Preset)
	switch {
	case preset != "" && len(in.Categories) > 0:
		return nil, apperr.InvalidField("preset", "预设类别和自定类别只能提交其中一项")
	case preset != "":
		i := slices.IndexFunc(categoryPresets, func(p CategoryPreset) bool { return p.Key == preset })
		if i < 0 {
			return nil, apperr.InvalidField("preset", "没有这个预设类别")
		}
		return slices.Clone(categoryPresets[i].Categories), nil
	}
	var out []string
	for _, c := range in.Categories {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		switch {
		case utf8.RuneCountInString(c) > MaxCategoryLength:
			return nil, apperr.InvalidField("categories", "类别名称不能超过30字："+c)
		case strings.ContainsAny(c, ",，、") || strings.ContainsFunc(c, unicode.IsControl):
			return nil, apperr.InvalidField("categories", "类别名称不能含逗号、顿号或控制字符："+c)
		case slices.Contains(out, c):
			return nil, apperr.InvalidField("categories", "类别“"+c+"”重复")
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, apperr.InvalidField("categories", "请至少填写一个单位类别")
	}
	if len(out) > MaxCategories {
		return nil, apperr.InvalidField("categories", "单位类别不能超过30个")
	}
	return out, nil
}

// Categories returns the cycle's categories in order; fallback (the
// server's UNIT_CATEGORIES) when the cycle has none set yet. It returns
// not_found for an unknown cycle.
func Categories(ctx context.Context, q db.DBTX, cycleID int64, fallback []string) ([]string, error) {
	var list []string
	err := q.QueryRow(ctx, `SELECT categories FROM assessment_cycles WHERE id = $1`, cycleID).Scan(&list)
	if err != nil {
		return nil, notFound(db.Err(err), "考核年度不存在")
	}
	if list == nil {
		return slices.Clone(fallback), nil
	}
	return list, nil
}

// KnownCategories returns every category a unit may be registered under:
// those of every cycle, the newest cycle's first, then fallback's when a
// cycle has none set (or there is no cycle).
func KnownCategories(ctx context.Context, q db.DBTX, fallback []string) ([]string, error) {
	rows, _ := q.Query(ctx, `SELECT categories FROM assessment_cycles
		ORDER BY year DESC, period_start DESC, id DESC`)
	lists, err := pgx.CollectRows(rows, pgx.RowTo[[]string])
	if err != nil {
		return nil, db.Err(err)
	}
	var out []string
	unset := len(lists) == 0
	for _, l := range lists {
		unset = unset || l == nil
		for _, c := range l {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	if unset {
		for _, c := range fallback {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// SeedCategories gives every cycle without categories the list given (the
// server's UNIT_CATEGORIES); `minyi migrate` runs it, so cycles made
// before categories belonged to the cycle keep the categories they had.
func SeedCategories(ctx context.Context, q db.DBTX, list []string) error {
	if len(list) == 0 {
		return nil
	}
	_, err := q.Exec(ctx, `UPDATE assessment_cycles SET categories = $1 WHERE categories IS NULL`, list)
	return db.Err(err)
}

// SeedNewCycle gives a new cycle the categories of the newest other cycle
// that has them, or fallback (the server's UNIT_CATEGORIES) when there is
// none: the environment only seeds the first cycle.
func SeedNewCycle(ctx context.Context, tx pgx.Tx, cycleID int64, fallback []string) error {
	var list []string
	err := tx.QueryRow(ctx, `SELECT categories FROM assessment_cycles
		WHERE id <> $1 AND categories IS NOT NULL
		ORDER BY year DESC, period_start DESC, id DESC LIMIT 1`, cycleID).Scan(&list)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return db.Err(err)
	}
	if list == nil {
		list = fallback
	}
	if len(list) == 0 {
		return nil
	}
	_, err = tx.Exec(ctx, `UPDATE assessment_cycles SET categories = $2 WHERE id = $1`, cycleID, list)
	return db.Err(err)
}

// SetCategories replaces the cycle's category list and records the change
// in the audit log; changed is false when the list is the same.
//
// Units keep their category: the list only says which units take part in
// the cycle. So a category leaving the list (removed, or renamed — a
// rename is a removal and an addition) is refused with a Chinese error
// naming it, and nothing changes, when it is in a scheme group of the
// cycle (the office takes it out of the group first), or when units are
// registered under it and in.ConfirmRemove is not set (the message says
// how many units would leave the cycle; to rename, the office moves the
// units in 单位管理). It returns not_found for an unknown cycle and
// invalid for bad input.
func SetCategories(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in CategoriesInput, fallback []string) (list []string, changed bool, err error) {
	list, err = in.Resolve()
	if err != nil {
		return nil, false, err
	}
	var old []string
	err = tx.QueryRow(ctx, `SELECT categories FROM assessment_cycles WHERE id = $1 FOR UPDATE`, cycleID).Scan(&old)
	if err != nil {
		return nil, false, notFound(db.Err(err), "考核年度不存在")
	}
	was := old
	if was == nil {
		was = fallback
	}
	if old != nil && slices.Equal(old, list) {
		return list, false, nil
	}
	for _, c := range was {
		if slices.Contains(list, c) {
			continue
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM units WHERE category = $1`, c).Scan(&n); err != nil {
			return nil, false, db.Err(err)
		}
		if n > 0 && !in.ConfirmRemove {
			return nil, false, apperr.InvalidField("categories", "类别“"+c+"”下有"+strconv.Itoa(n)+
				"个单位，删除或改名后这些单位将不参加本年度考核。如确需如此，请勾选“确认移除”后再保存；"+
				"如只是改名，请先在单位管理中把这些单位改到新类别")
		}
		var group string
		err := tx.QueryRow(ctx, `SELECT name FROM scheme_groups WHERE cycle_id = $1 AND $2 = ANY(categories)
			ORDER BY id LIMIT 1`, cycleID, c).Scan(&group)
		if err == nil {
			return nil, false, apperr.InvalidField("categories", "类别“"+c+"”已归入方案分组“"+group+
				"”，不能删除或改名；请先从该分组中移除")
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, db.Err(err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE assessment_cycles SET categories = $2, updated_at = now() WHERE id = $1`,
		cycleID, list); err != nil {
		return nil, false, db.Err(err)
	}
	type state struct {
		Categories []string `json:"categories"`
	}
	return list, true, audit.Record(ctx, tx, actor, categoryListAction, "cycle", strconv.FormatInt(cycleID, 10),
		state{was}, state{list})
}
