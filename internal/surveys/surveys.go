// Package surveys holds the annual satisfaction surveys (年终评价问卷): the
// questionnaires of an assessment cycle, their respondents with one-time
// invitation links, the answers respondents save as they go and submit
// once, and the submitted responses the annual score is computed from.
package surveys

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/cycles"
	"minyi/internal/db"
)

// Survey statuses: a draft is edited, an open survey takes answers, a
// closed one is frozen.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Question kinds and the key of the overall satisfaction question, the one
// that feeds the annual score.
const (
	KindOverall        = "overall"
	KindAspect         = "aspect"
	OverallKey         = "overall"
	DefaultOverallText = "总体满意度"
)

// Limits of a questionnaire.
const (
	MaxAspects      = 10
	MaxQuestionText = 50
	MaxTitle        = 100
	MaxIntro        = 2000
	MaxOpinion      = 1000
)

// Messages shared by the refusals.
const (
	closedMessage     = "问卷调查已结束，不再接受提交"
	notOpenMessage    = "问卷尚未开始，请在问卷开始后再打开邀请链接"
	surveyNotFound    = "问卷不存在"
	frozenMessage     = "问卷已开始，题目、匿名方式和参与群体不能再修改"
	closedEditMessage = "问卷已结束，不能再修改"
)

// Question is one rating question of a survey, answered on the five-level
// scale.
type Question struct {
	Key  string `json:"key"`
	Text string `json:"text"`
	Kind string `json:"kind"`
}

// Group is a respondent group taking part in a survey: its key and name
// from the cycle's configuration, and whether its respondents rate every
// unit or the list given per respondent.
type Group struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	AllUnits bool   `json:"all_units"`
}

// Survey is a questionnaire of an assessment cycle.
type Survey struct {
	ID           int64      `json:"id" db:"id"`
	CycleID      int64      `json:"cycle_id" db:"cycle_id"`
	CycleName    string     `json:"cycle_name" db:"cycle_name"`
	Title        string     `json:"title" db:"title"`
	Intro        string     `json:"intro" db:"intro"`
	Anonymous    bool       `json:"anonymous" db:"anonymous"`
	AllowOpinion bool       `json:"allow_opinion" db:"allow_opinion"`
	Questions    []Question `json:"questions" db:"questions"`
	Groups       []Group    `json:"groups" db:"groups"`
	Status       string     `json:"status" db:"status"`
	ClosesAt     *time.Time `json:"closes_at" db:"closes_at"`
	OpenedAt     *time.Time `json:"opened_at" db:"opened_at"`
	ClosedAt     *time.Time `json:"closed_at" db:"closed_at"`
	CreatedAt    time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at" db:"updated_at"`
}

// AspectPresets returns the ready-made aspect questions the office may pick.
func AspectPresets() []Question {
	return []Question{
		{Key: "efficiency", Text: "办事效率", Kind: KindAspect},
		{Key: "attitude", Text: "服务态度", Kind: KindAspect},
		{Key: "openness", Text: "政务公开", Kind: KindAspect},
		{Key: "law", Text: "依法行政", Kind: KindAspect},
		{Key: "integrity", Text: "廉洁自律", Kind: KindAspect},
	}
}

// StatusLabel returns the Chinese name of a status.
func StatusLabel(status string) string {
	switch status {
	case StatusDraft:
		return "草稿"
	case StatusOpen:
		return "进行中"
	case StatusClosed:
		return "已结束"
	}
	return status
}

// Aspects returns the survey's aspect questions in order.
func (s Survey) Aspects() []Question {
	var out []Question
	for _, q := range s.Questions {
		if q.Kind == KindAspect {
			out = append(out, q)
		}
	}
	return out
}

// Overall returns the overall satisfaction question.
func (s Survey) Overall() Question {
	for _, q := range s.Questions {
		if q.Kind == KindOverall {
			return q
		}
	}
	return Question{Key: OverallKey, Text: DefaultOverallText, Kind: KindOverall}
}

// Group returns the group taking part with the key or, failing that, the
// name; ok is false when no such group takes part.
func (s Survey) Group(keyOrName string) (Group, bool) {
	keyOrName = strings.TrimSpace(keyOrName)
	for _, g := range s.Groups {
		if g.Key == keyOrName {
			return g, true
		}
	}
	for _, g := range s.Groups {
		if g.Name == keyOrName {
			return g, true
		}
	}
	return Group{}, false
}

// GroupName returns the name of a group of the survey, or the key.
func (s Survey) GroupName(key string) string {
	if g, ok := s.Group(key); ok && g.Key == key {
		return g.Name
	}
	return key
}

// Expired reports whether the survey is open but past its closing time.
func (s Survey) Expired(now time.Time) bool {
	return s.Status == StatusOpen && s.ClosesAt != nil && !now.Before(*s.ClosesAt)
}

// AcceptsAnswers returns nil when the survey takes answers at now;
// otherwise survey_closed for a closed survey or one past its closing
// time, and survey_not_open for a draft.
func (s Survey) AcceptsAnswers(now time.Time) error {
	switch {
	case s.Status == StatusDraft:
		return apperr.New(apperr.SurveyNotOpen, notOpenMessage)
	case s.Status == StatusClosed || s.Expired(now):
		return apperr.New(apperr.SurveyClosed, closedMessage)
	}
	return nil
}

// Input is what the office enters to create or edit a survey.
type Input struct {
	CycleID      int64      `json:"cycle_id"`
	Title        string     `json:"title"`
	Intro        string     `json:"intro"`
	Anonymous    bool       `json:"anonymous"`
	AllowOpinion bool       `json:"allow_opinion"`
	ClosesAt     *time.Time `json:"closes_at"`
	// Questions are the aspect questions and, optionally, the overall
	// question; without one the overall question gets DefaultOverallText.
	Questions []Question `json:"questions"`
	// Groups taking part, by key; their names come from the cycle.
	Groups []Group `json:"groups"`
}

// Normalize trims the input, puts the overall question first (adding it
// when missing) and fills in the text of preset aspects left empty.
func (in *Input) Normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Intro = strings.TrimSpace(strings.ReplaceAll(in.Intro, "\r\n", "\n"))
	overall := Question{Key: OverallKey, Text: DefaultOverallText, Kind: KindOverall}
	var aspects []Question
	presets := AspectPresets()
	for _, q := range in.Questions {
		q.Key, q.Text, q.Kind = strings.TrimSpace(q.Key), strings.TrimSpace(q.Text), strings.TrimSpace(q.Kind)
		if q.Kind == "" {
			q.Kind = KindAspect
			if q.Key == OverallKey {
				q.Kind = KindOverall
			}
		}
		if q.Kind == KindOverall && q.Key == OverallKey {
			if q.Text != "" {
				overall.Text = q.Text
			}
			continue
		}
		if q.Text == "" {
			if i := slices.IndexFunc(presets, func(p Question) bool { return p.Key == q.Key }); i >= 0 {
				q.Text = presets[i].Text
			}
		}
		aspects = append(aspects, q)
	}
	in.Questions = append([]Question{overall}, aspects...)
	for i := range in.Groups {
		in.Groups[i].Key = strings.TrimSpace(in.Groups[i].Key)
	}
}

var aspectKeyRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,29}$`)

// Validate returns an invalid error naming each bad field: title (1–100
// characters), intro (at most 2000), questions (at most ten aspects, each
// questions[i].key matching ^[a-z][a-z0-9_]{0,29}$ and unique,
// questions[i].text 1–50 characters, questions[i].kind overall or aspect),
// groups (at least one, groups[i].key one of the cycle's groups, once),
// closes_at (after now). Call Normalize first.
func (in Input) Validate(cycleGroups []string, now time.Time) error {
	f := apperr.Fields{}
	if n := utf8.RuneCountInString(in.Title); n == 0 {
		f.Add("title", "请填写问卷标题")
	} else if n > MaxTitle {
		f.Add("title", "问卷标题不能超过100字")
	}
	if utf8.RuneCountInString(in.Intro) > MaxIntro {
		f.Add("intro", "问卷说明不能超过2000字")
	}
	if len(in.Questions)-1 > MaxAspects {
		f.Add("questions", fmt.Sprintf("评价项目最多%d项", MaxAspects))
	}
	seen := map[string]bool{}
	for i, q := range in.Questions {
		p := fmt.Sprintf("questions[%d].", i)
		switch {
		case q.Kind != KindOverall && q.Kind != KindAspect:
			f.Add(p+"kind", "题目类型须为 overall 或 aspect")
		case q.Kind == KindOverall && i > 0:
			f.Add(p+"kind", "总体满意度题只能有一道，代码须为 overall")
		case q.Kind == KindAspect && !aspectKeyRE.MatchString(q.Key):
			f.Add(p+"key", "评价项目代码须为小写字母开头的1–30位小写字母、数字或下划线")
		case seen[q.Key]:
			f.Add(p+"key", "评价项目代码重复："+q.Key)
		}
		seen[q.Key] = true
		if n := utf8.RuneCountInString(q.Text); n == 0 {
			f.Add(p+"text", "请填写评价项目名称")
		} else if n > MaxQuestionText {
			f.Add(p+"text", "评价项目名称不能超过50字")
		}
	}
	if len(in.Groups) == 0 {
		f.Add("groups", "请至少选择一个参与的受访群体")
	}
	taken := map[string]bool{}
	for i, g := range in.Groups {
		field := fmt.Sprintf("groups[%d].key", i)
		switch {
		case !slices.Contains(cycleGroups, g.Key):
			f.Add(field, "受访群体须为本考核年度配置的群体之一")
		case taken[g.Key]:
			f.Add(field, "受访群体重复："+g.Key)
		}
		taken[g.Key] = true
	}
	if in.ClosesAt != nil && !in.ClosesAt.After(now) {
		f.Add("closes_at", "截止时间须晚于当前时间")
	}
	return f.Err()
}

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

// prepare normalizes the input and validates it against the groups of its
// cycle's newest configuration; an unknown cycle is invalid (field
// cycle_id).
func (in *Input) prepare(ctx context.Context, q db.DBTX, now time.Time) error {
	in.Normalize()
	cy, err := cycles.FindCycle(ctx, q, in.CycleID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.InvalidField("cycle_id", "请选择考核年度")
	}
	if err != nil {
		return err
	}
	keys := make([]string, len(cy.Config.Score.Groups))
	for i, g := range cy.Config.Score.Groups {
		keys[i] = g.Key
	}
	return in.Validate(keys, now)
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
