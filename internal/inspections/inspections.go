package inspections

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/units"
)

// Messages of refusals the handlers and tests name.
const (
	MsgNotFound       = "检查记录不存在"
	MsgUnitNotInCycle = "所选单位不在本考核年度的考核范围内"
	MsgIndicator      = "所选指标不属于被检查单位本年度的目标责任书"
	MsgTooManyFiles   = "检查材料最多10个文件"
	MsgNotInspected   = "本单位不在该次检查的被检查单位中，无权查看"
)

// Inspection is an office inspection of a cycle.
type Inspection struct {
	ID          int64    `json:"id" db:"id"`
	CycleID     int64    `json:"cycle_id" db:"cycle_id"`
	Kind        string   `json:"kind" db:"kind"`
	KindName    string   `json:"kind_name" db:"-"`
	HeldOn      string   `json:"held_on" db:"held_on"`
	Title       string   `json:"title" db:"title"`
	People      string   `json:"people" db:"people"`
	EvidenceIDs []string `json:"evidence_ids" db:"evidence_ids"`
	// SharedIDs are the files the inspected units may download.
	SharedIDs []string  `json:"shared_ids" db:"shared_ids"`
	CreatedBy *string   `json:"created_by" db:"created_by"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
	// UnitCount and FindingCount count the inspected units and the
	// findings (of the reader's unit only, for a unit user).
	UnitCount    int `json:"unit_count" db:"unit_count"`
	FindingCount int `json:"finding_count" db:"finding_count"`

	Units []UnitRef `json:"units" db:"-"`
	// SchemeItems are the indicators of the cycle's scheme(s) the
	// inspection covers; Indicators those of the inspected units' target
	// sheets (named through the API only).
	SchemeItems []SchemeItem   `json:"scheme_items" db:"-"`
	Indicators  []IndicatorRef `json:"indicators" db:"-"`
	Findings    []Finding      `json:"findings" db:"-"`
	Files       []File         `json:"files" db:"-"`
}

// UnitRef is an inspected unit.
type UnitRef struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// IndicatorRef is an indicator an inspection concerns.
type IndicatorRef struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	UnitID   int64  `json:"unit_id" db:"unit_id"`
	UnitName string `json:"unit_name" db:"unit_name"`
}

// IDString is the id as text.
func (i Inspection) IDString() string { return strconv.FormatInt(i.ID, 10) }

const inspectionSQL = `SELECT i.id, i.cycle_id, i.kind, i.held_on::text AS held_on, i.title, i.people,
	i.evidence_ids::text[] AS evidence_ids, i.shared_ids::text[] AS shared_ids, u.username AS created_by, i.created_at,
	(SELECT count(*) FROM inspection_units x WHERE x.inspection_id = i.id)::int AS unit_count,
	(SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = i.id
		AND ({viewer}::bigint[] IS NULL OR f.unit_id = ANY({viewer}::bigint[])))::int AS finding_count
	FROM inspections i LEFT JOIN users u ON u.id = i.created_by`

// selectInspections is inspectionSQL counting the findings of the units
// in the parameter viewer, an array (all when it is NULL).
func selectInspections(viewer string) string {
	return strings.ReplaceAll(inspectionSQL, "{viewer}", viewer)
}

// Viewer is who reads: the office or a leader (UnitID nil) sees all; a
// unit user the inspections of its unit and of the units it assesses in
// the cycle (internal/assessors), with only the findings on those units.
type Viewer struct{ UnitID *int64 }

// visible returns the units whose inspections and findings v sees in the
// cycle: nil for all, else its unit and those it assesses.
func (v Viewer) visible(ctx context.Context, q db.DBTX, cycleID int64) ([]int64, error) {
	if v.UnitID == nil {
		return nil, nil
	}
	if *v.UnitID == 0 {
		return []int64{}, nil
	}
	ids, err := assessors.AssessedIDs(ctx, q, cycleID, *v.UnitID)
	return append([]int64{*v.UnitID}, ids...), err
}

// Create records the inspection with its units, indicators, files and
// findings in one transaction, audited. A retry with the same client_key
// in the cycle returns the first (created false). It returns invalid (per
// field, in Chinese) for bad input, a unit not in the cycle
// (MsgUnitNotInCycle), an indicator not of an inspected unit's sheet of
// the cycle (MsgIndicator) or bad files; conflict when the cycle's result
// is final; not_found for an unknown cycle.
func Create(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, in Input, today string) (Inspection, bool, error) {
	in.Normalize()
	if in.ClientKey != "" {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM inspections WHERE cycle_id = $1 AND client_key = $2`, cycleID, in.ClientKey).Scan(&id)
		if err == nil {
			i, err := Find(ctx, tx, id, Viewer{})
			return i, false, err
		}
		if err != pgx.ErrNoRows {
			return Inspection{}, false, db.Err(err)
		}
	}
	if err := checkCycle(ctx, tx, cycleID); err != nil {
		return Inspection{}, false, err
	}
	if err := in.Validate(today); err != nil {
		return Inspection{}, false, err
	}
	if err := checkUnits(ctx, tx, cycleID, in.UnitIDs); err != nil {
		return Inspection{}, false, err
	}
	if err := checkIndicators(ctx, tx, cycleID, in.UnitIDs, in.IndicatorIDs, "indicator_ids"); err != nil {
		return Inspection{}, false, err
	}
	items, err := resolveItems(ctx, tx, cycleID, in.SchemeItems, "scheme_items")
	if err != nil {
		return Inspection{}, false, err
	}
	for _, x := range in.Findings {
		if x.IndicatorID != 0 {
			if err := checkIndicators(ctx, tx, cycleID, []int64{x.UnitID}, []int64{x.IndicatorID}, "findings"); err != nil {
				return Inspection{}, false, err
			}
		}
	}
	ev, err := assessment.CheckEvidence(ctx, tx, in.EvidenceIDs, true, nil)
	if err != nil {
		return Inspection{}, false, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO inspections (cycle_id, kind, held_on, title, people, evidence_ids, client_key, created_by)
		VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8) RETURNING id`,
		cycleID, in.Kind, in.HeldOn, in.Title, in.People, ev, nullString(in.ClientKey), actorID(actor)).Scan(&id)
	if err != nil {
		return Inspection{}, false, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO inspection_units (inspection_id, unit_id) SELECT $1, unnest($2::bigint[])`,
		id, in.UnitIDs); err != nil {
		return Inspection{}, false, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO inspection_indicators (inspection_id, indicator_id) SELECT $1, unnest($2::bigint[])`,
		id, in.IndicatorIDs); err != nil {
		return Inspection{}, false, db.Err(err)
	}
	if err := insertItems(ctx, tx, id, items); err != nil {
		return Inspection{}, false, err
	}
	for _, x := range in.Findings {
		item, err := itemID(ctx, tx, id, x.SchemeItem, "findings")
		if err != nil {
			return Inspection{}, false, err
		}
		if _, err := insertFinding(ctx, tx, actor, id, x, item); err != nil {
			return Inspection{}, false, err
		}
	}
	i, err := Find(ctx, tx, id, Viewer{})
	if err != nil {
		return Inspection{}, false, err
	}
	return i, true, audit.Record(ctx, tx, actor, "inspection.create", "inspection", i.IDString(), nil, i)
}

// checkCycle returns not_found for an unknown cycle and conflict when its
// result is final.
func checkCycle(ctx context.Context, q db.DBTX, cycleID int64) error {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_cycles WHERE id = $1)`, cycleID).Scan(&ok); err != nil {
		return db.Err(err)
	}
	if !ok {
		return apperr.New(apperr.NotFound, "考核年度不存在")
	}
	return assessment.CheckEditable(ctx, q, cycleID)
}

// checkUnits refuses a unit that does not exist or is not a unit of the
// cycle (units.InCycleSQL).
func checkUnits(ctx context.Context, q db.DBTX, cycleID int64, ids []int64) error {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM units u JOIN assessment_cycles c ON c.id = $1
		WHERE u.id = ANY($2::bigint[]) AND `+units.InCycleSQL("u", "c"), cycleID, ids).Scan(&n)
	if err != nil {
		return db.Err(err)
	}
	if n != len(ids) {
		return apperr.InvalidField("unit_ids", MsgUnitNotInCycle)
	}
	return nil
}

// checkIndicators refuses an indicator that is not a current indicator
// of the cycle's target sheet of one of the units.
func checkIndicators(ctx context.Context, q db.DBTX, cycleID int64, unitIDs, ids []int64, field string) error {
	if len(ids) == 0 {
		return nil
	}
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM target_indicators i JOIN target_sheets s ON s.id = i.sheet_id
		WHERE i.id = ANY($1::bigint[]) AND s.cycle_id = $2 AND s.unit_id = ANY($3::bigint[]) AND i.removed_at IS NULL`,
		ids, cycleID, unitIDs).Scan(&n)
	if err != nil {
		return db.Err(err)
	}
	if n != len(ids) {
		return apperr.InvalidField(field, MsgIndicator)
	}
	return nil
}

// Find returns the inspection with its units, indicators, findings and
// files as v may see them: a unit user only its own unit, its own
// findings and the files shared with the inspected units. It returns
// not_found (MsgNotFound) when it does not exist and forbidden
// (MsgNotInspected) when a unit user's unit was not inspected.
func Find(ctx context.Context, q db.DBTX, id int64, v Viewer) (Inspection, error) {
	var vis []int64
	if v.UnitID != nil {
		var cycleID int64
		if err := q.QueryRow(ctx, `SELECT cycle_id FROM inspections WHERE id = $1`, id).Scan(&cycleID); err != nil {
			return Inspection{}, notFound(db.Err(err))
		}
		var err error
		if vis, err = v.visible(ctx, q, cycleID); err != nil {
			return Inspection{}, err
		}
	}
	rows, _ := q.Query(ctx, selectInspections("$2")+` WHERE i.id = $1`, id, vis)
	i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
	if err != nil {
		return Inspection{}, notFound(db.Err(err))
	}
	i.KindName = KindLabel(i.Kind)
	unitFilter := ``
	args := []any{id}
	if v.UnitID != nil {
		unitFilter, args = ` AND u.id = ANY($2::bigint[])`, append(args, vis)
	}
	if i.Units, err = collect[UnitRef](ctx, q, `SELECT u.id, u.name FROM inspection_units x JOIN units u ON u.id = x.unit_id
		WHERE x.inspection_id = $1`+unitFilter+` ORDER BY u.name, u.id`, args...); err != nil {
		return Inspection{}, err
	}
	if v.UnitID != nil && len(i.Units) == 0 {
		return Inspection{}, apperr.New(apperr.Forbidden, MsgNotInspected)
	}
	if i.SchemeItems, err = listItems(ctx, q, id); err != nil {
		return Inspection{}, err
	}
	if i.Indicators, err = collect[IndicatorRef](ctx, q, `SELECT t.id, t.name, u.id AS unit_id, u.name AS unit_name
		FROM inspection_indicators x JOIN target_indicators t ON t.id = x.indicator_id
		JOIN target_sheets s ON s.id = t.sheet_id JOIN units u ON u.id = s.unit_id
		WHERE x.inspection_id = $1`+unitFilter+` ORDER BY u.name, t.position`, args...); err != nil {
		return Inspection{}, err
	}
	if i.Findings, err = listFindings(ctx, q, id, vis); err != nil {
		return Inspection{}, err
	}
	if v.UnitID != nil {
		// Files are shared with the inspected units, not their assessors.
		i.EvidenceIDs = []string{}
		if slices.ContainsFunc(i.Units, func(u UnitRef) bool { return u.ID == *v.UnitID }) {
			i.EvidenceIDs = i.SharedIDs
		}
	}
	i.Files, err = files(ctx, q, i.EvidenceIDs, i.SharedIDs)
	return i, err
}

// Filter selects a page of a cycle's inspections: of one kind and/or one
// unit; Limit 1–500 (50 when 0).
type Filter struct {
	CycleID       int64
	Kind          string
	UnitID        *int64
	Limit, Offset int
}

// List returns a page of the cycle's inspections, newest first, and how
// many match. A unit user (v.UnitID) gets only those of its unit and of
// the units it assesses, whatever f.UnitID says.
func List(ctx context.Context, q db.DBTX, f Filter, v Viewer) ([]Inspection, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	vis, err := v.visible(ctx, q, f.CycleID)
	if err != nil {
		return nil, 0, err
	}
	var units []int64
	switch {
	case v.UnitID != nil:
		units = vis
	case f.UnitID != nil:
		units = []int64{*f.UnitID}
	}
	args := []any{f.CycleID, units}
	where := ` WHERE i.cycle_id = $1 AND ($2::bigint[] IS NULL OR EXISTS (SELECT 1 FROM inspection_units x
		WHERE x.inspection_id = i.id AND x.unit_id = ANY($2::bigint[])))`
	if f.Kind != "" {
		args = append(args, f.Kind)
		where += ` AND i.kind = $3`
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM inspections i`+where, args...).Scan(&total); err != nil {
		return nil, 0, db.Err(err)
	}
	n := len(args)
	rows, _ := q.Query(ctx, selectInspections("$"+strconv.Itoa(n+1))+where+` ORDER BY i.held_on DESC, i.id DESC
		LIMIT $`+strconv.Itoa(n+2)+` OFFSET $`+strconv.Itoa(n+3), append(args, vis, f.Limit, f.Offset)...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Inspection])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	if list == nil {
		list = []Inspection{}
	}
	for k := range list {
		list[k].KindName = KindLabel(list[k].Kind)
	}
	return list, total, nil
}

func notFound(err error) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, MsgNotFound)
	}
	return err
}

func collect[T any](ctx context.Context, q db.DBTX, sql string, args ...any) ([]T, error) {
	rows, _ := q.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
	if out == nil {
		out = []T{}
	}
	return out, db.Err(err)
}

func actorID(actor audit.Actor) *int64 {
	if actor.ID == 0 {
		return nil
	}
	return &actor.ID
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
