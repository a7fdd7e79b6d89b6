package feedback

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
)

// KindInspection is the source kind of a case the office opened on a
// finding of its own inspection (internal/inspections); its source id is
// the finding's id.
const KindInspection = "inspection"

// OpenInspectionCase opens a case for unitID on the finding findingID of
// an office inspection of the cycle, with the answer period of the
// monitoring group (working days), and records it in the audit log. That
// the unit is of the cycle and the finding not yet a case is the caller's
// check (internal/inspections). It returns invalid for a missing or long
// problem; a deadline through a year without a calendar is provisional.
func OpenInspectionCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, cycleID, unitID, findingID int64,
	problem, title string, now time.Time) (Case, error) {
	problem = strings.TrimSpace(problem)
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
	id, err := insertCase(ctx, tx, actor, unitID, KindInspection, itoa(findingID), GroupMonitoring, problem, false, nil, d, now)
	if err != nil {
		return Case{}, err
	}
	return recordUpdate(ctx, tx, actor, id, "note", "绩效办检查（"+title+"）发现问题并立案交办", nil, "case.open", Case{}, now)
}
