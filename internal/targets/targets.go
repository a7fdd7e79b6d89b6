// Package targets holds annual targets and process management (目标管理与
// 过程管理): each unit's target sheet (目标责任书) per assessment cycle with
// its indicators, the office's review, the append-only published versions,
// change requests after approval, progress reports, early warnings and
// self-evaluation.
package targets

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// Sheet statuses.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusReturned  = "returned"
	StatusApproved  = "approved"
	// StatusLeaderReview: approved by the office, waiting for the leaders
	// the cycle names (leader.go).
	StatusLeaderReview = "leader_review"
)

// StatusLabel returns a status in Chinese.
func StatusLabel(status string) string {
	switch status {
	case StatusDraft:
		return "编制中"
	case StatusSubmitted:
		return "已提交，待审核"
	case StatusReturned:
		return "已退回修改"
	case StatusApproved:
		return "已批准并公开"
	case StatusLeaderReview:
		return "绩效办已审核，待领导审定"
	}
	return status
}

// Limits of the input.
const (
	MaxIndicators  = 100
	MaxPoints      = 1000
	maxNameLen     = 200
	maxTextLen     = 2000
	maxReasonLen   = 1000
	maxCommentLen  = 2000
	maxSchemeKey   = 100
	maxAssessorLen = 100
	dateLayout     = "2006-01-02"
)

// Indicator is one indicator (指标) of a sheet as stored or published.
type Indicator struct {
	ID       int64   `json:"id" db:"id"`
	Position int     `json:"position" db:"position"`
	Name     string  `json:"name" db:"name"`
	Tasks    string  `json:"tasks" db:"tasks"`
	Points   float64 `json:"points" db:"points"`
	Standard string  `json:"standard" db:"standard"`
	Deadline string  `json:"deadline" db:"deadline"`
	// AssessorUnitID is the assessor unit when it is a unit of the table;
	// AssessorName is its name either way.
	AssessorUnitID *int64 `json:"assessor_unit_id" db:"assessor_unit_id"`
	AssessorName   string `json:"assessor_name" db:"assessor_name"`
	SchemeKey      string `json:"scheme_key" db:"scheme_key"`
	// ReviewComment is the office's comment from its last return.
	ReviewComment string    `json:"review_comment,omitempty" db:"review_comment"`
	CreatedAt     time.Time `json:"-" db:"created_at"`
}

// IndicatorInput is an indicator as staff enter it. ID names an existing
// indicator of the sheet; 0 adds a new one.
type IndicatorInput struct {
	ID             int64   `json:"id"`
	Name           string  `json:"name"`
	Tasks          string  `json:"tasks"`
	Points         float64 `json:"points"`
	Standard       string  `json:"standard"`
	Deadline       string  `json:"deadline"`
	AssessorUnitID *int64  `json:"assessor_unit_id"`
	AssessorName   string  `json:"assessor_name"`
	SchemeKey      string  `json:"scheme_key"`
}

// Normalize trims the input's text.
func (in *IndicatorInput) Normalize() {
	in.Name = strings.TrimSpace(in.Name)
	in.Tasks = strings.TrimSpace(in.Tasks)
	in.Standard = strings.TrimSpace(in.Standard)
	in.Deadline = strings.TrimSpace(in.Deadline)
	in.AssessorName = strings.TrimSpace(in.AssessorName)
	in.SchemeKey = strings.TrimSpace(in.SchemeKey)
	if in.AssessorUnitID != nil && *in.AssessorUnitID == 0 {
		in.AssessorUnitID = nil
	}
}

// Period is the span the indicators' deadlines must fall in: from the
// cycle's first day to one year after its last.
type Period struct {
	Start, End string
}

// ValidateIndicators returns an invalid error naming each bad field as
// indicators[i].<field>: name (1–200 characters), tasks (1–2000), points
// (above 0, at most 1000, two decimals), standard (1–2000), deadline (a
// date from the cycle's start to a year after its end), the assessor unit
// (a unit id or a name of at most 100 characters) and scheme_key (at most
// 100 characters). The list itself (field indicators) needs 1–100 entries
// and no id twice.
func ValidateIndicators(list []IndicatorInput, p Period) error {
	f := apperr.Fields{}
	if len(list) == 0 {
		f.Add("indicators", "请至少填写一项指标")
	}
	if len(list) > MaxIndicators {
		f.Add("indicators", fmt.Sprintf("指标不能超过%d项", MaxIndicators))
	}
	start, _ := time.Parse(dateLayout, p.Start)
	end, _ := time.Parse(dateLayout, p.End)
	last := end.AddDate(1, 0, 0)
	seen := map[int64]bool{}
	for i, in := range list {
		field := func(name string) string { return fmt.Sprintf("indicators[%d].%s", i, name) }
		n := i + 1
		if in.ID != 0 {
			if seen[in.ID] {
				f.Add(field("id"), fmt.Sprintf("第%d项指标重复", n))
			}
			seen[in.ID] = true
		}
		checkText(f, field("name"), in.Name, maxNameLen, fmt.Sprintf("请填写第%d项指标的名称", n), fmt.Sprintf("第%d项指标的名称不能超过%d字", n, maxNameLen))
		checkText(f, field("tasks"), in.Tasks, maxTextLen, fmt.Sprintf("请填写第%d项指标的任务", n), fmt.Sprintf("第%d项指标的任务不能超过%d字", n, maxTextLen))
		checkText(f, field("standard"), in.Standard, maxTextLen, fmt.Sprintf("请填写第%d项指标的评分标准", n), fmt.Sprintf("第%d项指标的评分标准不能超过%d字", n, maxTextLen))
		switch {
		case math.IsNaN(in.Points) || in.Points <= 0:
			f.Add(field("points"), fmt.Sprintf("第%d项指标的分值须为大于0的数字", n))
		case in.Points > MaxPoints:
			f.Add(field("points"), fmt.Sprintf("第%d项指标的分值不能超过%d", n, MaxPoints))
		case !twoDecimals(in.Points):
			f.Add(field("points"), fmt.Sprintf("第%d项指标的分值最多保留两位小数", n))
		}
		if in.Deadline == "" {
			f.Add(field("deadline"), fmt.Sprintf("请填写第%d项指标的完成时限", n))
		} else if d, err := time.Parse(dateLayout, in.Deadline); err != nil {
			f.Add(field("deadline"), fmt.Sprintf("第%d项指标的完成时限须为有效日期，格式为 YYYY-MM-DD", n))
		} else if d.Before(start) || d.After(last) {
			f.Add(field("deadline"), fmt.Sprintf("第%d项指标的完成时限须在%s至%s之间", n, p.Start, last.Format(dateLayout)))
		}
		if in.AssessorUnitID == nil && in.AssessorName == "" {
			f.Add(field("assessor"), fmt.Sprintf("请选择或填写第%d项指标的考评单位", n))
		} else if utf8.RuneCountInString(in.AssessorName) > maxAssessorLen {
			f.Add(field("assessor"), fmt.Sprintf("第%d项指标的考评单位名称不能超过%d字", n, maxAssessorLen))
		}
		if utf8.RuneCountInString(in.SchemeKey) > maxSchemeKey {
			f.Add(field("scheme_key"), fmt.Sprintf("第%d项指标的方案项目代码不能超过%d字", n, maxSchemeKey))
		}
	}
	return f.Err()
}

// checkText adds empty or long for a missing or too long text.
func checkText(f apperr.Fields, field, v string, max int, empty, long string) {
	if n := utf8.RuneCountInString(v); n == 0 {
		f.Add(field, empty)
	} else if n > max {
		f.Add(field, long)
	}
}

// twoDecimals reports whether p has at most two decimals.
func twoDecimals(p float64) bool {
	return math.Abs(p*100-math.Round(p*100)) < 1e-6
}

// TotalPoints adds the indicators' points.
func TotalPoints(list []Indicator) float64 {
	var sum float64
	for _, in := range list {
		sum += in.Points
	}
	return math.Round(sum*100) / 100
}

// versionConflict is the error of a stale form or request.
func versionConflict(current int) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("该目标责任书已被他人修改（当前为第%d次修改），您提交的内容未保存。请核对最新内容后重新提交。", current))
}
