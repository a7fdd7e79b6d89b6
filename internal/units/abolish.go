package units

import (
	"context"
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

// The rule of which units a cycle covers (issue 16 part 8). A unit is a
// unit of a cycle when it is of the cycle's categories (every unit while
// the cycle has none set) and was not abolished on or before the day the
// cycle's period ends: a unit abolished on D is in no cycle whose period
// ends on or after D, and stays in the earlier ones with its results.
// Every place that derives a cycle's units uses InCycleSQL or
// NotAbolishedBySQL (or Unit.AbolishedBy in Go), so they agree.

// NotAbolishedBySQL is the SQL condition that unit alias u was not
// abolished on or before the date expression end.
func NotAbolishedBySQL(u, end string) string {
	return "(" + u + ".abolished_on IS NULL OR " + u + ".abolished_on > " + end + ")"
}

// InCycleSQL is the SQL condition that unit alias u is a unit of cycle
// alias c (a row of assessment_cycles).
func InCycleSQL(u, c string) string {
	return "((" + c + ".categories IS NULL OR " + u + ".category = ANY(" + c + ".categories)) AND " +
		NotAbolishedBySQL(u, c+".period_end") + ")"
}

// AbolishedBy reports whether the unit was abolished on or before day
// (YYYY-MM-DD): then it is not a unit of a cycle whose period ends on day,
// and takes no ratings on day.
func (u Unit) AbolishedBy(day string) bool {
	return u.AbolishedOn != nil && *u.AbolishedOn <= day
}

// refuseNew refuses (invalid, on field) a new service point or terminal
// (what) of a unit whose abolition is recorded: they would take ratings
// the unit no longer takes.
func (u Unit) refuseNew(field, what string) error {
	if u.AbolishedOn == nil {
		return nil
	}
	return apperr.InvalidField(field, "该单位已登记于"+DateText(*u.AbolishedOn)+"撤销，不能新增"+what)
}

// CycleUnits returns the units of the cycle, by category and name; an
// unknown cycle has none.
func CycleUnits(ctx context.Context, q db.DBTX, cycleID int64) ([]Unit, error) {
	rows, _ := q.Query(ctx, `SELECT `+unitColumns+` FROM units u JOIN assessment_cycles c ON c.id = $1
		WHERE `+InCycleSQL("u", "c")+` ORDER BY u.category, u.name`, cycleID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Unit])
	return list, db.Err(err)
}

// MaxAbolishAhead is how far ahead of today an abolition may be dated: a
// reform decided now may take effect within the year.
const MaxAbolishAhead = 366

// AbolishInput is what the office enters to abolish a unit: the day
// (YYYY-MM-DD), a note and, optionally, the units that continue it.
type AbolishInput struct {
	On           string  `json:"abolished_on"`
	Note         string  `json:"note"`
	SuccessorIDs []int64 `json:"successor_ids"`
}

// Validate returns an invalid error naming each bad field; today is the
// local date (YYYY-MM-DD).
func (in *AbolishInput) Validate(unitID int64, today string) error {
	in.On, in.Note = strings.TrimSpace(in.On), strings.TrimSpace(in.Note)
	f := apperr.Fields{}
	if in.On == "" {
		f.Add("abolished_on", "请填写撤销日期")
	} else if d, err := time.Parse(time.DateOnly, in.On); err != nil {
		f.Add("abolished_on", "撤销日期须为有效日期，格式为 YYYY-MM-DD")
	} else if t, _ := time.Parse(time.DateOnly, today); d.After(t.AddDate(0, 0, MaxAbolishAhead)) {
		f.Add("abolished_on", "撤销日期不能晚于一年以后（"+DateText(t.AddDate(0, 0, MaxAbolishAhead).Format(time.DateOnly))+"）")
	}
	if in.Note == "" {
		f.Add("note", "请填写撤销说明，如“2026年机构改革，并入省商务厅”")
	} else if utf8.RuneCountInString(in.Note) > 200 {
		f.Add("note", "撤销说明不能超过200字")
	}
	slices.Sort(in.SuccessorIDs)
	in.SuccessorIDs = slices.Compact(in.SuccessorIDs)
	switch {
	case slices.Contains(in.SuccessorIDs, unitID):
		f.Add("successor_ids", "单位不能是自己的后继单位")
	case len(in.SuccessorIDs) > 20:
		f.Add("successor_ids", "后继单位不能超过20个")
	case len(in.SuccessorIDs) > 0 && in.SuccessorIDs[0] <= 0:
		f.Add("successor_ids", "后继单位不存在")
	}
	return f.Err()
}

// DateText is a YYYY-MM-DD date as pages write it (2026年3月1日).
func DateText(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.Format("2006年1月2日")
}

// abolitionState is what the audit log records of an abolition.
type abolitionState struct {
	AbolishedOn string  `json:"abolished_on"`
	Note        string  `json:"abolition_note"`
	Successors  []int64 `json:"successor_ids,omitempty"`
}

// Abolish records that the unit was abolished on in.On, with the note,
// names each successor as continuing it (unit_predecessors, as
// AddPredecessor does and audits) and records it in the audit log; now in
// loc gives today and the day the unit was registered. It returns not_found for an unknown unit, conflict
// for a unit already abolished and invalid for bad input: a day before the
// unit was registered or more than a year ahead, a day on or before the
// end of a cycle the unit already has published results in, a successor
// that does not exist or is itself abolished.
func Abolish(ctx context.Context, tx pgx.Tx, actor audit.Actor, loc *time.Location, now time.Time, unitID int64, in AbolishInput) (Unit, error) {
	if err := in.Validate(unitID, now.In(loc).Format(time.DateOnly)); err != nil {
		return Unit{}, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM units WHERE id = $1 FOR UPDATE`, unitID); err != nil {
		return Unit{}, db.Err(err)
	}
	u, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	created := u.CreatedAt.In(loc).Format(time.DateOnly)
	if u.AbolishedOn != nil {
		return Unit{}, apperr.New(apperr.Conflict, "“"+u.Name+"”已于"+DateText(*u.AbolishedOn)+"撤销，不能重复撤销")
	}
	if in.On < created {
		return Unit{}, apperr.InvalidField("abolished_on", "撤销日期不能早于该单位的登记日期（"+DateText(created)+"）")
	}
	var cycle, end string
	err = tx.QueryRow(ctx, `SELECT c.name, to_char(c.period_end, 'YYYY-MM-DD') FROM assessment_cycles c
		WHERE c.period_end >= $2::date AND EXISTS (SELECT 1 FROM assessment_results r WHERE r.cycle_id = c.id AND r.unit_id = $1)
		ORDER BY c.period_end DESC LIMIT 1`, unitID, in.On).Scan(&cycle, &end)
	if err == nil {
		return Unit{}, apperr.InvalidField("abolished_on", "该单位已有“"+cycle+"”的考核结果，撤销日期须晚于该考核年度的结束日期（"+DateText(end)+"）")
	}
	if err != pgx.ErrNoRows {
		return Unit{}, db.Err(err)
	}
	for _, id := range in.SuccessorIDs {
		s, err := FindUnit(ctx, tx, id)
		if apperr.Is(err, apperr.NotFound) {
			return Unit{}, apperr.InvalidField("successor_ids", "后继单位不存在")
		}
		if err != nil {
			return Unit{}, err
		}
		if s.AbolishedOn != nil {
			return Unit{}, apperr.InvalidField("successor_ids", "“"+s.Name+"”已于"+DateText(*s.AbolishedOn)+"撤销，不能作为后继单位")
		}
	}
	var by *int64
	if actor.ID != 0 {
		by = &actor.ID
	}
	if _, err := tx.Exec(ctx, `UPDATE units SET abolished_on = $2, abolition_note = $3, abolished_by = $4, abolished_at = now(),
		updated_at = now() WHERE id = $1`, unitID, in.On, in.Note, by); err != nil {
		return Unit{}, db.Err(err)
	}
	for _, id := range in.SuccessorIDs {
		var linked bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_predecessors WHERE unit_id = $1 AND predecessor_id = $2)`,
			id, unitID).Scan(&linked); err != nil {
			return Unit{}, db.Err(err)
		}
		if linked {
			continue
		}
		if _, err := AddPredecessor(ctx, tx, actor, id, PredecessorInput{PredecessorID: unitID, Note: in.Note}); err != nil {
			if f := apperr.From(err).Fields; f != nil {
				return Unit{}, apperr.InvalidField("successor_ids", f["predecessor_id"])
			}
			return Unit{}, err
		}
	}
	after, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	return after, audit.Record(ctx, tx, actor, "unit.abolish", "unit", strconv.FormatInt(unitID, 10), nil,
		abolitionState{AbolishedOn: in.On, Note: in.Note, Successors: in.SuccessorIDs})
}

// Restore undoes the unit's abolition (恢复) and records it in the audit
// log; the lineage links stay (the unit page removes them one by one). It
// is refused (conflict) while something depends on the abolition: a cycle
// the abolition took the unit out of (its period ends on or after the
// day) has published results, made without the unit. It returns not_found
// for an unknown unit and conflict for a unit not abolished.
func Restore(ctx context.Context, tx pgx.Tx, actor audit.Actor, unitID int64) (Unit, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM units WHERE id = $1 FOR UPDATE`, unitID); err != nil {
		return Unit{}, db.Err(err)
	}
	u, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	if u.AbolishedOn == nil {
		return Unit{}, apperr.New(apperr.Conflict, "“"+u.Name+"”未撤销，无需恢复")
	}
	var cycle string
	err = tx.QueryRow(ctx, `SELECT c.name FROM assessment_cycles c JOIN units u ON u.id = $1
		WHERE NOT `+NotAbolishedBySQL("u", "c.period_end")+` AND (c.categories IS NULL OR u.category = ANY(c.categories))
			AND EXISTS (SELECT 1 FROM assessment_publications p WHERE p.cycle_id = c.id)
		ORDER BY c.period_end LIMIT 1`, unitID).Scan(&cycle)
	if err == nil {
		return Unit{}, apperr.New(apperr.Conflict, "“"+cycle+"”已公布考核结果，该单位撤销后未参加其考核；恢复将使其重新成为该考核年度的单位，不能恢复")
	}
	if err != pgx.ErrNoRows {
		return Unit{}, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE units SET abolished_on = NULL, abolition_note = '', abolished_by = NULL, abolished_at = NULL,
		updated_at = now() WHERE id = $1`, unitID); err != nil {
		return Unit{}, db.Err(err)
	}
	after, err := FindUnit(ctx, tx, unitID)
	if err != nil {
		return Unit{}, err
	}
	return after, audit.Record(ctx, tx, actor, "unit.restore", "unit", strconv.FormatInt(unitID, 10),
		abolitionState{AbolishedOn: *u.AbolishedOn, Note: u.AbolitionNote}, nil)
}

// Successor is a unit that continues an abolished one, with its unit QR
// code (empty when it has none).
type Successor struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Code string `db:"qr_code"`
}

// Successors returns the units that name the unit as a predecessor and
// are not abolished themselves, by name: where its citizens rate now.
func Successors(ctx context.Context, q db.DBTX, unitID int64) ([]Successor, error) {
	rows, _ := q.Query(ctx, `SELECT u.id, u.name,
			coalesce((SELECT code FROM qr_codes q WHERE q.unit_id = u.id AND q.point_id IS NULL AND q.replaced_at IS NULL), '') AS qr_code
		FROM unit_predecessors l JOIN units u ON u.id = l.unit_id
		WHERE l.predecessor_id = $1 AND u.abolished_on IS NULL ORDER BY u.name, u.id`, unitID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Successor])
	return list, db.Err(err)
}
