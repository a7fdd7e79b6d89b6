package surveys

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// invalidLinkMessage is what an unknown invitation token says.
const invalidLinkMessage = "邀请链接无效"

// UnitRef is a unit as a respondent sees it.
type UnitRef struct {
	ID       int64  `json:"id" db:"id"`
	Name     string `json:"name" db:"name"`
	Category string `json:"category" db:"category"`
}

// Answer is what a respondent gives for one unit: a level from 1 to 5 per
// question key, answered so far, and an optional opinion.
type Answer struct {
	UnitID  int64          `json:"unit_id"`
	Answers map[string]int `json:"answers"`
	Opinion string         `json:"opinion"`
}

// Draft is a respondent's saved answer for one unit.
type Draft struct {
	UnitID    int64          `json:"unit_id" db:"unit_id"`
	Answers   map[string]int `json:"answers" db:"answers"`
	Opinion   string         `json:"opinion" db:"opinion"`
	UpdatedAt time.Time      `json:"updated_at" db:"updated_at"`
}

// Invitation is what an invitation link opens: the respondent, the survey,
// the units to rate and the answers saved so far.
type Invitation struct {
	Respondent Respondent
	Survey     Survey
	Units      []UnitRef
	Drafts     map[int64]Draft
}

// Complete reports whether the unit's overall question is answered.
func (inv Invitation) Complete(unitID int64) bool {
	return inv.Drafts[unitID].Answers[OverallKey] != 0
}

// Missing returns the units whose overall question is not answered yet.
func (inv Invitation) Missing() []UnitRef {
	var out []UnitRef
	for _, u := range inv.Units {
		if !inv.Complete(u.ID) {
			out = append(out, u)
		}
	}
	return out
}

// Done counts the units whose overall question is answered.
func (inv Invitation) Done() int { return len(inv.Units) - len(inv.Missing()) }

// FieldName is the name of a unit's question in forms and error fields:
// u<unit id>.<question key>, and u<unit id>.opinion for the opinion.
func FieldName(unitID int64, key string) string { return fmt.Sprintf("u%d.%s", unitID, key) }

// OpenInvitation returns what the invitation token opens, or not_found.
func OpenInvitation(ctx context.Context, q db.DBTX, token string) (Invitation, error) {
	rows, _ := q.Query(ctx, `SELECT `+respondentColumns+` FROM survey_respondents r WHERE r.token_hash = $1`, tokenHash(token))
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Respondent])
	if err != nil {
		return Invitation{}, notFound(db.Err(err), invalidLinkMessage)
	}
	s, err := FindSurvey(ctx, q, r.SurveyID)
	if err != nil {
		return Invitation{}, err
	}
	return loadInvitation(ctx, q, r, s)
}

func tokenHash(token string) []byte { return secure.SHA256(token) }

// loadInvitation reads the respondent's units and drafts.
func loadInvitation(ctx context.Context, q db.DBTX, r Respondent, s Survey) (Invitation, error) {
	inv := Invitation{Respondent: r, Survey: s, Drafts: map[int64]Draft{}}
	var ids []int64
	if g, ok := s.Group(r.GroupKey); !ok || !g.AllUnits {
		ids = r.UnitIDs
		if ids == nil {
			ids = []int64{}
		}
	}
	rows, _ := q.Query(ctx, `SELECT id, name, category FROM units
		WHERE $1::bigint[] IS NULL OR id = ANY($1) ORDER BY category, name, id`, ids)
	var err error
	if inv.Units, err = pgx.CollectRows(rows, pgx.RowToStructByName[UnitRef]); err != nil {
		return Invitation{}, db.Err(err)
	}
	if r.Status == RespondentSubmitted {
		return inv, nil
	}
	rows, _ = q.Query(ctx, `SELECT unit_id, answers, opinion, updated_at FROM survey_drafts WHERE respondent_id = $1`, r.ID)
	drafts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Draft])
	if err != nil {
		return Invitation{}, db.Err(err)
	}
	for _, d := range drafts {
		inv.Drafts[d.UnitID] = d
	}
	return inv, nil
}

// lockInvitation locks the token's respondent, so its saves and
// submissions happen one after another, and checks that answers are still
// taken. A submission (shareSurvey) also shares the survey's row lock, so
// closing the survey waits for it or it sees the survey closed. It returns
// not_found for an unknown token, conflict once submitted, and the
// survey's refusal when it takes no answers.
func lockInvitation(ctx context.Context, tx pgx.Tx, token string, now time.Time, shareSurvey bool) (Invitation, error) {
	r, err := lockRespondent(ctx, tx, `r.token_hash = $1`, tokenHash(token))
	if err != nil {
		return Invitation{}, notFound(err, invalidLinkMessage)
	}
	if r.Status == RespondentSubmitted {
		return Invitation{}, apperr.New(apperr.Conflict, usedMessage)
	}
	var s Survey
	if shareSurvey {
		s, err = lockSurvey(ctx, tx, r.SurveyID, false)
	} else {
		s, err = FindSurvey(ctx, tx, r.SurveyID)
	}
	if err != nil {
		return Invitation{}, err
	}
	if err := s.AcceptsAnswers(now); err != nil {
		return Invitation{}, err
	}
	return loadInvitation(ctx, tx, r, s)
}

// validateAnswers checks each answer against the survey and the
// respondent's units, naming bad fields as FieldName does; a unit not on
// the list is reported as unit_id.
func (inv Invitation) validateAnswers(list []Answer) error {
	f := apperr.Fields{}
	onList := map[int64]bool{}
	for _, u := range inv.Units {
		onList[u.ID] = true
	}
	for i := range list {
		a := &list[i]
		a.Opinion = strings.TrimSpace(strings.ReplaceAll(a.Opinion, "\r\n", "\n"))
		if !onList[a.UnitID] {
			f.Add("unit_id", "该单位不在您的评价名单中，请刷新页面后再填写")
			continue
		}
		for key, level := range a.Answers {
			field := FieldName(a.UnitID, key)
			q, known := inv.Survey.question(key)
			switch {
			case !known:
				f.Add(field, "问卷中没有该评价项目，请刷新页面后再填写")
			case level < 1 || level > 5:
				f.Add(field, "“"+q.Text+"”请选择“非常满意”到“非常不满意”之间的等级（1–5）")
			}
		}
		switch n := utf8.RuneCountInString(a.Opinion); {
		case !safetext.Valid(a.Opinion):
			f.Add(FieldName(a.UnitID, "opinion"), "意见建议"+safetext.Message)
		case n > 0 && !inv.Survey.AllowOpinion:
			f.Add(FieldName(a.UnitID, "opinion"), "本问卷不收集意见建议")
		case n > MaxOpinion:
			f.Add(FieldName(a.UnitID, "opinion"), "意见建议不能超过1000字")
		}
	}
	return answerErr(f)
}

// answerErr is f's invalid error with a message a respondent can act on:
// the one field's message, or how many need a look.
func answerErr(f apperr.Fields) error {
	if len(f) == 0 {
		return nil
	}
	e := apperr.From(f.Err())
	if len(f) == 1 {
		for _, m := range f {
			e.Message = m
		}
	} else {
		e.Message = fmt.Sprintf("有%d处填写有误，请检查标红的内容，已保存的答案不受影响", len(f))
	}
	return e
}

// question returns the survey's question with the key.
func (s Survey) question(key string) (Question, bool) {
	for _, q := range s.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// SaveAnswers saves the respondent's answers as drafts, replacing what was
// saved for those units, marks the respondent as started and returns the
// invitation with every draft. Nothing is saved when any answer is bad. It
// returns not_found for an unknown token, conflict once submitted,
// survey_not_open before the survey opens, survey_closed once it closed or passed its
// closing time, and invalid naming each bad field: a level outside 1–5, a
// question the survey does not have, an opinion that is too long, or a
// unit not on the respondent's list (field unit_id).
func SaveAnswers(ctx context.Context, tx pgx.Tx, token string, list []Answer, now time.Time) (Invitation, error) {
	inv, err := lockInvitation(ctx, tx, token, now, false)
	if err != nil {
		return Invitation{}, err
	}
	if err := inv.validateAnswers(list); err != nil {
		return Invitation{}, err
	}
	const upsert = `INSERT INTO survey_drafts (respondent_id, unit_id, answers, opinion, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (respondent_id, unit_id) DO UPDATE SET answers = excluded.answers, opinion = excluded.opinion,
			updated_at = excluded.updated_at`
	r := inv.Respondent
	for _, a := range list {
		answers := a.Answers
		if answers == nil {
			answers = map[string]int{}
		}
		if _, err := tx.Exec(ctx, upsert, r.ID, a.UnitID, answers, a.Opinion, now); err != nil {
			return Invitation{}, db.Err(err)
		}
		inv.Drafts[a.UnitID] = Draft{UnitID: a.UnitID, Answers: answers, Opinion: a.Opinion, UpdatedAt: now}
	}
	if r.Status == RespondentInvited && len(list) > 0 {
		if _, err := tx.Exec(ctx, `UPDATE survey_respondents SET status = 'started', started_at = $2 WHERE id = $1`, r.ID, now); err != nil {
			return Invitation{}, db.Err(err)
		}
		inv.Respondent.Status, inv.Respondent.StartedAt = RespondentStarted, &now
	}
	return inv, nil
}

// Submit turns the respondent's drafts into responses, one per unit, in
// the calling transaction: the respondent row is locked first, so of two
// submissions at once exactly one stores responses and the other gets
// conflict. In an anonymous survey the responses keep only the group;
// otherwise they name the respondent. The drafts are deleted and the
// respondent marked submitted. submitted_on is today's date in loc.
//
// It returns not_found for an unknown token, conflict ("此邀请链接已使用…")
// once submitted, survey_not_open before the survey opens, survey_closed once the
// survey closed or passed its closing time, and invalid when a unit's
// overall question is not answered (message naming the units, one field
// per unit as FieldName(unit, "overall")); drafts are kept on any error.
func Submit(ctx context.Context, tx pgx.Tx, token string, now time.Time, loc *time.Location) (Invitation, error) {
	inv, err := lockInvitation(ctx, tx, token, now, true)
	if err != nil {
		return Invitation{}, err
	}
	if len(inv.Units) == 0 {
		return inv, apperr.New(apperr.Conflict, "您没有需要评价的单位，请联系发出邀请的工作人员")
	}
	if missing := inv.Missing(); len(missing) > 0 {
		names := make([]string, len(missing))
		f := apperr.Fields{}
		for i, u := range missing {
			names[i] = u.Name
			f.Add(FieldName(u.ID, OverallKey), "请评价“"+u.Name+"”的"+inv.Survey.Overall().Text)
		}
		e := apperr.From(f.Err())
		e.Message = "以下单位尚未评价" + inv.Survey.Overall().Text + "：" + strings.Join(names, "、") + "。请完成后再提交。"
		return inv, e
	}
	list := make([]Answer, 0, len(inv.Units))
	for _, u := range inv.Units {
		d := inv.Drafts[u.ID]
		list = append(list, Answer{UnitID: u.ID, Answers: d.Answers, Opinion: d.Opinion})
	}
	if err := inv.validateAnswers(list); err != nil {
		return inv, err
	}
	n := len(list)
	unitIDs, levels := make([]int64, n), make([]int16, n)
	aspects, opinions := make([]string, n), make([]string, n)
	for i, a := range list {
		unitIDs[i], levels[i], opinions[i] = a.UnitID, int16(a.Answers[OverallKey]), a.Opinion
		rest := map[string]int{}
		for k, v := range a.Answers {
			if k != OverallKey {
				rest[k] = v
			}
		}
		b, _ := json.Marshal(rest)
		aspects[i] = string(b)
	}
	r := inv.Respondent
	var respondentID *int64
	if !inv.Survey.Anonymous {
		respondentID = &r.ID
	}
	day := now.In(loc).Format("2006-01-02")
	const insert = `INSERT INTO survey_responses (survey_id, unit_id, group_key, source, respondent_id, level, aspects,
			opinion, submitted_on)
		SELECT $1, t.unit_id, $2, 'invitation', $3, t.level, t.aspects::jsonb, t.opinion, $4::date
		FROM unnest($5::bigint[], $6::smallint[], $7::text[], $8::text[]) AS t(unit_id, level, aspects, opinion)`
	if _, err := tx.Exec(ctx, insert, inv.Survey.ID, r.GroupKey, respondentID, day, unitIDs, levels, aspects, opinions); err != nil {
		return inv, db.Err(err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM survey_drafts WHERE respondent_id = $1`, r.ID); err != nil {
		return inv, db.Err(err)
	}
	// In an anonymous survey the respondent keeps only the day of starting
	// and submitting: exact times would let anyone who orders both tables
	// pair respondents with answers. Seal later rewrites the row.
	at := now
	if inv.Survey.Anonymous {
		n := now.In(loc)
		at = time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc)
	}
	const done = `UPDATE survey_respondents SET status = 'submitted', submitted_at = $2,
		started_at = CASE WHEN $3 THEN $2 ELSE coalesce(started_at, $2) END WHERE id = $1`
	if _, err := tx.Exec(ctx, done, r.ID, at, inv.Survey.Anonymous); err != nil {
		return inv, db.Err(err)
	}
	inv.Respondent.Status, inv.Respondent.SubmittedAt = RespondentSubmitted, &at
	inv.Drafts = map[int64]Draft{}
	return inv, nil
}
