package citizensms

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/notify"
)

// SurveyResult is what an invitation or reminder round did: how many
// messages it added and how many respondents it skipped because they were
// sent the same message before (an invitation ever, a reminder today).
type SurveyResult struct {
	Sent    int `json:"sent"`
	Skipped int `json:"skipped"`
}

// roundTarget is one recipient of a round: its id, sealed number and
// sealed link token.
type roundTarget struct {
	ID       int64
	Phone    []byte
	TokenEnc []byte
}

// round records one message per target built by build from the target's
// number and token (unsealed here; a target whose number or token cannot
// be unsealed, or whose number is not a mobile, is passed over), counting
// those added and those recorded before (same key).
func (s *Service) round(ctx context.Context, tx pgx.Tx, base string, targets []roundTarget, now time.Time,
	build func(t roundTarget, phone, token string) message) (SurveyResult, error) {
	var res SurveyResult
	for _, t := range targets {
		phone, err1 := s.Keys.Decrypt(t.Phone)
		token, err2 := s.Keys.Decrypt(t.TokenEnc)
		if err1 != nil || err2 != nil || !mobileRE.MatchString(phone) {
			continue
		}
		added, err := s.record(ctx, tx, base, build(t, phone, token), now)
		if err != nil {
			return res, err
		}
		if added {
			res.Sent++
		} else {
			res.Skipped++
		}
	}
	return res, nil
}

// Invite sends an invitation with the respondent's own link to every
// respondent of the open survey who has a mobile number and has not
// submitted, once per respondent however often the office asks. Audited.
func (s *Service) Invite(ctx context.Context, tx pgx.Tx, base string, actor audit.Actor, surveyID int64, now time.Time) (SurveyResult, error) {
	return s.surveyRound(ctx, tx, base, actor, surveyID, KindSurveyInvite, now)
}

// Remind sends a reminder with the survey's closing date to every
// respondent with a mobile number who has not submitted, at most once per
// respondent and local day. Audited.
func (s *Service) Remind(ctx context.Context, tx pgx.Tx, base string, actor audit.Actor, surveyID int64, now time.Time) (SurveyResult, error) {
	return s.surveyRound(ctx, tx, base, actor, surveyID, KindSurveyReminder, now)
}

func (s *Service) surveyRound(ctx context.Context, tx pgx.Tx, base string, actor audit.Actor, surveyID int64, kind string, now time.Time) (SurveyResult, error) {
	var res SurveyResult
	if s == nil || !s.Enabled {
		return res, apperr.New(apperr.Conflict, "未配置短信平台，无法发送短信")
	}
	var title, status string
	var closes *time.Time
	// The survey's row lock orders two rounds of the same survey.
	err := tx.QueryRow(ctx, `SELECT title, status, closes_at FROM surveys WHERE id = $1 FOR UPDATE`, surveyID).
		Scan(&title, &status, &closes)
	if err = db.Err(err); apperr.Is(err, apperr.NotFound) {
		return res, apperr.New(apperr.NotFound, "问卷不存在")
	} else if err != nil {
		return res, err
	}
	if status != "open" || (closes != nil && !now.Before(*closes)) {
		return res, apperr.New(apperr.Conflict, "问卷发布后、截止前才能发送短信")
	}
	if kind == KindSurveyReminder && closes == nil {
		return res, apperr.New(apperr.Conflict, "问卷未设置截止时间，提醒短信需写明截止日期，请先设置截止时间")
	}
	rows, _ := tx.Query(ctx, `SELECT id, phone_enc, token_enc FROM survey_respondents
		WHERE survey_id = $1 AND phone_enc IS NOT NULL AND status IN ('invited', 'started') ORDER BY id`, surveyID)
	targets, err := pgx.CollectRows(rows, pgx.RowToStructByPos[roundTarget])
	if err != nil {
		return res, db.Err(err)
	}
	text, err := notify.SMSText(ctx, tx, kind)
	if err != nil {
		return res, err
	}
	day := now.In(s.Quiet.Loc).Format(time.DateOnly)
	res, err = s.round(ctx, tx, base, targets, now, func(t roundTarget, phone, token string) message {
		rid := t.ID
		m := message{kind: kind, phone: phone, respondentID: &rid, text: text,
			key:    kind + ":" + strconv.FormatInt(rid, 10),
			values: Values{phSurvey: clip(title, 20), phLink: base + "/s/" + token}}
		if kind == KindSurveyReminder {
			m.key += ":" + day
			m.values[phCloses] = closes.In(s.Quiet.Loc).Format("1月2日15:04")
		}
		return m
	})
	if err != nil {
		return res, err
	}
	action := "citizen_sms.survey_invite"
	if kind == KindSurveyReminder {
		action = "citizen_sms.survey_reminder"
	}
	return res, audit.Record(ctx, tx, actor, action, "survey", strconv.FormatInt(surveyID, 10), nil, res)
}
