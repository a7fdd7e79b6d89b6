package inspections

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
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
)

// Inspection is an office inspection of a cycle.
type Inspection struct {
	ID          int64     `json:"id" db:"id"`
	CycleID     int64     `json:"cycle_id" db:"cycle_id"`
	Kind        string    `json:"kind" db:"kind"`
	KindName    string    `json:"kind_name" db:"-"`
	HeldOn      string    `json:"held_on" db:"held_on"`
	Title       string    `json:"title" db:"title"`
	People      string    `json:"people" db:"people"`
	EvidenceIDs []string  `json:"evidence_ids" db:"evidence_ids"`
	CreatedBy   *string   `json:"created_by" db:"created_by"`
	CreatedAt   time.Time `json:"created_at" db:"created_at"`
	// UnitCount and FindingCount count the inspected units and the
	// findings (of the reader's unit only, for a unit user).
	UnitCount    int `json:"unit_count" db:"unit_count"`
	FindingCount int `json:"finding_count" db:"finding_count"`

	Units      []UnitRef                 `json:"units" db:"-"`
	Indicators []IndicatorRef            `json:"indicators" db:"-"`
	Findings   []Finding                 `json:"findings" db:"-"`
	Files      []assessment.EvidenceFile `json:"files" db:"-"`
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
	i.evidence_ids::text[] AS evidence_ids, u.username AS created_by, i.created_at,
	(SELECT count(*) FROM inspection_units x WHERE x.inspection_id = i.id)::int AS unit_count,
	(SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = i.id AND ({viewer}::bigint IS NULL OR f.unit_id = {viewer}))::int
		AS finding_count
	FROM inspections i LEFT JOIN users u ON u.id = i.created_by`

// selectInspections is inspectionSQL counting the findings of the unit
// in the parameter viewer (all when it is NULL).
func selectInspections(viewer string) string {
	return strings.ReplaceAll(inspectionSQL, "{viewer}", viewer)
}

// Viewer is who reads: the office or a leader (UnitID nil) sees all; a
// unit user only inspections of its unit, and only its own findings.
type Viewer struct{ UnitID *int64 }

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
	for _, x := range in.Findings {
		if _, err := insertFinding(ctx, tx, actor, id, x); err != nil {
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
// files as v may see them; not_found (MsgNotFound) when it does not exist
// or a unit user's unit was not inspected.
func Find(ctx context.Context, q db.DBTX, id int64, v Viewer) (Inspection, error) {
	rows, _ := q.Query(ctx, selectInspections("$2")+` WHERE i.id = $1`, id, v.UnitID)
	i, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection])
	if err != nil {
		return Inspection{}, notFound(db.Err(err))
	}
	i.KindName = KindLabel(i.Kind)
	unitFilter := ``
	args := []any{id}
	if v.UnitID != nil {
		unitFilter, args = ` AND u.id = $2`, append(args, *v.UnitID)
	}
	if i.Units, err = collect[UnitRef](ctx, q, `SELECT u.id, u.name FROM inspection_units x JOIN units u ON u.id = x.unit_id
		WHERE x.inspection_id = $1`+unitFilter+` ORDER BY u.name, u.id`, args...); err != nil {
		return Inspection{}, err
	}
	if v.UnitID != nil && len(i.Units) == 0 {
		return Inspection{}, apperr.New(apperr.NotFound, MsgNotFound)
	}
	if i.Indicators, err = collect[IndicatorRef](ctx, q, `SELECT t.id, t.name, u.id AS unit_id, u.name AS unit_name
		FROM inspection_indicators x JOIN target_indicators t ON t.id = x.indicator_id
		JOIN target_sheets s ON s.id = t.sheet_id JOIN units u ON u.id = s.unit_id
		WHERE x.inspection_id = $1`+unitFilter+` ORDER BY u.name, t.position`, args...); err != nil {
		return Inspection{}, err
	}
	if i.Findings, err = listFindings(ctx, q, id, v.UnitID); err != nil {
		return Inspection{}, err
	}
	if v.UnitID == nil {
		i.Files, err = assessment.EvidenceInfo(ctx, q, i.EvidenceIDs)
	} else {
		i.EvidenceIDs, i.Files = []string{}, []assessment.EvidenceFile{}
	}
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
// many match. A unit user (v.UnitID) gets only those of its unit.
func List(ctx context.Context, q db.DBTX, f Filter, v Viewer) ([]Inspection, int, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if v.UnitID != nil {
		f.UnitID = v.UnitID
	}
	args := []any{f.CycleID, f.UnitID}
	where := ` WHERE i.cycle_id = $1 AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM inspection_units x
		WHERE x.inspection_id = i.id AND x.unit_id = $2))`
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
		LIMIT $`+strconv.Itoa(n+2)+` OFFSET $`+strconv.Itoa(n+3), append(args, v.UnitID, f.Limit, f.Offset)...)
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
