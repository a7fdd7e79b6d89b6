package items

import (
	"context"
	"slices"
	"time"

	"minyi/internal/db"
)

// Known is what the catalogues say of the item codes and stages a batch
// of ratings names: each found code with when it was retired.
type Known struct {
	items  map[string]knownItem
	stages map[string]knownItem
}

type knownItem struct {
	name      string
	online    bool
	retiredAt *time.Time
}

// Lookup reads, in one query, the unit's items with the given codes and
// the stages with the given codes. With no codes at all it asks nothing,
// so ratings without dimensions cost no round trip.
func Lookup(ctx context.Context, q db.DBTX, unitID int64, itemCodes, stages []string) (Known, error) {
	k := Known{items: map[string]knownItem{}, stages: map[string]knownItem{}}
	itemCodes, stages = compactCodes(itemCodes), compactCodes(stages)
	if len(itemCodes) == 0 && len(stages) == 0 {
		return k, nil
	}
	rows, err := q.Query(ctx, `SELECT true, code, name, online, retired_at FROM service_items
		WHERE unit_id = $1 AND code = ANY($2)
		UNION ALL SELECT false, code, name, false, retired_at FROM rating_stages WHERE code = ANY($3)`,
		unitID, itemCodes, stages)
	if err != nil {
		return k, db.Err(err)
	}
	defer rows.Close()
	for rows.Next() {
		var isItem, online bool
		var code, name string
		var retired *time.Time
		if err := rows.Scan(&isItem, &code, &name, &online, &retired); err != nil {
			return k, db.Err(err)
		}
		if isItem {
			k.items[code] = knownItem{name, online, retired}
		} else {
			k.stages[code] = knownItem{name, false, retired}
		}
	}
	return k, db.Err(rows.Err())
}

func compactCodes(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, c := range codes {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Problem returns, for a rating made at ratedAt naming item and stage,
// the messages by field ("item_code", "stage") of what the catalogues
// refuse: an unknown code, or one retired before the rating was made (a
// terminal replaying ratings it made offline before the retirement is
// accepted). It returns nil when both are accepted.
func (k Known) Problem(item, stage string, ratedAt time.Time) map[string]string {
	var f map[string]string
	add := func(field, msg string) {
		if f == nil {
			f = map[string]string{}
		}
		f[field] = msg
	}
	if item != "" {
		it, ok := k.items[item]
		switch {
		case !ok:
			add("item_code", "本单位的事项目录中没有事项编码“"+item+"”")
		case it.retiredAt != nil && !ratedAt.Before(*it.retiredAt):
			add("item_code", "事项“"+it.name+"”（"+item+"）已停用")
		}
	}
	if stage != "" {
		st, ok := k.stages[stage]
		switch {
		case !ok:
			add("stage", "没有代码为“"+stage+"”的办理环节")
		case st.retiredAt != nil && !ratedAt.Before(*st.retiredAt):
			add("stage", "办理环节“"+st.name+"”已停用")
		}
	}
	return f
}

// Online reports whether the named item is an online service (办事 content
// codes instead of 服务 ones); false for an unknown item.
func (k Known) Online(item string) bool { return k.items[item].online }

// ItemName is the named item's name, "" for an unknown one.
func (k Known) ItemName(item string) string { return k.items[item].name }

// StageName is the named stage's name, "" for an unknown one.
func (k Known) StageName(stage string) string { return k.stages[stage].name }
