package agencies

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// Upload formats.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// Upload is one upload (a JSON batch or a file) with its row-by-row report.
type Upload struct {
	ID            int64  `json:"id" db:"id"`
	AgencyID      int64  `json:"agency_id" db:"agency_id"`
	Format        string `json:"format" db:"format"`
	Filename      string `json:"filename" db:"filename"`
	RowsTotal     int    `json:"rows_total" db:"rows_total"`
	RowsStored    int    `json:"rows_stored" db:"rows_stored"`
	RowsDuplicate int    `json:"rows_duplicate" db:"rows_duplicate"`
	RowsInvalid   int    `json:"rows_invalid" db:"rows_invalid"`
	Report        Report `json:"report" db:"report"`
	// UploadedByName is the staff account that uploaded on the agency's
	// behalf, "" for an upload through the agency's API token.
	UploadedByName string    `json:"uploaded_by" db:"uploaded_by_name"`
	CreatedAt      time.Time `json:"created_at" db:"created_at"`
}

// Report is an upload's row-by-row outcome: every problem of every invalid
// row, and the rows already stored before (duplicates). Rows named in
// neither were stored.
type Report struct {
	Errors     []RowError `json:"errors"`
	Duplicates []RowRef   `json:"duplicates"`
	// Warnings are the file's problems that stopped nothing, such as
	// columns a mapping ignores.
	Warnings []string `json:"warnings,omitempty"`
}

// RowRef names one row of an upload.
type RowRef struct {
	Row        int    `json:"row"`
	ResponseID string `json:"response_id"`
}

// UploadInput is what StoreUpload stores.
type UploadInput struct {
	Format   string
	Filename string
	Rows     []RowInput
	// Warnings go into the report as they are.
	Warnings []string
	// TokenID is the token of an agency's own upload; UploadedBy the staff
	// account of an upload on the agency's behalf (audit.Actor with an ID).
	TokenID    *int64
	UploadedBy *audit.Actor
}

const uploadColumns = `id, agency_id, format, filename, rows_total, rows_stored, rows_duplicate, rows_invalid,
	report, uploaded_by_name, created_at`

// StoreUpload checks every row against the survey and units of the
// catalog and stores the valid ones with the upload's report, all in tx.
// A response id the agency has stored before is a duplicate when the
// content is the same (a date left out matches any) and an invalid row
// when it differs; the stored response is never changed. Two uploads of
// the same rows at once store them once. It returns survey_not_open or
// survey_closed when the survey does not take answers at now, with nothing
// stored; row problems are in the report, not errors.
func StoreUpload(ctx context.Context, tx pgx.Tx, a Agency, cat *Catalog, in UploadInput, now time.Time, loc *time.Location) (Upload, error) {
	if len(in.Rows) == 0 {
		return Upload{}, errNoRows
	}
	// Share-lock the survey, so it cannot close while the rows go in.
	s, err := lockSurvey(ctx, tx, a.SurveyID)
	if err != nil {
		return Upload{}, err
	}
	if err := AcceptsUploads(s, now); err != nil {
		return Upload{}, err
	}
	cat = &Catalog{Survey: s, Units: cat.Units, PeriodEnd: cat.PeriodEnd}
	chk := newChecker(cat, now, loc)
	rep := Report{Warnings: in.Warnings}
	invalid := map[int]bool{}
	var valid []Response
	first := map[string]Response{} // response id → first valid row with it in this upload
	for _, row := range in.Rows {
		r, errs := chk.check(row)
		if len(errs) == 0 {
			if prev, seen := first[r.ResponseID]; seen {
				if prev.sameAs(r) {
					rep.Duplicates = append(rep.Duplicates, RowRef{Row: r.Row, ResponseID: r.ResponseID})
				} else {
					errs = append(errs, RowError{Row: r.Row, ResponseID: r.ResponseID, Field: "response_id",
						Column: row.Columns["response_id"], Message: "答卷编号与本次上传的第 " + strconv.Itoa(prev.Row) + " 行相同，但内容不同"})
				}
			} else {
				first[r.ResponseID] = r
				valid = append(valid, r)
			}
		}
		if len(errs) > 0 {
			invalid[row.Row] = true
			rep.Errors = append(rep.Errors, errs...)
		}
	}
	stored, changed, dups, err := insertResponses(ctx, tx, a, valid)
	if err != nil {
		return Upload{}, err
	}
	for _, r := range valid {
		switch {
		case changed[r.ResponseID]:
			invalid[r.Row] = true
			rep.Errors = append(rep.Errors, RowError{Row: r.Row, ResponseID: r.ResponseID, Field: "response_id",
				Message: "该答卷编号已上传，内容不同；已存的答卷未作改动"})
		case dups[r.ResponseID]:
			rep.Duplicates = append(rep.Duplicates, RowRef{Row: r.Row, ResponseID: r.ResponseID})
		}
	}
	sortReport(&rep)
	return recordUpload(ctx, tx, a, in, rep, stored, len(invalid))
}

// insertResponses stores the responses whose ids the agency has not used
// and sorts the others into duplicates and changed ones.
func insertResponses(ctx context.Context, tx pgx.Tx, a Agency, valid []Response) (int, map[string]bool, map[string]bool, error) {
	changed, dups := map[string]bool{}, map[string]bool{}
	if len(valid) == 0 {
		return 0, changed, dups, nil
	}
	// Sorted by response id, so two uploads of overlapping rows take the
	// unique index's locks in the same order and cannot deadlock.
	sorted := sortedByResponseID(valid)
	n := len(sorted)
	unitIDs, levels := make([]int64, n), make([]int32, n)
	groups, ids, aspects, opinions, dates := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, r := range sorted {
		b, _ := json.Marshal(r.Aspects)
		unitIDs[i], groups[i], ids[i], levels[i], aspects[i], opinions[i], dates[i] =
			r.UnitID, r.GroupKey, r.ResponseID, int32(r.Level), string(b), r.Opinion, r.Date
	}
	rows, _ := tx.Query(ctx, `INSERT INTO survey_responses
			(survey_id, unit_id, group_key, source, agency_id, agency_response_id, level, aspects, opinion, submitted_on)
		SELECT $1, t.u, t.g, 'agency', $2, t.r, t.l, t.a::jsonb, t.o, t.d::date
		FROM unnest($3::bigint[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[]) AS t(u, g, r, l, a, o, d)
		ON CONFLICT (agency_id, agency_response_id) DO NOTHING
		RETURNING agency_response_id`, a.SurveyID, a.ID, unitIDs, groups, ids, levels, aspects, opinions, dates)
	inserted, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, nil, nil, db.Err(err)
	}
	if len(inserted) == n {
		return n, changed, dups, nil
	}
	isNew := make(map[string]bool, len(inserted))
	for _, id := range inserted {
		isNew[id] = true
	}
	var old []string
	for _, id := range ids {
		if !isNew[id] {
			old = append(old, id)
		}
	}
	existing, err := storedResponses(ctx, tx, a.ID, old)
	if err != nil {
		return 0, nil, nil, err
	}
	for _, r := range sorted {
		if e, ok := existing[r.ResponseID]; ok && !isNew[r.ResponseID] {
			if r.sameAs(e) {
				dups[r.ResponseID] = true
			} else {
				changed[r.ResponseID] = true
			}
		}
	}
	return len(inserted), changed, dups, nil
}

// storedResponses returns the agency's stored responses with the ids.
func storedResponses(ctx context.Context, q db.DBTX, agencyID int64, ids []string) (map[string]Response, error) {
	rows, err := q.Query(ctx, `SELECT agency_response_id, unit_id, group_key, level, aspects, opinion,
			to_char(submitted_on, 'YYYY-MM-DD')
		FROM survey_responses WHERE agency_id = $1 AND agency_response_id = ANY($2)`, agencyID, ids)
	if err != nil {
		return nil, db.Err(err)
	}
	out := map[string]Response{}
	var r Response
	var level int16
	_, err = pgx.ForEachRow(rows, []any{&r.ResponseID, &r.UnitID, &r.GroupKey, &level, &r.Aspects, &r.Opinion, &r.Date}, func() error {
		r.Level, r.DateGiven = int(level), true
		out[r.ResponseID] = r
		r.Aspects = nil
		return nil
	})
	return out, db.Err(err)
}

// recordUpload stores the upload with its report and, for staff uploading
// on an agency's behalf, an audit entry.
func recordUpload(ctx context.Context, tx pgx.Tx, a Agency, in UploadInput, rep Report, stored, invalid int) (Upload, error) {
	if rep.Errors == nil {
		rep.Errors = []RowError{}
	}
	if rep.Duplicates == nil {
		rep.Duplicates = []RowRef{}
	}
	var staffID *int64
	staffName := ""
	if in.UploadedBy != nil {
		staffID, staffName = &in.UploadedBy.ID, in.UploadedBy.Name
	}
	rows, _ := tx.Query(ctx, `INSERT INTO survey_uploads (agency_id, format, filename, rows_total, rows_stored,
			rows_duplicate, rows_invalid, report, token_id, uploaded_by, uploaded_by_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+uploadColumns,
		a.ID, in.Format, in.Filename, len(in.Rows), stored, len(rep.Duplicates), invalid, rep, in.TokenID, staffID, staffName)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Upload])
	if err != nil {
		return Upload{}, db.Err(err)
	}
	if in.UploadedBy != nil {
		summary := map[string]any{"agency_id": a.ID, "format": u.Format, "filename": u.Filename, "rows_total": u.RowsTotal,
			"rows_stored": u.RowsStored, "rows_duplicate": u.RowsDuplicate, "rows_invalid": u.RowsInvalid}
		err = audit.Record(ctx, tx, *in.UploadedBy, "agency_upload.create", "agency_upload", strconv.FormatInt(u.ID, 10), nil, summary)
	}
	return u, err
}

// ListUploads returns the agency's uploads, newest first, without their
// reports' rows, and how many there are in all.
func ListUploads(ctx context.Context, q db.DBTX, agencyID int64, limit, offset int) ([]Upload, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	type row struct {
		Upload
		Total int `db:"total"`
	}
	rows, _ := q.Query(ctx, `SELECT id, agency_id, format, filename, rows_total, rows_stored, rows_duplicate, rows_invalid,
			'{"errors":[],"duplicates":[]}'::jsonb AS report, uploaded_by_name, created_at, count(*) OVER () AS total
		FROM survey_uploads WHERE agency_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3`, agencyID, limit, offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	out := make([]Upload, len(list))
	total := 0
	for i, r := range list {
		out[i], total = r.Upload, r.Total
	}
	if len(list) == 0 && offset > 0 {
		err = q.QueryRow(ctx, `SELECT count(*) FROM survey_uploads WHERE agency_id = $1`, agencyID).Scan(&total)
	}
	return out, total, db.Err(err)
}

// FindUpload returns one of the agency's uploads with its report, or
// not_found, also for another agency's upload.
func FindUpload(ctx context.Context, q db.DBTX, agencyID, id int64) (Upload, error) {
	rows, _ := q.Query(ctx, `SELECT `+uploadColumns+` FROM survey_uploads WHERE id = $1 AND agency_id = $2`, id, agencyID)
	u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Upload])
	if err != nil {
		return Upload{}, notFound(db.Err(err), "上传记录不存在")
	}
	return u, nil
}

// errNoRows is the refusal of an upload without rows.
var errNoRows = apperr.InvalidField("responses", "没有可上传的答卷")

// sortReport orders the report by row; a row's problems keep their order.
func sortReport(rep *Report) {
	slices.SortStableFunc(rep.Errors, func(a, b RowError) int { return cmp.Compare(a.Row, b.Row) })
	slices.SortStableFunc(rep.Duplicates, func(a, b RowRef) int { return cmp.Compare(a.Row, b.Row) })
}

func sortedByResponseID(list []Response) []Response {
	out := slices.Clone(list)
	slices.SortFunc(out, func(a, b Response) int { return cmp.Compare(a.ResponseID, b.ResponseID) })
	return out
}
