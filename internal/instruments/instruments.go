// Package instruments holds evaluation instruments (评价项目): per
// assessment cycle, any number of evaluations besides the public survey —
// leaders rating units (领导评价), deputies and members rating units (代表
// 委员评价), every unit rating every other unit through its unit accounts
// (部门互评), towns and streets rating departments (基层评价) and custom
// ones. Each has a purpose, a scale (four grades with points, or a 0–100
// mark), the unit categories it rates, a minimum number of answers and a
// draft/open/closed state. Raters are invitees with a secret link (like a
// survey's respondents) or the units of the register through their unit
// accounts, never rating their own unit.
//
// An instrument's result for a unit is the mean of its answers on 0–100,
// rounded half up to 2 decimals, with the count. Below the instrument's
// minimum number of answers the result is still that mean but flagged
// (Short): it feeds scheme leaves all the same, and the office sees the
// flag on the instrument's results and in the unit's result breakdown.
package instruments

import (
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
)

// Purposes.
const (
	PurposeLeaders    = "leaders"
	PurposeDeputies   = "deputies"
	PurposePeer       = "peer"
	PurposeGrassroots = "grassroots"
	PurposeCustom     = "custom"
)

// Scales.
const (
	ScaleGrades = "grades"
	ScaleMark   = "mark"
)

// Statuses.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Grades, best first.
var Grades = []string{"excellent", "good", "fair", "poor"}

// DefaultGradePoints are the points of 优秀/良好/一般/较差.
var DefaultGradePoints = []float64{100, 85, 70, 50}

// Messages shared by the refusals.
const (
	msgNotFound  = "评价项目不存在"
	msgClosed    = "评价项目已结束，不再接受评价"
	msgNotOpen   = "评价项目尚未开始，暂不能评价"
	msgOwnUnit   = "不能评价本单位"
	msgNotRater  = "本单位不是该评价项目的评价单位"
	msgNotRated  = "该单位不在本单位的评价范围内"
	msgByInvitee = "该评价项目由受邀人通过邀请链接评价，单位账号不能作答"
	msgByUnits   = "该评价项目由各单位通过单位账号评价，不能通过邀请链接作答"
)

// SourcePrefix starts a scheme leaf's source naming an instrument:
// "instrument:<key>".
const SourcePrefix = "instrument:"

var keyPattern = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// PurposeLabel is a purpose in Chinese.
func PurposeLabel(p string) string {
	switch p {
	case PurposeLeaders:
		return "领导评价"
	case PurposeDeputies:
		return "代表委员评价"
	case PurposePeer:
		return "部门互评"
	case PurposeGrassroots:
		return "基层评价"
	case PurposeCustom:
		return "其他评价"
	}
	return p
}

// Purposes lists the purposes in the order offered.
var Purposes = []string{PurposeLeaders, PurposeDeputies, PurposePeer, PurposeGrassroots, PurposeCustom}

// ScaleLabel is a scale in Chinese.
func ScaleLabel(s string) string {
	if s == ScaleGrades {
		return "优秀/良好/一般/较差四档"
	}
	return "百分制打分"
}

// StatusLabel is a status in Chinese.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "未开始"
	case StatusOpen:
		return "评价中"
	case StatusClosed:
		return "已结束"
	}
	return s
}

// GradeLabel is a grade in Chinese.
func GradeLabel(g string) string {
	switch g {
	case "excellent":
		return "优秀"
	case "good":
		return "良好"
	case "fair":
		return "一般"
	case "poor":
		return "较差"
	}
	return ""
}

// ByUnits reports whether a purpose is answered by units through their
// unit accounts (部门互评, 基层评价) rather than by invitees.
func ByUnits(purpose string) bool { return purpose == PurposePeer || purpose == PurposeGrassroots }

// Instrument is an evaluation of a cycle.
type Instrument struct {
	ID              int64      `json:"id" db:"id"`
	CycleID         int64      `json:"cycle_id" db:"cycle_id"`
	Key             string     `json:"key" db:"key"`
	Name            string     `json:"name" db:"name"`
	Purpose         string     `json:"purpose" db:"purpose"`
	Scale           string     `json:"scale" db:"scale"`
	GradePoints     []float64  `json:"grade_points" db:"grade_points"`
	MinAnswers      int        `json:"min_answers" db:"min_answers"`
	Anonymous       bool       `json:"anonymous" db:"anonymous"`
	PartnersOnly    bool       `json:"partners_only" db:"partners_only"`
	RatedCategories []string   `json:"rated_categories" db:"rated_categories"`
	RaterCategories []string   `json:"rater_categories" db:"rater_categories"`
	Status          string     `json:"status" db:"status"`
	OpenedAt        *time.Time `json:"opened_at" db:"opened_at"`
	ClosedAt        *time.Time `json:"closed_at" db:"closed_at"`
	CreatedAt       time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at" db:"updated_at"`
}

// Source is the scheme leaf source naming the instrument.
func (in Instrument) Source() string { return SourcePrefix + in.Key }

// ByUnits reports whether units answer the instrument.
func (in Instrument) ByUnits() bool { return ByUnits(in.Purpose) }

// Rates reports whether the instrument rates units of the category.
func (in Instrument) Rates(category string) bool {
	return len(in.RatedCategories) == 0 || slices.Contains(in.RatedCategories, category)
}

// RatesBy reports whether units of the category answer the instrument.
func (in Instrument) RatesBy(category string) bool {
	return in.ByUnits() && (len(in.RaterCategories) == 0 || slices.Contains(in.RaterCategories, category))
}

// GradeValue is the points of a grade on the instrument's scale.
func (in Instrument) GradeValue(grade string) (float64, bool) {
	i := slices.Index(Grades, grade)
	if i < 0 || i >= len(in.GradePoints) {
		return 0, false
	}
	return in.GradePoints[i], true
}

// ScaleText describes the scale with its points: "优秀100/良好85/一般70/较差50".
func (in Instrument) ScaleText() string {
	if in.Scale == ScaleMark {
		return "0–100分打分"
	}
	parts := make([]string, len(Grades))
	for i, g := range Grades {
		parts[i] = GradeLabel(g) + num(in.GradePoints[i])
	}
	return strings.Join(parts, "/")
}

// Input is what the office submits to create or change an instrument.
type Input struct {
	Key             string    `json:"key"`
	Name            string    `json:"name"`
	Purpose         string    `json:"purpose"`
	Scale           string    `json:"scale"`
	GradePoints     []float64 `json:"grade_points"`
	MinAnswers      int       `json:"min_answers"`
	Anonymous       bool      `json:"anonymous"`
	PartnersOnly    bool      `json:"partners_only"`
	RatedCategories []string  `json:"rated_categories"`
	RaterCategories []string  `json:"rater_categories"`
}

// Normalize trims the input and fills in the defaults: the grades' points,
// a minimum of one answer.
func (in *Input) Normalize() {
	in.Key = strings.TrimSpace(in.Key)
	in.Name = strings.TrimSpace(in.Name)
	in.Purpose = strings.TrimSpace(in.Purpose)
	in.Scale = strings.TrimSpace(in.Scale)
	if in.Scale == "" {
		in.Scale = ScaleGrades
	}
	if len(in.GradePoints) == 0 {
		in.GradePoints = slices.Clone(DefaultGradePoints)
	}
	if in.MinAnswers == 0 {
		in.MinAnswers = 1
	}
	in.RatedCategories = cleanList(in.RatedCategories)
	in.RaterCategories = cleanList(in.RaterCategories)
	if !ByUnits(in.Purpose) {
		in.RaterCategories = []string{}
		in.PartnersOnly = false
	}
	if in.Purpose != PurposePeer {
		in.PartnersOnly = false
	}
}

func cleanList(list []string) []string {
	out := []string{}
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Validate returns an invalid error naming every bad field.
func (in Input) Validate() error {
	f := apperr.Fields{}
	if !keyPattern.MatchString(in.Key) {
		f.Add("key", "代码须由小写字母、数字和下划线组成，不超过40个字符")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 {
		f.Add("name", "请填写评价项目名称")
	} else if n > 50 {
		f.Add("name", "评价项目名称不能超过50字")
	}
	if !slices.Contains(Purposes, in.Purpose) {
		f.Add("purpose", "请选择评价类型：领导评价、代表委员评价、部门互评、基层评价或其他评价")
	}
	switch in.Scale {
	case ScaleGrades:
		if len(in.GradePoints) != 4 {
			f.Add("grade_points", "请填写优秀、良好、一般、较差四档的分值")
		} else {
			for i, p := range in.GradePoints {
				if p < 0 || p > 100 || p != roundTo2(p) {
					f.Add("grade_points", "各档分值须在0到100之间，最多两位小数")
					break
				}
				if i > 0 && p >= in.GradePoints[i-1] {
					f.Add("grade_points", "分值须从优秀到较差依次降低")
					break
				}
			}
		}
	case ScaleMark:
	default:
		f.Add("scale", "请选择评分方式：四档评价或百分制打分")
	}
	if in.MinAnswers < 1 || in.MinAnswers > 100000 {
		f.Add("min_answers", "最少有效评价份数须在1到100000之间")
	}
	if len(in.RatedCategories) > 50 || len(in.RaterCategories) > 50 {
		f.Add("rated_categories", "单位类别最多50个")
	}
	return f.Err()
}

func roundTo2(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', 2, 64), 64)
	return v
}

// num formats a configured number briefly: 85, 62.5.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// Mean is an exact mean of answers: total ÷ count, rounded half up to 2
// decimals; ok is false without answers.
func Mean(total string, count int) (float64, bool) {
	if count <= 0 {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(total)
	if !ok {
		return 0, false
	}
	r.Quo(r, new(big.Rat).SetInt64(int64(count)))
	// Half up for non-negative values: add half a cent and truncate.
	r.Add(r, big.NewRat(1, 200))
	r.Mul(r, big.NewRat(100, 1))
	n := new(big.Int).Quo(r.Num(), r.Denom())
	f, _ := new(big.Rat).SetFrac(n, big.NewInt(100)).Float64()
	return f, true
}
