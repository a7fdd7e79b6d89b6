package agencies

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// PendingFileTTL is how long a file waiting for its mapping step is kept.
const PendingFileTTL = 24 * time.Hour

// SavedMapping is an agency's saved mapping for its survey.
type SavedMapping struct {
	Mapping     Mapping   `json:"mapping"`
	SavedByName string    `json:"saved_by"`
	SavedAt     time.Time `json:"saved_at"`
}

// FindMapping returns the mapping saved for the agency and survey, or
// not_found when none is.
func FindMapping(ctx context.Context, q db.DBTX, agencyID, surveyID int64) (SavedMapping, error) {
	const sql = `SELECT mapping, saved_by_name, saved_at FROM survey_agency_mappings
		WHERE agency_id = $1 AND survey_id = $2`
	var m SavedMapping
	err := q.QueryRow(ctx, sql, agencyID, surveyID).Scan(&m.Mapping, &m.SavedByName, &m.SavedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return SavedMapping{}, apperr.New(apperr.NotFound, "尚未保存字段对应设置")
	}
	return m, db.Err(err)
}

// savedMappingOrNil returns the saved mapping, nil when none is.
func savedMappingOrNil(ctx context.Context, q db.DBTX, agencyID, surveyID int64) (*Mapping, error) {
	m, err := FindMapping(ctx, q, agencyID, surveyID)
	if apperr.From(err).Code == apperr.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m.Mapping, nil
}

// SaveMapping stores the mapping for the agency's survey, replacing the
// saved one; staff is the account saving it (nil for the agency's own
// token), whose change is audited. It does not validate the mapping (see
// Mapping.Validate).
func SaveMapping(ctx context.Context, q db.DBTX, a Agency, m Mapping, staff *audit.Actor, now time.Time) error {
	const sql = `INSERT INTO survey_agency_mappings (agency_id, survey_id, mapping, saved_by, saved_by_name, saved_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (agency_id, survey_id) DO UPDATE SET mapping = EXCLUDED.mapping,
			saved_by = EXCLUDED.saved_by, saved_by_name = EXCLUDED.saved_by_name, saved_at = EXCLUDED.saved_at`
	var by *int64
	name := ""
	var before *Mapping
	if staff != nil {
		by, name = &staff.ID, staff.Name
		var err error
		if before, err = savedMappingOrNil(ctx, q, a.ID, a.SurveyID); err != nil {
			return err
		}
	}
	if _, err := q.Exec(ctx, sql, a.ID, a.SurveyID, m, by, name, now); err != nil {
		return db.Err(err)
	}
	if staff == nil {
		return nil
	}
	return audit.Record(ctx, q, *staff, "agency.mapping", "agency", strconv.FormatInt(a.ID, 10), before, m)
}

// PendingFile is an uploaded file waiting for its mapping step.
type PendingFile struct {
	ID       int64
	AgencyID int64
	Filename string
	Data     []byte
}

// KeepPendingFile stores a file for the mapping step until now +
// PendingFileTTL and deletes the expired ones; it returns the file's id.
func KeepPendingFile(ctx context.Context, q db.DBTX, agencyID int64, filename string, data []byte, by *int64, now time.Time) (int64, error) {
	if _, err := q.Exec(ctx, `DELETE FROM survey_agency_pending_files WHERE expires_at <= $1`, now); err != nil {
		return 0, db.Err(err)
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO survey_agency_pending_files (agency_id, filename, data, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, agencyID, filename, data, by, now, now.Add(PendingFileTTL)).Scan(&id)
	return id, db.Err(err)
}

// FindPendingFile returns the agency's file id not yet expired at now, or
// not_found.
func FindPendingFile(ctx context.Context, q db.DBTX, agencyID, id int64, now time.Time) (PendingFile, error) {
	f := PendingFile{ID: id, AgencyID: agencyID}
	err := q.QueryRow(ctx, `SELECT filename, data FROM survey_agency_pending_files
		WHERE id = $1 AND agency_id = $2 AND expires_at > $3`, id, agencyID, now).Scan(&f.Filename, &f.Data)
	if errors.Is(err, pgx.ErrNoRows) {
		return PendingFile{}, apperr.New(apperr.NotFound, "上传的文件已过期或已导入，请重新上传")
	}
	return f, db.Err(err)
}

// DeletePendingFile deletes the file once it is imported.
func DeletePendingFile(ctx context.Context, q db.DBTX, id int64) error {
	_, err := q.Exec(ctx, `DELETE FROM survey_agency_pending_files WHERE id = $1`, id)
	return db.Err(err)
}
