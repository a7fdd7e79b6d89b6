// Package assessors makes assessor units (考评单位) and lead units (牵头
// 单位) full actors of a cycle (000 § 5, § 14, § 16, § 17; 001 annex 1–2;
// 002 § 9, § 17): an assessor reads, for its leaves, the targets, progress
// reports and self-evaluations of the units it assesses, proposes
// deductions (扣分建议) that the office confirms or rejects, and opens and
// follows rectification cases; a lead unit follows the progress of the
// units sharing a key task (重点任务) it leads.
package assessors

import (
	"context"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/units"
)

// Messages of refused reads and actions.
const (
	MsgNotAssessor  = "本单位不是本年度考核方案中的考评单位，不能查看其他单位的目标和自评"
	MsgNotAssessed  = "本单位不考评该单位，无权查看或处理其目标、进度和自评"
	MsgOwnUnit      = "考评单位不能考评本单位；本单位的目标和自评请在“目标管理”中查看"
	MsgUnitRoleOnly = "此功能供考评单位的工作人员使用"
)

// Scope is what an assessor unit may see of one unit it assesses: its
// leaves of the cycle's scheme and whether it is named as the assessor on
// the unit's target indicators.
type Scope struct {
	CycleID    int64
	AssessorID int64
	UnitID     int64
	// Leaves are the assessor's manual leaves of the cycle's newest
	// scheme (empty when it is named only on target indicators).
	Leaves []assessment.Leaf
}

// LeafKeys are the keys of the scope's leaves.
func (s Scope) LeafKeys() []string {
	keys := make([]string, 0, len(s.Leaves))
	for _, l := range s.Leaves {
		keys = append(keys, l.Key)
	}
	return keys
}

// LeavesOf returns the unit's manual leaves over all the cycle's newest
// schemes (the default one and each scheme group's, issue 15); none when
// the cycle has no scheme yet. Two schemes may share a leaf key; it is
// listed once.
func LeavesOf(ctx context.Context, q db.DBTX, cycleID, unitID int64) ([]assessment.Leaf, error) {
	sc, err := assessment.LoadScope(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	return leavesIn(sc, unitID), nil
}

// leavesIn is LeavesOf over a loaded scope.
func leavesIn(sc assessment.Scope, unitID int64) []assessment.Leaf {
	out := []assessment.Leaf{}
	for _, ch := range sc.Chains {
		for _, l := range chainLeaves(ch, unitID) {
			if !slices.ContainsFunc(out, func(o assessment.Leaf) bool { return o.Key == l.Key }) {
				out = append(out, l)
			}
		}
	}
	return out
}

// chainLeaves are the manual leaves of the chain's newest scheme whose
// assessor is the unit.
func chainLeaves(ch assessment.Chain, unitID int64) []assessment.Leaf {
	out := []assessment.Leaf{}
	if ch.Scheme == nil {
		return out
	}
	for _, l := range assessment.ManualLeaves(ch.Scheme.Tree) {
		if l.AssessorUnitID != nil && *l.AssessorUnitID == unitID {
			out = append(out, l)
		}
	}
	return out
}

// assessedByLeaves are the cycle's units scored on a scheme that names the
// assessor on a leaf, except the assessor itself.
func assessedByLeaves(sc assessment.Scope, assessorID int64) []int64 {
	ids := []int64{}
	for _, ch := range sc.Chains {
		if len(chainLeaves(ch, assessorID)) == 0 {
			continue
		}
		for _, u := range ch.Units {
			if u.ID != assessorID {
				ids = append(ids, u.ID)
			}
		}
	}
	return ids
}

// namedOnIndicatorsSQL is true when unit $2's target sheet of cycle $1
// names unit $3 as the assessor of a current indicator.
const namedOnIndicatorsSQL = `EXISTS (SELECT 1 FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id
	WHERE s.cycle_id = $1 AND s.unit_id = $2 AND i.assessor_unit_id = $3 AND i.removed_at IS NULL)`

// isAssessorIn reports whether the unit assesses anything in the cycle: it
// is named on a leaf of the scheme or on a current target indicator.
func isAssessorIn(ctx context.Context, q db.DBTX, sc assessment.Scope, unitID int64) (bool, error) {
	if len(leavesIn(sc, unitID)) > 0 {
		return true, nil
	}
	var named bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM target_indicators i JOIN target_sheets s ON s.id = i.sheet_id
		WHERE i.assessor_unit_id = $2 AND i.removed_at IS NULL AND s.cycle_id = $1)`, sc.CycleID, unitID).Scan(&named)
	return named, db.Err(err)
}

// CheckAssesses returns the scope of the assessor on the unit in the
// cycle. The assessor assesses every other unit scored on a scheme that
// names it on a leaf, and a unit whose target sheet names it as the
// assessor of an indicator. It returns not_found for a unit that does not
// exist and forbidden (MsgOwnUnit, MsgNotAssessor, MsgNotAssessed) when
// the assessor may not see the unit.
func CheckAssesses(ctx context.Context, q db.DBTX, cycleID, assessorID, unitID int64) (Scope, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unitID).Scan(&exists); err != nil {
		return Scope{}, db.Err(err)
	}
	if !exists {
		return Scope{}, apperr.New(apperr.NotFound, "单位不存在")
	}
	if unitID == assessorID {
		return Scope{}, apperr.New(apperr.Forbidden, MsgOwnUnit)
	}
	cs, err := assessment.LoadScope(ctx, q, cycleID)
	if err != nil {
		return Scope{}, err
	}
	// The assessor's leaves of the scheme the unit is scored on.
	leaves := []assessment.Leaf{}
	if ch := cs.UnitChain(unitID); ch != nil {
		leaves = chainLeaves(*ch, assessorID)
	}
	sc := Scope{CycleID: cycleID, AssessorID: assessorID, UnitID: unitID, Leaves: leaves}
	if len(leaves) > 0 {
		return sc, nil
	}
	var named bool
	if err := q.QueryRow(ctx, `SELECT `+namedOnIndicatorsSQL, cycleID, unitID, assessorID).Scan(&named); err != nil {
		return Scope{}, db.Err(err)
	}
	if named {
		return sc, nil
	}
	if ok, err := isAssessorIn(ctx, q, cs, assessorID); err != nil {
		return Scope{}, err
	} else if !ok {
		return Scope{}, apperr.New(apperr.Forbidden, MsgNotAssessor)
	}
	return Scope{}, apperr.New(apperr.Forbidden, MsgNotAssessed)
}

// AssessedUnit is one unit of the assessor's list.
type AssessedUnit struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	Category string `json:"category" db:"category"`
	// SheetStatus is the status of the unit's target sheet ("" for none).
	SheetStatus string `json:"sheet_status" db:"sheet_status"`
	// Indicators is how many current indicators of the sheet the assessor
	// sees (they feed its leaves or name it); Reported how many of them
	// have a progress report, SelfEvaluated a self-evaluation.
	Indicators    int `json:"indicators" db:"indicators"`
	Reported      int `json:"reported" db:"reported"`
	SelfEvaluated int `json:"self_evaluated" db:"self_evaluated"`
}

// UnitPage selects a page of the assessed units: Search is a part of the
// name; Limit 1–500 (50 when 0).
type UnitPage struct {
	Search        string
	Limit, Offset int
}

// ListAssessedUnits returns a page of the units the assessor assesses in
// the cycle, by name, and how many there are; forbidden (MsgNotAssessor)
// when the unit assesses nothing in the cycle.
func ListAssessedUnits(ctx context.Context, q db.DBTX, cycleID, assessorID int64, p UnitPage) ([]AssessedUnit, int, error) {
	if p.Limit <= 0 || p.Limit > 500 {
		p.Limit = 50
	}
	cs, err := assessment.LoadScope(ctx, q, cycleID)
	if err != nil {
		return nil, 0, err
	}
	byLeaves := assessedByLeaves(cs, assessorID)
	leaves := leavesIn(cs, assessorID)
	if len(leaves) == 0 {
		if ok, err := isAssessorIn(ctx, q, cs, assessorID); err != nil {
			return nil, 0, err
		} else if !ok {
			return nil, 0, apperr.New(apperr.Forbidden, MsgNotAssessor)
		}
	}
	keys := Scope{Leaves: leaves}.LeafKeys()
	search := "%" + likeEscape(strings.TrimSpace(p.Search)) + "%"
	// The units scored on a scheme naming the assessor on a leaf (@ids), and
	// those whose sheet names it on an indicator.
	where := `u.id <> @assessor AND u.name ILIKE @search AND (u.id = ANY(@ids::bigint[]) OR EXISTS (
		SELECT 1 FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id
		WHERE s.cycle_id = @cycle AND s.unit_id = u.id AND i.assessor_unit_id = @assessor AND i.removed_at IS NULL))
		AND ` + units.NotAbolishedBySQL("u", "(SELECT c.period_end FROM assessment_cycles c WHERE c.id = @cycle)")
	args := pgx.NamedArgs{"cycle": cycleID, "keys": keys, "assessor": assessorID, "search": search, "ids": byLeaves,
		"limit": p.Limit, "offset": p.Offset}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM units u WHERE `+where, args).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	rows, _ := q.Query(ctx, `WITH page AS (
			SELECT u.id, u.name, u.category FROM units u WHERE `+where+` ORDER BY u.name, u.id LIMIT @limit OFFSET @offset)
		SELECT page.id, page.name, page.category, coalesce(s.status, '') AS sheet_status,
			count(i.id)::int AS indicators,
			count(i.id) FILTER (WHERE EXISTS (SELECT 1 FROM target_reports r WHERE r.indicator_id = i.id))::int AS reported,
			count(i.id) FILTER (WHERE EXISTS (SELECT 1 FROM target_self_evaluations e WHERE e.indicator_id = i.id))::int AS self_evaluated
		FROM page LEFT JOIN target_sheets s ON s.cycle_id = @cycle AND s.unit_id = page.id
		LEFT JOIN target_indicators i ON i.sheet_id = s.id AND i.removed_at IS NULL
			AND (i.assessor_unit_id = @assessor OR i.scheme_key = ANY(@keys::text[]))
		GROUP BY page.id, page.name, page.category, s.status ORDER BY page.name, page.id`, args)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[AssessedUnit])
	if list == nil {
		list = []AssessedUnit{}
	}
	return list, total, db.Err(err)
}

// likeEscape escapes the wildcards of an ILIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// sees reports whether an indicator is within the scope: it names the
// assessor or feeds one of its leaves.
func (s Scope) sees(assessorUnitID *int64, schemeKey string) bool {
	return (assessorUnitID != nil && *assessorUnitID == s.AssessorID) ||
		(schemeKey != "" && slices.Contains(s.LeafKeys(), schemeKey))
}

// AssessedIDs returns the ids of the units the assessor assesses in the
// cycle (see CheckAssesses), none when it assesses nothing.
func AssessedIDs(ctx context.Context, q db.DBTX, cycleID, assessorID int64) ([]int64, error) {
	cs, err := assessment.LoadScope(ctx, q, cycleID)
	if err != nil {
		return nil, err
	}
	rows, _ := q.Query(ctx, `SELECT DISTINCT s.unit_id FROM target_sheets s JOIN target_indicators i ON i.sheet_id = s.id
		WHERE s.cycle_id = $1 AND i.assessor_unit_id = $2 AND i.removed_at IS NULL AND s.unit_id <> $2`, cycleID, assessorID)
	named, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, db.Err(err)
	}
	ids := assessedByLeaves(cs, assessorID)
	for _, id := range named {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
