// Creating and editing a survey: what the office enters, and the checks.

package surveys

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
)

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
