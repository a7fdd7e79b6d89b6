// Package agencies holds third-party survey agencies (第三方调查机构): their
// accounts, each scoped to one survey, their API tokens, their quotas
// (target sample per group per unit) and the responses they upload in bulk,
// each upload validated row by row and idempotent by the agency's own
// response id.
package agencies

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/surveys"
)

// Agency is a survey agency's account, scoped to one survey.
type Agency struct {
	ID         int64      `json:"id" db:"id"`
	SurveyID   int64      `json:"survey_id" db:"survey_id"`
	Name       string     `json:"name" db:"name"`
	Contact    string     `json:"contact" db:"contact"`
	CreatedAt  time.Time  `json:"created_at" db:"created_at"`
	DisabledAt *time.Time `json:"disabled_at" db:"disabled_at"`
}

// Disabled reports whether the agency's account is disabled.
func (a Agency) Disabled() bool { return a.DisabledAt != nil }

// Input is what the office enters to create or edit an agency.
type Input struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
}

// Normalize trims the input.
func (in *Input) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Contact = strings.TrimSpace(in.Contact)
}

// Validate returns an invalid error naming each bad field: name (1–100
// characters) and contact (at most 100).
func (in Input) Validate() error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写机构名称")
	} else if n > 100 {
		f.Add("name", "机构名称不能超过100字")
	}
	if utf8.RuneCountInString(in.Contact) > 100 {
		f.Add("contact", "联系人及电话不能超过100字")
	}
	return f.Err()
}

const agencyColumns = `id, survey_id, name, contact, created_at, disabled_at`

// CreateAgency creates an agency account for the survey and records it in
// the audit log. It returns invalid for bad input or a name already used in
// the survey, and not_found for an unknown survey.
func CreateAgency(ctx context.Context, tx pgx.Tx, actor audit.Actor, surveyID int64, in Input) (Agency, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Agency{}, err
	}
	if _, err := surveys.FindSurvey(ctx, tx, surveyID); err != nil {
		return Agency{}, err
	}
	rows, _ := tx.Query(ctx, `INSERT INTO survey_agencies (survey_id, name, contact) VALUES ($1, $2, $3)
		RETURNING `+agencyColumns, surveyID, in.Name, in.Contact)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return Agency{}, nameTaken(db.Err(err), in.Name)
	}
	return a, audit.Record(ctx, tx, actor, "agency.create", "agency", strconv.FormatInt(a.ID, 10), nil, a)
}

func nameTaken(err error, name string) error {
	if apperr.Is(err, apperr.Conflict) {
		return apperr.InvalidField("name", "本问卷已有名为“"+name+"”的机构")
	}
	return err
}

// UpdateAgency changes the agency's name and contact. It returns invalid
// for bad input or a name already used in the survey, and not_found.
func UpdateAgency(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in Input) (Agency, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Agency{}, err
	}
	before, err := lockAgency(ctx, tx, id)
	if err != nil {
		return Agency{}, err
	}
	rows, _ := tx.Query(ctx, `UPDATE survey_agencies SET name = $2, contact = $3 WHERE id = $1 RETURNING `+agencyColumns,
		id, in.Name, in.Contact)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return Agency{}, nameTaken(db.Err(err), in.Name)
	}
	return after, audit.Record(ctx, tx, actor, "agency.update", "agency", strconv.FormatInt(id, 10), before, after)
}

// SetDisabled disables the agency, so none of its tokens is accepted, or
// enables it again; doing what is already done changes nothing. It returns
// not_found for an unknown agency.
func SetDisabled(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, disabled bool) (Agency, error) {
	before, err := lockAgency(ctx, tx, id)
	if err != nil || before.Disabled() == disabled {
		return before, err
	}
	rows, _ := tx.Query(ctx, `UPDATE survey_agencies SET disabled_at = CASE WHEN $2 THEN now() END
		WHERE id = $1 RETURNING `+agencyColumns, id, disabled)
	after, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return Agency{}, db.Err(err)
	}
	action := "agency.enable"
	if disabled {
		action = "agency.disable"
	}
	return after, audit.Record(ctx, tx, actor, action, "agency", strconv.FormatInt(id, 10), before, after)
}

// FindAgency returns the agency, or not_found.
func FindAgency(ctx context.Context, q db.DBTX, id int64) (Agency, error) {
	rows, _ := q.Query(ctx, `SELECT `+agencyColumns+` FROM survey_agencies WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return Agency{}, notFound(db.Err(err), "机构不存在")
	}
	return a, nil
}

func lockAgency(ctx context.Context, tx pgx.Tx, id int64) (Agency, error) {
	rows, _ := tx.Query(ctx, `SELECT `+agencyColumns+` FROM survey_agencies WHERE id = $1 FOR UPDATE`, id)
	a, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Agency])
	if err != nil {
		return Agency{}, notFound(db.Err(err), "机构不存在")
	}
	return a, nil
}

// Summary is an agency with its counts for a list.
type Summary struct {
	Agency
	ActiveTokens int `json:"active_tokens" db:"active_tokens"`
	Target       int `json:"target" db:"target"`
	Received     int `json:"received" db:"received"`
	Uploads      int `json:"uploads" db:"uploads"`
}

// ListAgencies returns the survey's agencies by name with their counts.
func ListAgencies(ctx context.Context, q db.DBTX, surveyID int64) ([]Summary, error) {
	rows, _ := q.Query(ctx, `SELECT a.id, a.survey_id, a.name, a.contact, a.created_at, a.disabled_at,
			(SELECT count(*) FROM survey_agency_tokens t WHERE t.agency_id = a.id AND t.revoked_at IS NULL) AS active_tokens,
			(SELECT coalesce(sum(target), 0) FROM survey_agency_quotas qu WHERE qu.agency_id = a.id) AS target,
			(SELECT count(*) FROM survey_responses r WHERE r.agency_id = a.id) AS received,
			(SELECT count(*) FROM survey_uploads u WHERE u.agency_id = a.id) AS uploads
		FROM survey_agencies a WHERE a.survey_id = $1 ORDER BY a.disabled_at IS NOT NULL, a.name, a.id`, surveyID)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[Summary])
	return list, db.Err(err)
}

// notFound replaces a not_found error with one carrying message; other
// errors pass through.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}
