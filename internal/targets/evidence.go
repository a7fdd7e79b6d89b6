package targets

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// MaxEvidencePerIndicator is the most files one indicator may carry.
const MaxEvidencePerIndicator = 10

// Messages of refused attachments.
const (
	MsgEvidenceNotApproved = "目标责任书批准后才能上传佐证材料"
	MsgEvidenceNotOwn      = "只能附本单位上传的佐证材料"
	MsgEvidenceTooMany     = "每项指标最多附10个佐证材料"
)

// IndicatorFile is an evidence file (佐证材料) attached to an indicator of
// a target sheet, without its bytes.
type IndicatorFile struct {
	IndicatorID int64     `json:"indicator_id" db:"indicator_id"`
	ID          string    `json:"id" db:"id"`
	Filename    string    `json:"filename" db:"filename"`
	ContentType string    `json:"content_type" db:"content_type"`
	Size        int       `json:"size" db:"size"`
	AttachedBy  *string   `json:"attached_by" db:"attached_by"`
	AttachedAt  time.Time `json:"attached_at" db:"attached_at"`
}

// ListEvidence returns the files attached to the sheet's current
// indicators, by indicator then time attached.
func ListEvidence(ctx context.Context, q db.DBTX, sheetID int64) ([]IndicatorFile, error) {
	rows, _ := q.Query(ctx, `SELECT e.indicator_id, f.id::text AS id, f.filename, f.content_type, f.size,
			u.username AS attached_by, e.attached_at
		FROM target_evidence e JOIN evidence_files f ON f.id = e.evidence_id
		JOIN target_indicators i ON i.id = e.indicator_id AND i.removed_at IS NULL
		LEFT JOIN users u ON u.id = e.attached_by
		WHERE e.sheet_id = $1 ORDER BY i.position, e.attached_at, f.id`, sheetID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[IndicatorFile])
	if list == nil {
		list = []IndicatorFile{}
	}
	return list, db.Err(err)
}

// AttachEvidence attaches an uploaded file of the sheet's unit to one of
// its current indicators and audits it; attaching it again changes
// nothing. It returns conflict (MsgEvidenceNotApproved) for a sheet not
// approved, and invalid for an indicator not current (indicator_id), a
// file that does not exist or is not the unit's (evidence_id) or an
// indicator that has MaxEvidencePerIndicator files already.
func AttachEvidence(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, indicatorID int64, evidenceID string, now time.Time) (IndicatorFile, error) {
	if s.Status != StatusApproved {
		return IndicatorFile{}, apperr.New(apperr.Conflict, MsgEvidenceNotApproved)
	}
	if !current(s, indicatorID) {
		return IndicatorFile{}, apperr.InvalidField("indicator_id", "指标不属于该目标责任书")
	}
	evidenceID = strings.ToLower(strings.TrimSpace(evidenceID))
	if !uuidRE.MatchString(evidenceID) {
		return IndicatorFile{}, apperr.InvalidField("evidence_id", "佐证材料不存在，请重新上传")
	}
	var owner *int64
	err := tx.QueryRow(ctx, `SELECT owner_unit_id FROM evidence_files WHERE id = $1::uuid`, evidenceID).Scan(&owner)
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.InvalidField("evidence_id", "佐证材料不存在，请重新上传")
		}
		return IndicatorFile{}, err
	}
	if owner == nil || *owner != s.UnitID {
		return IndicatorFile{}, apperr.InvalidField("evidence_id", MsgEvidenceNotOwn)
	}
	// Lock the indicator so two uploads cannot both pass the count.
	var n int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM target_evidence WHERE indicator_id = i.id)::int
		FROM target_indicators i WHERE i.id = $1 FOR UPDATE`, indicatorID).Scan(&n); err != nil {
		return IndicatorFile{}, db.Err(err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO target_evidence (indicator_id, evidence_id, sheet_id, attached_by, attached_at)
		SELECT $1::bigint, $2::uuid, $3::bigint, $4::bigint, $5::timestamptz WHERE $6::int < $7::int ON CONFLICT DO NOTHING`,
		indicatorID, evidenceID, s.ID, actorID(actor), now, n, MaxEvidencePerIndicator)
	if err != nil {
		return IndicatorFile{}, db.Err(err)
	}
	f, ferr := findIndicatorFile(ctx, tx, indicatorID, evidenceID)
	if tag.RowsAffected() == 0 {
		if apperr.Is(ferr, apperr.NotFound) {
			return IndicatorFile{}, apperr.InvalidField("evidence_id", MsgEvidenceTooMany)
		}
		return f, ferr
	}
	if ferr != nil {
		return IndicatorFile{}, ferr
	}
	return f, audit.Record(ctx, tx, actor, "target_evidence.attach", "target_sheet", idStr(s.ID), nil, f)
}

// DetachEvidence removes a file from an indicator of the sheet and audits
// it; not_found when it is not attached there. The file itself stays (a
// deduction or claim may cite it too).
func DetachEvidence(ctx context.Context, tx pgx.Tx, actor audit.Actor, s Sheet, indicatorID int64, evidenceID string) error {
	evidenceID = strings.ToLower(strings.TrimSpace(evidenceID))
	if !uuidRE.MatchString(evidenceID) {
		return apperr.New(apperr.NotFound, "佐证材料不存在")
	}
	before, err := findIndicatorFile(ctx, tx, indicatorID, evidenceID)
	if err == nil && !current(s, indicatorID) {
		err = apperr.New(apperr.NotFound, "佐证材料不存在")
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM target_evidence WHERE indicator_id = $1 AND evidence_id = $2::uuid`,
		indicatorID, evidenceID); err != nil {
		return db.Err(err)
	}
	return audit.Record(ctx, tx, actor, "target_evidence.detach", "target_sheet", idStr(s.ID), before, nil)
}

// EvidenceIndicators returns the current indicators of the sheet that
// cite the file (none when it cites none).
func EvidenceIndicators(ctx context.Context, q db.DBTX, sheetID int64, evidenceID string) ([]Indicator, error) {
	evidenceID = strings.ToLower(strings.TrimSpace(evidenceID))
	if !uuidRE.MatchString(evidenceID) {
		return []Indicator{}, nil
	}
	rows, _ := q.Query(ctx, `SELECT i.id, i.assessor_unit_id, i.scheme_key FROM target_evidence e
		JOIN target_indicators i ON i.id = e.indicator_id AND i.removed_at IS NULL
		WHERE e.sheet_id = $1 AND e.evidence_id = $2::uuid`, sheetID, evidenceID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Indicator])
	return list, db.Err(err)
}

func findIndicatorFile(ctx context.Context, q db.DBTX, indicatorID int64, evidenceID string) (IndicatorFile, error) {
	rows, _ := q.Query(ctx, `SELECT e.indicator_id, f.id::text AS id, f.filename, f.content_type, f.size,
			u.username AS attached_by, e.attached_at
		FROM target_evidence e JOIN evidence_files f ON f.id = e.evidence_id LEFT JOIN users u ON u.id = e.attached_by
		WHERE e.indicator_id = $1 AND e.evidence_id = $2::uuid`, indicatorID, evidenceID)
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[IndicatorFile])
	if err != nil {
		if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
			err = apperr.New(apperr.NotFound, "佐证材料不存在")
		}
	}
	return f, err
}

// uuidRE is an evidence file's id as the database writes it.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// current reports whether the indicator is one of the sheet's current ones.
func current(s Sheet, indicatorID int64) bool {
	for _, in := range s.Indicators {
		if in.ID == indicatorID {
			return true
		}
	}
	return false
}

func actorID(actor audit.Actor) *int64 {
	if actor.ID == 0 {
		return nil
	}
	return &actor.ID
}
