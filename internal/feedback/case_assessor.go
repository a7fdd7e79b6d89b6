package feedback

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// KindAssessor is the source kind of a case an assessor unit (考评单位)
// opened on a problem it found; its source id is the assessor's unit id.
const KindAssessor = "assessor"

// AssessorCaseInput is a case an assessor unit opens on a unit it assesses.
type AssessorCaseInput struct {
	UnitID  int64  `json:"unit_id"`
	Problem string `json:"problem"`
}

// OpenAssessorCase opens a case for in.UnitID on a problem the assessor
// unit found, in the cycle, with the answer period of the monitoring
// group, and records it in the audit log. Whether the assessor may open it
// (it assesses the unit) is the caller's check (internal/assessors). It
// returns invalid for a missing or long problem; a deadline through a year
// without a calendar is provisional, never refused.
func OpenAssessorCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, assessorUnitID, cycleID int64,
	in AssessorCaseInput, now time.Time) (Case, error) {
	problem := strings.TrimSpace(in.Problem)
	if n := utf8.RuneCountInString(problem); n == 0 {
		return Case{}, apperr.InvalidField("problem", "请填写发现的问题")
	} else if n > 2000 {
		return Case{}, apperr.InvalidField("problem", "问题描述不能超过2000字")
	}
	d, err := sendDates(ctx, tx, loc, GroupMonitoring, false, now)
	if err != nil {
		return Case{}, err
	}
	d.cycleID = &cycleID
	id, err := insertCase(ctx, tx, actor, in.UnitID, KindAssessor, itoa(assessorUnitID), GroupMonitoring, problem, false, nil, d, now)
	if err != nil {
		return Case{}, err
	}
	if _, err := tx.Exec(ctx, `UPDATE rectification_cases SET assessor_unit_id = $2 WHERE id = $1`, id, assessorUnitID); err != nil {
		return Case{}, db.Err(err)
	}
	var name string
	if err := tx.QueryRow(ctx, `SELECT name FROM units WHERE id = $1`, assessorUnitID).Scan(&name); err != nil {
		return Case{}, db.Err(err)
	}
	return recordUpdate(ctx, tx, actor, id, "note", "考评单位"+name+"发现问题并立案交办", nil, "case.open", Case{}, now)
}

// FollowsCase reports whether the unit follows the case as the assessor
// that opened it.
func (c Case) FollowsCase(unitID *int64) bool {
	return unitID != nil && c.AssessorUnitID != nil && *c.AssessorUnitID == *unitID
}
