package agencies

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/surveys"
)

// MaxTarget is the largest target of one quota.
const MaxTarget = 1_000_000

// QuotaInput sets the target sample of one group, for one unit or, when
// UnitID is nil, for every unit. A target of 0 removes the quota.
type QuotaInput struct {
	GroupKey string `json:"group_key"`
	UnitID   *int64 `json:"unit_id"`
	Target   int    `json:"target"`
}

// Quota is the target sample of one group for one unit.
type Quota struct {
	GroupKey string `json:"group_key" db:"group_key"`
	UnitID   int64  `json:"unit_id" db:"unit_id"`
	Target   int    `json:"target" db:"target"`
}

// SetQuotas applies the inputs in order, so a later per-unit target
// overrides an all-units one given before it, and records them in the audit
// log. It returns invalid naming each bad input (items[i].group_key,
// items[i].unit_id, items[i].target) and not_found for an unknown agency.
func SetQuotas(ctx context.Context, tx pgx.Tx, actor audit.Actor, agencyID int64, items []QuotaInput) ([]Quota, error) {
	a, err := lockAgency(ctx, tx, agencyID)
	if err != nil {
		return nil, err
	}
	s, err := surveys.FindSurvey(ctx, tx, a.SurveyID)
	if err != nil {
		return nil, err
	}
	known, err := existingUnits(ctx, tx, items)
	if err != nil {
		return nil, err
	}
	f := apperr.Fields{}
	if len(items) == 0 || len(items) > 10_000 {
		f.Add("items", "请提供 1 到 10000 项目标样本量")
	}
	for i, in := range items {
		items[i].GroupKey = strings.TrimSpace(in.GroupKey)
		p := fmt.Sprintf("items[%d].", i)
		if g, ok := s.Group(items[i].GroupKey); !ok || g.Key != items[i].GroupKey {
			f.Add(p+"group_key", "受访群体“"+items[i].GroupKey+"”未参与本问卷")
		}
		if in.Target < 0 || in.Target > MaxTarget {
			f.Add(p+"target", "目标样本量须为0到1000000之间的整数")
		}
		if in.UnitID != nil && !known[*in.UnitID] {
			f.Add(p+"unit_id", "单位不存在")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	before, err := ListQuotas(ctx, tx, agencyID)
	if err != nil {
		return nil, err
	}
	for _, in := range items {
		if in.Target == 0 {
			_, err = tx.Exec(ctx, `DELETE FROM survey_agency_quotas
				WHERE agency_id = $1 AND group_key = $2 AND ($3::bigint IS NULL OR unit_id = $3)`, agencyID, in.GroupKey, in.UnitID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO survey_agency_quotas (agency_id, group_key, unit_id, target)
				SELECT $1, $2, u.id, $4 FROM units u WHERE $3::bigint IS NULL OR u.id = $3
				ON CONFLICT (agency_id, group_key, unit_id) DO UPDATE SET target = EXCLUDED.target`,
				agencyID, in.GroupKey, in.UnitID, in.Target)
		}
		if err != nil {
			return nil, db.Err(err)
		}
	}
	after, err := ListQuotas(ctx, tx, agencyID)
	if err != nil {
		return nil, err
	}
	return after, audit.Record(ctx, tx, actor, "agency.quotas", "agency", strconv.FormatInt(agencyID, 10),
		map[string]any{"quotas": before}, map[string]any{"set": items, "quotas": after})
}

// existingUnits returns which of the units the items name exist.
func existingUnits(ctx context.Context, q db.DBTX, items []QuotaInput) (map[int64]bool, error) {
	var ids []int64
	for _, in := range items {
		if in.UnitID != nil {
			ids = append(ids, *in.UnitID)
		}
	}
	rows, _ := q.Query(ctx, `SELECT id FROM units WHERE id = ANY($1)`, ids)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	out := make(map[int64]bool, len(found))
	for _, id := range found {
		out[id] = true
	}
	return out, db.Err(err)
}

// ListQuotas returns the agency's quotas by group and unit.
func ListQuotas(ctx context.Context, q db.DBTX, agencyID int64) ([]Quota, error) {
	rows, _ := q.Query(ctx, `SELECT group_key, unit_id, target FROM survey_agency_quotas
		WHERE agency_id = $1 ORDER BY group_key, unit_id`, agencyID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Quota])
	return list, db.Err(err)
}

// ProgressRow is an agency's progress for one group and unit.
type ProgressRow struct {
	GroupKey  string  `json:"group_key" db:"group_key"`
	GroupName string  `json:"group_name" db:"-"`
	UnitID    int64   `json:"unit_id" db:"unit_id"`
	UnitName  string  `json:"unit_name" db:"unit_name"`
	ShortCode *string `json:"short_code" db:"short_code"`
	Target    int     `json:"target" db:"target"`
	Received  int     `json:"received" db:"received"`
	// Percent is received / target in percent, rounded down; nil without a target.
	Percent *int `json:"percent" db:"-"`
}

// GroupProgress totals an agency's progress for one group.
type GroupProgress struct {
	GroupKey  string `json:"group_key"`
	GroupName string `json:"group_name"`
	Target    int    `json:"target"`
	Received  int    `json:"received"`
	Percent   *int   `json:"percent"`
}

// Progress is an agency's progress against its quotas.
type Progress struct {
	// Rows cover every group and unit with a target or a response.
	Rows   []ProgressRow   `json:"rows"`
	Groups []GroupProgress `json:"groups"`
	Total  GroupProgress   `json:"total"`
}

// Percent returns received / target in percent, rounded down, or nil
// without a target.
func Percent(received, target int) *int {
	if target <= 0 {
		return nil
	}
	p := received * 100 / target
	return &p
}

// AgencyProgress returns the agency's responses received per group and
// unit against the targets, in the order of the survey's groups and the
// unit list. Only the agency's own responses count.
func AgencyProgress(ctx context.Context, q db.DBTX, a Agency, s surveys.Survey) (Progress, error) {
	rows, _ := q.Query(ctx, `WITH received AS (
			SELECT group_key, unit_id, count(*) AS n FROM survey_responses WHERE agency_id = $1 GROUP BY group_key, unit_id
		), cells AS (
			SELECT coalesce(qu.group_key, r.group_key) AS group_key, coalesce(qu.unit_id, r.unit_id) AS unit_id,
				coalesce(qu.target, 0) AS target, coalesce(r.n, 0) AS received
			FROM (SELECT * FROM survey_agency_quotas WHERE agency_id = $1) qu
			FULL JOIN received r ON r.group_key = qu.group_key AND r.unit_id = qu.unit_id
		)
		SELECT c.group_key, c.unit_id, u.name AS unit_name, u.short_code, c.target::int AS target, c.received::int AS received
		FROM cells c JOIN units u ON u.id = c.unit_id
		ORDER BY u.category, u.name, u.id`, a.ID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProgressRow])
	if err != nil {
		return Progress{}, db.Err(err)
	}
	order := map[string]int{}
	var p Progress
	for i, g := range s.Groups {
		order[g.Key] = i
		p.Groups = append(p.Groups, GroupProgress{GroupKey: g.Key, GroupName: g.Name})
	}
	byGroup := make([][]ProgressRow, len(p.Groups))
	for _, r := range list {
		i, ok := order[r.GroupKey]
		if !ok { // a group no longer taking part still shows what was received
			i = len(p.Groups)
			order[r.GroupKey] = i
			p.Groups = append(p.Groups, GroupProgress{GroupKey: r.GroupKey, GroupName: s.GroupName(r.GroupKey)})
			byGroup = append(byGroup, nil)
		}
		r.GroupName = p.Groups[i].GroupName
		r.Percent = Percent(r.Received, r.Target)
		byGroup[i] = append(byGroup[i], r)
		p.Groups[i].Target += r.Target
		p.Groups[i].Received += r.Received
	}
	p.Total.GroupName = "合计"
	for i := range p.Groups {
		p.Rows = append(p.Rows, byGroup[i]...)
		p.Groups[i].Percent = Percent(p.Groups[i].Received, p.Groups[i].Target)
		p.Total.Target += p.Groups[i].Target
		p.Total.Received += p.Groups[i].Received
	}
	p.Total.Percent = Percent(p.Total.Received, p.Total.Target)
	return p, nil
}
