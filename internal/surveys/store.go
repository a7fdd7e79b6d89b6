// Surveys in the database: reading, listing, creating, editing, opening
// and closing, each change recorded in the audit log.

package surveys

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
)

// surveyQuery selects surveys with their cycle's name and their groups,
// named and ordered as in the cycle's newest configuration.
const surveyQuery = `SELECT s.id, s.cycle_id, c.name AS cycle_name, s.title, s.intro, s.anonymous, s.allow_opinion,
		s.questions, s.status, s.closes_at, s.opened_at, s.closed_at, s.created_at, s.updated_at,
		coalesce((SELECT jsonb_agg(jsonb_build_object('key', g.group_key, 'all_units', g.all_units,
				'name', coalesce(cg.value->>'name', g.group_key)) ORDER BY cg.ord NULLS LAST, g.group_key)
			FROM survey_groups g
			LEFT JOIN LATERAL jsonb_array_elements(v.config->'score'->'groups') WITH ORDINALITY AS cg(value, ord)
				ON cg.value->>'key' = g.group_key
			WHERE g.survey_id = s.id), '[]') AS groups
	FROM surveys s
	JOIN assessment_cycles c ON c.id = s.cycle_id
	JOIN LATERAL (SELECT config FROM cycle_config_versions
		WHERE cycle_id = s.cycle_id ORDER BY version DESC LIMIT 1) v ON true`

// FindSurvey returns the survey, or not_found.
func FindSurvey(ctx context.Context, q db.DBTX, id int64) (Survey, error) {
	rows, _ := q.Query(ctx, surveyQuery+` WHERE s.id = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Survey])
	if err != nil {
		return Survey{}, notFound(db.Err(err), surveyNotFound)
	}
	return s, nil
}

// lockSurvey locks the survey row, for update when exclusive, and returns
// the survey; not_found for an unknown id.
func lockSurvey(ctx context.Context, tx pgx.Tx, id int64, exclusive bool) (Survey, error) {
	mode := "FOR SHARE"
	if exclusive {
		mode = "FOR UPDATE"
	}
	var got int64
	if err := tx.QueryRow(ctx, `SELECT id FROM surveys WHERE id = $1 `+mode, id).Scan(&got); err != nil {
		return Survey{}, notFound(db.Err(err), surveyNotFound)
	}
	return FindSurvey(ctx, tx, id)
}

// Summary is a survey with its respondents counted.
type Summary struct {
	Survey
	Respondents int `json:"respondents" db:"respondents"`
	Submitted   int `json:"submitted" db:"submitted"`
	Responses   int `json:"responses" db:"responses"`
}

// Filter selects surveys; a zero CycleID means every cycle.
type Filter struct {
	CycleID       int64
	Limit, Offset int
}

// ListSurveys returns surveys newest first with their counts, and how many
// match in all.
func ListSurveys(ctx context.Context, q db.DBTX, f Filter) ([]Summary, int, error) {
	type row struct {
		Summary
		Total int `db:"total"`
	}
	const sql = `SELECT x.*,
			(SELECT count(*) FROM survey_respondents r WHERE r.survey_id = x.id) AS respondents,
			(SELECT count(*) FROM survey_respondents r WHERE r.survey_id = x.id AND r.status = 'submitted') AS submitted,
			(SELECT count(*) FROM survey_responses p WHERE p.survey_id = x.id) AS responses,
			count(*) OVER () AS total
		FROM (` + surveyQuery + ` WHERE $1::bigint = 0 OR s.cycle_id = $1) x
		ORDER BY x.created_at DESC, x.id DESC LIMIT $2 OFFSET $3`
	rows, _ := q.Query(ctx, sql, f.CycleID, pageLimit(f.Limit), f.Offset)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[row])
	if err != nil {
		return nil, 0, db.Err(err)
	}
	out := make([]Summary, len(list))
	total := 0
	for i, r := range list {
		out[i], total = r.Summary, r.Total
	}
	if len(list) == 0 && f.Offset > 0 {
		err = q.QueryRow(ctx, `SELECT count(*) FROM surveys WHERE $1::bigint = 0 OR cycle_id = $1`, f.CycleID).Scan(&total)
	}
	return out, total, db.Err(err)
}

// pageLimit applies the default of 100 and the cap of 500 to a limit.
func pageLimit(n int) int {
	if n <= 0 {
		return 100
	}
	return min(n, 500)
}

// CreateSurvey stores a draft survey for a cycle and records it in the
// audit log. It returns invalid for bad input, an unknown cycle (field
// cycle_id) or a title the cycle already uses.
func CreateSurvey(ctx context.Context, tx pgx.Tx, actor audit.Actor, in Input, now time.Time) (Survey, error) {
	if err := in.prepare(ctx, tx, now); err != nil {
		return Survey{}, err
	}
	const q = `INSERT INTO surveys (cycle_id, title, intro, anonymous, allow_opinion, questions, closes_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`
	var id int64
	err := tx.QueryRow(ctx, q, in.CycleID, in.Title, in.Intro, in.Anonymous, in.AllowOpinion, in.Questions, in.ClosesAt).Scan(&id)
	if err != nil {
		return Survey{}, titleTaken(db.Err(err), in.Title)
	}
	if err := insertGroups(ctx, tx, id, in.Groups); err != nil {
		return Survey{}, err
	}
	return recorded(ctx, tx, actor, id, "survey.create", nil, nil)
}

// recorded reads the survey back after a change and records the change in
// the audit log; state turns the survey into what the log keeps of it
// (nil: the whole survey).
func recorded(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, action string, before any,
	state func(Survey) any) (Survey, error) {
	after, err := FindSurvey(ctx, tx, id)
	if err != nil {
		return Survey{}, err
	}
	var logged any = after
	if state != nil {
		logged = state(after)
	}
	return after, audit.Record(ctx, tx, actor, action, "survey", strconv.FormatInt(id, 10), before, logged)
}

func titleTaken(err error, title string) error {
	if apperr.Is(err, apperr.Conflict) {
		return apperr.InvalidField("title", "本考核年度已有名为“"+title+"”的问卷")
	}
	return err
}

func insertGroups(ctx context.Context, tx pgx.Tx, surveyID int64, groups []Group) error {
	keys := make([]string, len(groups))
	all := make([]bool, len(groups))
	for i, g := range groups {
		keys[i], all[i] = g.Key, g.AllUnits
	}
	_, err := tx.Exec(ctx, `INSERT INTO survey_groups (survey_id, group_key, all_units)
		SELECT $1, k, a FROM unnest($2::text[], $3::boolean[]) AS t(k, a)`, surveyID, keys, all)
	return db.Err(err)
}

// UpdateSurvey changes a draft survey; the cycle stays. A group that
// already has respondents cannot be removed, nor switched from all units
// to a list per respondent. It returns not_found for an unknown survey,
// conflict once the survey has opened, and invalid for bad input.
func UpdateSurvey(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, in Input, now time.Time) (Survey, error) {
	before, err := lockSurvey(ctx, tx, id, true)
	if err != nil {
		return Survey{}, err
	}
	if before.Status != StatusDraft {
		return Survey{}, apperr.New(apperr.Conflict, frozenMessage)
	}
	in.CycleID = before.CycleID
	if err := in.prepare(ctx, tx, now); err != nil {
		return Survey{}, err
	}
	if err := checkGroupChange(ctx, tx, before, in.Groups); err != nil {
		return Survey{}, err
	}
	const q = `UPDATE surveys SET title = $2, intro = $3, anonymous = $4, allow_opinion = $5, questions = $6,
		closes_at = $7, updated_at = now() WHERE id = $1`
	if _, err := tx.Exec(ctx, q, id, in.Title, in.Intro, in.Anonymous, in.AllowOpinion, in.Questions, in.ClosesAt); err != nil {
		return Survey{}, titleTaken(db.Err(err), in.Title)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM survey_groups WHERE survey_id = $1`, id); err != nil {
		return Survey{}, db.Err(err)
	}
	if err := insertGroups(ctx, tx, id, in.Groups); err != nil {
		return Survey{}, err
	}
	return recorded(ctx, tx, actor, id, "survey.update", before, nil)
}

// checkGroupChange refuses removing a group with respondents and turning
// an all-units group with respondents into a list group, since those
// respondents have no list.
func checkGroupChange(ctx context.Context, tx pgx.Tx, before Survey, groups []Group) error {
	rows, _ := tx.Query(ctx, `SELECT group_key, count(*) FROM survey_respondents WHERE survey_id = $1 GROUP BY group_key`, before.ID)
	counts := map[string]int{}
	var key string
	var n int
	_, err := pgx.ForEachRow(rows, []any{&key, &n}, func() error { counts[key] = n; return nil })
	if err != nil {
		return db.Err(err)
	}
	f := apperr.Fields{}
	for _, old := range before.Groups {
		if counts[old.Key] == 0 {
			continue
		}
		i := slices.IndexFunc(groups, func(g Group) bool { return g.Key == old.Key })
		switch {
		case i < 0:
			f.Add("groups", fmt.Sprintf("群体“%s”已有%d名受访人，不能取消参与", old.Name, counts[old.Key]))
		case old.AllUnits && !groups[i].AllUnits:
			f.Add(fmt.Sprintf("groups[%d].key", i), fmt.Sprintf("群体“%s”已有受访人，不能改为按名单评价", old.Name))
		}
	}
	return f.Err()
}

// SetClosesAt changes the closing time of a draft or open survey; nil
// removes it. It returns not_found for an unknown survey, conflict for a
// closed one and invalid (field closes_at) for a time not after now.
func SetClosesAt(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, closesAt *time.Time, now time.Time) (Survey, error) {
	before, err := lockSurvey(ctx, tx, id, true)
	if err != nil {
		return Survey{}, err
	}
	if before.Status == StatusClosed {
		return Survey{}, apperr.New(apperr.Conflict, closedEditMessage)
	}
	if closesAt != nil && !closesAt.After(now) {
		return Survey{}, apperr.InvalidField("closes_at", "截止时间须晚于当前时间")
	}
	if _, err := tx.Exec(ctx, `UPDATE surveys SET closes_at = $2, updated_at = now() WHERE id = $1`, id, closesAt); err != nil {
		return Survey{}, db.Err(err)
	}
	type state struct {
		ClosesAt *time.Time `json:"closes_at"`
	}
	return recorded(ctx, tx, actor, id, "survey.closes_at", state{before.ClosesAt}, func(s Survey) any { return state{s.ClosesAt} })
}

// OpenSurvey opens a draft survey to answers; opening an open survey again
// changes nothing. It returns not_found for an unknown survey, conflict
// for a closed one and invalid (field closes_at) when its closing time has
// passed.
func OpenSurvey(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (Survey, error) {
	return setStatus(ctx, tx, actor, id, now, StatusOpen)
}

// CloseSurvey closes an open survey, freezing it: no answers, uploads or
// edits afterwards. Closing a closed survey again changes nothing. It
// returns not_found for an unknown survey and conflict for a draft.
func CloseSurvey(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time) (Survey, error) {
	return setStatus(ctx, tx, actor, id, now, StatusClosed)
}

func setStatus(ctx context.Context, tx pgx.Tx, actor audit.Actor, id int64, now time.Time, to string) (Survey, error) {
	before, err := lockSurvey(ctx, tx, id, true)
	if err != nil {
		return Survey{}, err
	}
	if before.Status == to {
		return before, nil
	}
	var q string
	switch {
	case to == StatusOpen && before.Status == StatusDraft:
		if before.ClosesAt != nil && !before.ClosesAt.After(now) {
			return Survey{}, apperr.InvalidField("closes_at", "截止时间已过，请先修改截止时间再开始问卷")
		}
		q = `UPDATE surveys SET status = 'open', opened_at = $2, updated_at = now() WHERE id = $1`
	case to == StatusClosed && before.Status == StatusOpen:
		q = `UPDATE surveys SET status = 'closed', closed_at = $2, updated_at = now() WHERE id = $1`
	case to == StatusOpen:
		return Survey{}, apperr.New(apperr.Conflict, "问卷已结束，不能再开始")
	default:
		return Survey{}, apperr.New(apperr.Conflict, "问卷尚未开始，不能结束")
	}
	if _, err := tx.Exec(ctx, q, id, now); err != nil {
		return Survey{}, db.Err(err)
	}
	type state struct {
		Status string `json:"status"`
	}
	action := "survey.open"
	if to == StatusClosed {
		action = "survey.close"
	}
	return recorded(ctx, tx, actor, id, action, state{before.Status}, func(s Survey) any { return state{s.Status} })
}

// notFound replaces a not_found error with one carrying message; other
// errors pass through.
func notFound(err error, message string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.New(apperr.NotFound, message)
	}
	return err
}
