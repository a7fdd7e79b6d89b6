package inspections

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/assessors"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/feedback"
)

// Refusals of the one-step actions on a finding.
const (
	MsgFindingNotFound = "检查发现的问题不存在"
	MsgGoodFinding     = "工作亮点不能转为整改案件或扣分建议"
	MsgNotOfUnit       = "所选单位不在本次检查的被检查单位中"
)

// Finding is one finding of an inspection, with the case and the
// deduction proposal it became (nil until then).
type Finding struct {
	ID            int64   `json:"id" db:"id"`
	InspectionID  int64   `json:"inspection_id" db:"inspection_id"`
	UnitID        int64   `json:"unit_id" db:"unit_id"`
	UnitName      string  `json:"unit_name" db:"unit_name"`
	IndicatorID   *int64  `json:"indicator_id" db:"indicator_id"`
	IndicatorName *string `json:"indicator_name" db:"indicator_name"`
	// SchemeItem is the ref of the inspection's scheme indicator the
	// finding names, SchemeItemName its name (nil for none).
	SchemeItem     *string   `json:"scheme_item" db:"scheme_item"`
	SchemeItemName *string   `json:"scheme_item_name" db:"scheme_item_name"`
	Severity       string    `json:"severity" db:"severity"`
	SeverityName   string    `json:"severity_name" db:"-"`
	Body           string    `json:"body" db:"body"`
	CaseID         *int64    `json:"case_id" db:"case_id"`
	ProposalID     *int64    `json:"proposal_id" db:"proposal_id"`
	CreatedBy      *string   `json:"created_by" db:"created_by"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// Actionable reports whether the finding may become a case or a proposal
// (a problem, not a 工作亮点).
func (f Finding) Actionable() bool { return f.Severity != "good" }

const findingSQL = `SELECT f.id, f.inspection_id, f.unit_id, u.name AS unit_name, f.indicator_id, t.name AS indicator_name,
	coalesce(it.group_id, 0)::text || ':' || it.leaf_key AS scheme_item, it.name AS scheme_item_name,
	f.severity, f.body, f.case_id, f.proposal_id, cu.username AS created_by, f.created_at
	FROM inspection_findings f JOIN units u ON u.id = f.unit_id
	LEFT JOIN target_indicators t ON t.id = f.indicator_id LEFT JOIN inspection_items it ON it.id = f.item_id
	LEFT JOIN users cu ON cu.id = f.created_by`

// IndicatorLabel is the indicator the finding names: its scheme
// indicator, else its target indicator, else "".
func (f Finding) IndicatorLabel() string {
	switch {
	case f.SchemeItemName != nil:
		return *f.SchemeItemName
	case f.IndicatorName != nil:
		return *f.IndicatorName
	}
	return ""
}

// listFindings lists the inspection's findings on the units (all when
// nil).
func listFindings(ctx context.Context, q db.DBTX, inspectionID int64, units []int64) ([]Finding, error) {
	list, err := collect[Finding](ctx, q, findingSQL+` WHERE f.inspection_id = $1
		AND ($2::bigint[] IS NULL OR f.unit_id = ANY($2::bigint[])) ORDER BY f.id`, inspectionID, units)
	for i := range list {
		list[i].SeverityName = SeverityLabel(list[i].Severity)
	}
	return list, err
}

// FindFinding returns a finding; not_found (MsgFindingNotFound).
func FindFinding(ctx context.Context, q db.DBTX, id int64) (Finding, error) {
	rows, _ := q.Query(ctx, findingSQL+` WHERE f.id = $1`, id)
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Finding])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, MsgFindingNotFound)
		}
		return Finding{}, err
	}
	f.SeverityName = SeverityLabel(f.Severity)
	return f, nil
}

func insertFinding(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, x FindingInput, item *int64) (int64, error) {
	var ind *int64
	if x.IndicatorID != 0 {
		ind = &x.IndicatorID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO inspection_findings (inspection_id, unit_id, indicator_id, item_id, severity, body,
			client_key, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		inspectionID, x.UnitID, ind, item, x.Severity, x.Body, nullString(x.ClientKey), actorID(actor)).Scan(&id)
	return id, db.Err(err)
}

// lockInspection locks the inspection row and returns its cycle; not_found
// or conflict when the cycle's result is final.
func lockInspection(ctx context.Context, tx pgx.Tx, id int64) (int64, error) {
	var cycleID int64
	if err := tx.QueryRow(ctx, `SELECT cycle_id FROM inspections WHERE id = $1 FOR UPDATE`, id).Scan(&cycleID); err != nil {
		return 0, notFound(db.Err(err))
	}
	return cycleID, assessment.CheckEditable(ctx, tx, cycleID)
}

// AddFinding adds a finding to the inspection, audited. A retry with the
// same client_key returns the first (created false). It returns not_found,
// conflict when the cycle's result is final, and invalid for bad input, a
// unit the inspection did not inspect (MsgNotOfUnit) or an indicator not
// of the unit's sheet (MsgIndicator) or a scheme indicator the inspection
// does not cover (MsgFindingItem).
func AddFinding(ctx context.Context, tx pgx.Tx, actor audit.Actor, inspectionID int64, in FindingInput) (Finding, bool, error) {
	in.normalize()
	cycleID, err := lockInspection(ctx, tx, inspectionID)
	if err != nil {
		return Finding{}, false, err
	}
	if in.ClientKey != "" {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM inspection_findings WHERE inspection_id = $1 AND client_key = $2`,
			inspectionID, in.ClientKey).Scan(&id)
		if err == nil {
			f, err := FindFinding(ctx, tx, id)
			return f, false, err
		}
		if err != pgx.ErrNoRows {
			return Finding{}, false, db.Err(err)
		}
	}
	if err := in.Validate(); err != nil {
		return Finding{}, false, err
	}
	var inspected bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM inspection_units WHERE inspection_id = $1 AND unit_id = $2)`,
		inspectionID, in.UnitID).Scan(&inspected); err != nil {
		return Finding{}, false, db.Err(err)
	}
	if !inspected {
		return Finding{}, false, apperr.InvalidField("unit_id", MsgNotOfUnit)
	}
	if in.IndicatorID != 0 {
		if err := checkIndicators(ctx, tx, cycleID, []int64{in.UnitID}, []int64{in.IndicatorID}, "indicator_id"); err != nil {
			return Finding{}, false, err
		}
	}
	item, err := itemID(ctx, tx, inspectionID, in.SchemeItem, "scheme_item")
	if err != nil {
		return Finding{}, false, err
	}
	id, err := insertFinding(ctx, tx, actor, inspectionID, in, item)
	if err != nil {
		return Finding{}, false, err
	}
	f, err := FindFinding(ctx, tx, id)
	if err != nil {
		return Finding{}, false, err
	}
	return f, true, audit.Record(ctx, tx, actor, "inspection.finding", "inspection_finding", itoa(id), nil, f)
}

// lockFinding locks the finding and returns it with its inspection; it
// refuses a 工作亮点 (MsgGoodFinding, conflict) and a final cycle.
func lockFinding(ctx context.Context, tx pgx.Tx, id int64) (Finding, Inspection, error) {
	var inspectionID int64
	if err := tx.QueryRow(ctx, `SELECT inspection_id FROM inspection_findings WHERE id = $1 FOR UPDATE`, id).
		Scan(&inspectionID); err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, MsgFindingNotFound)
		}
		return Finding{}, Inspection{}, err
	}
	f, err := FindFinding(ctx, tx, id)
	if err != nil {
		return Finding{}, Inspection{}, err
	}
	var i Inspection
	rows, _ := tx.Query(ctx, selectInspections("NULL")+` WHERE i.id = $1`, inspectionID)
	if i, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Inspection]); err != nil {
		return Finding{}, Inspection{}, db.Err(err)
	}
	return f, i, nil
}

// ToCase opens a rectification case for the finding's unit with its text
// and the monitoring group's working-day deadline, linked back to the
// finding, audited. A finding becomes a case once: a second call returns
// the existing case (created false). It returns not_found, conflict for a
// 工作亮点 (MsgGoodFinding) and a final cycle.
func ToCase(ctx context.Context, tx pgx.Tx, loc *time.Location, actor audit.Actor, findingID int64, now time.Time) (feedback.Case, bool, error) {
	f, i, err := lockFinding(ctx, tx, findingID)
	if err != nil {
		return feedback.Case{}, false, err
	}
	if f.CaseID != nil {
		c, err := feedback.FindCase(ctx, tx, *f.CaseID)
		return c, false, err
	}
	if !f.Actionable() {
		return feedback.Case{}, false, apperr.New(apperr.Conflict, MsgGoodFinding)
	}
	if err := assessment.CheckEditable(ctx, tx, i.CycleID); err != nil {
		return feedback.Case{}, false, err
	}
	problem := problemText(f, i)
	c, err := feedback.OpenInspectionCase(ctx, tx, loc, actor, i.CycleID, f.UnitID, f.ID, problem, i.Title, now)
	if err != nil {
		return feedback.Case{}, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE inspection_findings SET case_id = $2 WHERE id = $1`, f.ID, c.ID); err != nil {
		return feedback.Case{}, false, db.Err(err)
	}
	return c, true, audit.Record(ctx, tx, actor, "inspection.finding_case", "inspection_finding", itoa(f.ID),
		map[string]any{"case_id": nil}, map[string]any{"case_id": c.ID})
}

// ToProposal creates a deduction proposal of the office for the finding's
// unit with the cycle's deduction reason reasonKey and the finding's text
// as the facts, linked back to the finding, audited. A finding becomes a
// proposal once: a second call returns the existing one (created false).
// It returns not_found, conflict for a 工作亮点 (MsgGoodFinding) and a
// final cycle, and invalid for a reason not in the cycle's settings.
func ToProposal(ctx context.Context, tx pgx.Tx, actor audit.Actor, findingID int64, reasonKey string, now time.Time) (assessors.Proposal, bool, error) {
	f, i, err := lockFinding(ctx, tx, findingID)
	if err != nil {
		return assessors.Proposal{}, false, err
	}
	if f.ProposalID != nil {
		p, err := assessors.FindProposal(ctx, tx, *f.ProposalID)
		return p, false, err
	}
	if !f.Actionable() {
		return assessors.Proposal{}, false, apperr.New(apperr.Conflict, MsgGoodFinding)
	}
	p, err := assessors.ProposeForOffice(ctx, tx, actor, i.CycleID, f.UnitID, assessors.ProposalInput{
		UnitID: f.UnitID, ReasonKey: reasonKey, Description: clip(problemText(f, i), 1900)}, now)
	if err != nil {
		return assessors.Proposal{}, false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE inspection_findings SET proposal_id = $2 WHERE id = $1`, f.ID, p.ID); err != nil {
		return assessors.Proposal{}, false, db.Err(err)
	}
	return p, true, audit.Record(ctx, tx, actor, "inspection.finding_proposal", "inspection_finding", itoa(f.ID),
		map[string]any{"proposal_id": nil}, map[string]any{"proposal_id": p.ID})
}

// problemText is the finding as a case's problem or a proposal's facts:
// the inspection, the indicator when named, and the text.
func problemText(f Finding, i Inspection) string {
	s := KindLabel(i.Kind) + "（" + i.HeldOn + "，" + i.Title + "）发现："
	if l := f.IndicatorLabel(); l != "" {
		s += "【" + l + "】"
	}
	return clip(s+f.Body, 2000)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
