package surveys

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/ratings"
	"minyi/internal/search"
)

// Sources of a response.
const (
	SourceInvitation = "invitation"
	SourceAgency     = "agency"
)

// SourceLabel returns the Chinese name of a response source.
func SourceLabel(source string) string {
	switch source {
	case SourceInvitation:
		return "邀请作答"
	case SourceAgency:
		return "第三方调查机构"
	}
	return source
}

// Response is one submitted answer of one respondent for one unit.
// RespondentID and RespondentName are set only for an invitation answer of
// a survey that is not anonymous; callers showing responses to a unit
// must leave them and AgencyResponseID out.
type Response struct {
	ID               uuid.UUID      `json:"id" db:"id"`
	SurveyID         int64          `json:"survey_id" db:"survey_id"`
	SurveyTitle      string         `json:"survey_title" db:"survey_title"`
	CycleID          int64          `json:"cycle_id" db:"cycle_id"`
	UnitID           int64          `json:"unit_id" db:"unit_id"`
	UnitName         string         `json:"unit_name" db:"unit_name"`
	GroupKey         string         `json:"group" db:"group_key"`
	Source           string         `json:"source" db:"source"`
	AgencyID         *int64         `json:"agency_id" db:"agency_id"`
	AgencyName       *string        `json:"agency_name" db:"agency_name"`
	AgencyResponseID *string        `json:"agency_response_id,omitempty" db:"agency_response_id"`
	Level            int            `json:"level" db:"level"`
	Aspects          map[string]int `json:"aspects" db:"aspects"`
	Opinion          string         `json:"opinion" db:"opinion"`
	SubmittedOn      string         `json:"submitted_on" db:"submitted_on"`
	RespondentID     *int64         `json:"respondent_id,omitempty" db:"respondent_id"`
	RespondentName   *string        `json:"respondent_name,omitempty" db:"respondent_name"`
}

// ResponseFilter selects responses; zero values select everything.
type ResponseFilter struct {
	CycleID, SurveyID, UnitID int64
	Group, Source             string
	Level                     int
	// Q narrows to the responses whose opinion holds every term.
	Q             search.Keyword
	Limit, Offset int
}

// Validate returns invalid for an unknown source (field source) or a level
// outside 1–5 (field level).
func (f ResponseFilter) Validate() error {
	bad := apperr.Fields{}
	if f.Source != "" && f.Source != SourceInvitation && f.Source != SourceAgency {
		bad.Add("source", "来源须为 invitation 或 agency")
	}
	if f.Level != 0 && (f.Level < 1 || f.Level > 5) {
		bad.Add("level", "level 须为 1 到 5")
	}
	return bad.Err()
}

const responseWhere = ` WHERE ($1::bigint = 0 OR s.cycle_id = $1) AND ($2::bigint = 0 OR p.survey_id = $2) AND ($3::bigint = 0 OR p.unit_id = $3)
	AND ($4 = '' OR p.group_key = $4) AND ($5 = '' OR p.source = $5) AND ($6 = 0 OR p.level = $6)`

// where is responseWhere with the keyword's condition when there is one,
// and their arguments.
func (f ResponseFilter) where() (string, []any) {
	args := []any{f.CycleID, f.SurveyID, f.UnitID, f.Group, f.Source, f.Level}
	if f.Q.IsZero() {
		return responseWhere, args
	}
	return responseWhere + " AND " + f.Q.Cond("p.opinion", func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}), args
}

// responseSelect and responseFrom read Response rows (the respondent only
// where the survey is not anonymous).
const (
	responseSelect = `SELECT p.id, p.survey_id, s.title AS survey_title, s.cycle_id, p.unit_id, u.name AS unit_name,
			p.group_key, p.source, p.agency_id, a.name AS agency_name, p.agency_response_id, p.level, p.aspects,
			p.opinion, to_char(p.submitted_on, 'YYYY-MM-DD') AS submitted_on,
			CASE WHEN s.anonymous THEN NULL ELSE p.respondent_id END AS respondent_id,
			CASE WHEN s.anonymous THEN NULL ELSE r.name END AS respondent_name`
	responseFrom = `
		FROM survey_responses p
		JOIN surveys s ON s.id = p.survey_id
		JOIN units u ON u.id = p.unit_id
		LEFT JOIN survey_agencies a ON a.id = p.agency_id
		LEFT JOIN survey_respondents r ON r.id = p.respondent_id`
)

// ListResponses returns responses newest day first, by unit, and how many
// match in all.
func ListResponses(ctx context.Context, q db.DBTX, f ResponseFilter) ([]Response, int, error) {
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	type row struct {
		Response
		Total int `db:"total"`
	}
	const sql = responseSelect + `, count(*) OVER () AS total` + responseFrom
	where, args := f.where()
	n := len(args)
	rows, _ := q.Query(ctx, sql+where+` ORDER BY p.submitted_on DESC, u.name, p.id LIMIT $`+strconv.Itoa(n+1)+
		` OFFSET $`+strconv.Itoa(n+2), append(args, pageLimit(f.Limit), f.Offset)...)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	out := make([]Response, len(list))
	total := 0
	for i, r := range list {
		out[i], total = r.Response, r.Total
	}
	if len(list) == 0 && f.Offset > 0 {
		total, err = countResponses(ctx, q, f)
	}
	return out, total, err
}

func countResponses(ctx context.Context, q db.DBTX, f ResponseFilter) (int, error) {
	counts, err := ResponseLevels(ctx, q, f)
	return int(counts.Total()), err
}

// ResponseLevels counts the responses matching the filter per overall
// level (index 0 = level 1).
func ResponseLevels(ctx context.Context, q db.DBTX, f ResponseFilter) (ratings.LevelCounts, error) {
	var out ratings.LevelCounts
	if err := f.Validate(); err != nil {
		return out, err
	}
	where, args := f.where()
	rows, _ := q.Query(ctx, `SELECT p.level, count(*) FROM survey_responses p JOIN surveys s ON s.id = p.survey_id`+
		where+` GROUP BY p.level`, args...)
	var level int
	var n int64
	_, err := pgx.ForEachRow(rows, []any{&level, &n}, func() error {
		if level >= 1 && level <= 5 {
			out[level-1] = n
		}
		return nil
	})
	return out, db.Err(err)
}
