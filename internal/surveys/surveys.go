// Package surveys holds the annual satisfaction surveys (年终评价问卷): the
// questionnaires of an assessment cycle, their respondents with one-time
// invitation links, the answers respondents save as they go and submit
// once, and the submitted responses the annual score is computed from.
package surveys

import (
	"strings"
	"time"

	"minyi/internal/apperr"
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
