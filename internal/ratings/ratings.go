// Package ratings holds daily public ratings (日常评价): their validation, the
// group-committing writer that stores them durably and idempotently, and the
// queries the office reviews them with.
package ratings

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"minyi/internal/apperr"
	"minyi/internal/safetext"
)

// Channels a rating arrives through.
const (
	ChannelQR       = "qr"
	ChannelTerminal = "terminal"
)

// Levels, from 5 (非常满意) down to 1 (非常不满意).
var levelLabels = [6]string{"", "非常不满意", "不满意", "基本满意", "满意", "非常满意"}

// LevelLabel returns the Chinese name of a level, or "" when out of range.
func LevelLabel(level int) string {
	if level < 1 || level > 5 {
		return ""
	}
	return levelLabels[level]
}

// LevelName is a level with its Chinese name, for pages that list the levels.
type LevelName struct {
	Level int
	Label string
}

// LevelNames lists the five levels from 5 (非常满意) down to 1.
func LevelNames() []LevelName {
	out := make([]LevelName, 0, 5)
	for l := 5; l >= 1; l-- {
		out = append(out, LevelName{l, LevelLabel(l)})
	}
	return out
}

// ChannelLabel returns the Chinese name of a channel.
func ChannelLabel(ch string) string {
	switch ch {
	case ChannelQR:
		return "扫码评价"
	case ChannelTerminal:
		return "评价器"
	}
	return ch
}

// Limits of free text.
const (
	MaxComment    = 500
	MaxReasons    = 10
	MaxReasonLen  = 32
	MaxCaseNo     = 64
	MaxWindowNo   = 32
	MaxStaffNo    = 32
	MaxClientID   = 64
	MaxBatch      = 500
	MaxClockAhead = 5 * time.Minute
)

// NeedsReasons reports whether a level asks for reasons (不满意 and below).
func NeedsReasons(level int) bool { return level >= 1 && level <= 2 }

var phoneRE = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

// ValidPhone reports whether a phone number, normalized by NormalizePhone,
// is a mainland mobile number or a landline with its area code.
func ValidPhone(s string) bool { return phoneRE.MatchString(s) }

// NormalizePhone strips spaces and a +86 prefix.
func NormalizePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "+86")
	return s
}

// QRInput is what a citizen submits on the rating page.
type QRInput struct {
	Level   int
	Reasons []string
	Comment string
	Phone   string
	Token   string
	// Applicant is the citizen's own answer to 办事身份, optional: 0
	// (not said), ApplicantPerson or ApplicantLegal; -1 is a value the
	// form does not offer.
	Applicant int
}

// ParseApplicant parses the form's applicant type: "" is 0 (not said),
// anything but an applicant type (ApplicantLabel) is -1 (refused by
// Validate).
func ParseApplicant(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil && ApplicantLabel(n) != "" {
		return n
	}
	return -1
}

// ParseLevel parses a level field; 0 means missing or bad.
func ParseLevel(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 5 {
		return 0
	}
	return n
}

// Validate checks the input against the configured reasons and returns an
// invalid error naming each bad field.
func (in *QRInput) Validate(allowedReasons []string) error {
	f := apperr.Fields{}
	checkText(f, "comment", in.Comment)
	checkText(f, "phone", in.Phone)
	checkText(f, "token", in.Token)
	for _, r := range in.Reasons {
		checkText(f, "reasons", r)
	}
	in.Comment = strings.TrimSpace(in.Comment)
	in.Phone = NormalizePhone(in.Phone)
	if in.Level < 1 || in.Level > 5 {
		f.Add("level", "请选择满意程度")
	}
	in.Reasons = dedupe(in.Reasons)
	if len(in.Reasons) > 0 && in.Level >= 3 {
		f.Add("reasons", "只有“不满意”或“非常不满意”时才需选择原因")
	}
	for _, r := range in.Reasons {
		if !slices.Contains(allowedReasons, r) {
			f.Add("reasons", "请从列表中选择原因")
		}
	}
	if NeedsReasons(in.Level) && len(in.Reasons) == 0 && in.Comment == "" {
		f.Add("reasons", "请选择不满意的原因，或在留言中说明")
	}
	if utf8.RuneCountInString(in.Comment) > MaxComment {
		f.Add("comment", "留言不能超过500字")
	}
	if in.Phone != "" && !phoneRE.MatchString(in.Phone) {
		f.Add("phone", "请填写正确的手机号码或固定电话")
	}
	if in.Applicant != 0 && ApplicantLabel(in.Applicant) == "" {
		f.Add("applicant_type", "请选择“个人”或“企业或其他组织”，也可不选")
	}
	if len(in.Token) > MaxClientID {
		f.Add("token", "表单已失效，请刷新页面")
	}
	return f.Err()
}

// TerminalRating is one rating as a service-hall terminal posts it.
type TerminalRating struct {
	ID      string   `json:"id"`
	Level   int      `json:"level"`
	RatedAt string   `json:"rated_at"`
	CaseNo  string   `json:"case_no"`
	Window  string   `json:"window"`
	StaffNo string   `json:"staff_no"`
	Reasons []string `json:"reasons"`
	Comment string   `json:"comment"`
	// The national record's dimensions: item_code, stage, pf (4 or 5),
	// applicant_type and reason_codes.
	DimensionsInput
	ratedAt time.Time
	dims    Dimensions
}

// TerminalPF are the channel codes a terminal may send; without one its
// ratings are 4 (hall pad).
var TerminalPF = []int{PFPad, PFOtherTerminal}

var clientIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// Check validates the rating at time now, accepting device times up to
// maxAge old, and returns the per-field problems, empty when it is valid.
func (r *TerminalRating) Check(now time.Time, maxAge time.Duration) apperr.Fields {
	f := apperr.Fields{}
	if !clientIDRE.MatchString(r.ID) {
		f.Add("id", "id 必填：1–64 位字母、数字或 . _ : -")
	}
	if r.Level < 1 || r.Level > 5 {
		f.Add("level", "level 须为 1 到 5 的整数")
	}
	r.ratedAt = now
	if r.RatedAt != "" {
		t, err := time.Parse(time.RFC3339, r.RatedAt)
		switch {
		case err != nil:
			f.Add("rated_at", "rated_at 须为 RFC 3339 时间，如 2026-11-21T09:30:00+08:00")
		case t.After(now.Add(MaxClockAhead)):
			f.Add("rated_at", "rated_at 晚于当前时间，请校准评价器时钟")
		case t.Before(now.Add(-maxAge)):
			f.Add("rated_at", "rated_at 早于 "+maxAge.String()+" 之前，已不能接收")
		default:
			r.ratedAt = t
		}
	}
	checkText(f, "case_no", r.CaseNo)
	checkText(f, "window", r.Window)
	checkText(f, "staff_no", r.StaffNo)
	checkText(f, "comment", r.Comment)
	for _, s := range r.Reasons {
		checkText(f, "reasons", s)
	}
	r.CaseNo = strings.TrimSpace(r.CaseNo)
	r.Window = strings.TrimSpace(r.Window)
	r.StaffNo = strings.TrimSpace(r.StaffNo)
	r.Comment = strings.TrimSpace(r.Comment)
	if utf8.RuneCountInString(r.CaseNo) > MaxCaseNo {
		f.Add("case_no", "case_no 不能超过64个字符")
	}
	if utf8.RuneCountInString(r.Window) > MaxWindowNo {
		f.Add("window", "window 不能超过32个字符")
	}
	if utf8.RuneCountInString(r.StaffNo) > MaxStaffNo {
		f.Add("staff_no", "staff_no 不能超过32个字符")
	}
	if utf8.RuneCountInString(r.Comment) > MaxComment {
		f.Add("comment", "comment 不能超过500个字符")
	}
	r.Reasons = dedupe(r.Reasons)
	if len(r.Reasons) > MaxReasons {
		f.Add("reasons", "reasons 最多10项")
	}
	for _, s := range r.Reasons {
		if utf8.RuneCountInString(s) > MaxReasonLen {
			f.Add("reasons", "每项 reasons 不能超过32个字符")
		}
	}
	r.dims = r.DimensionsInput.Check(f, TerminalPF, PFPad)
	return f
}

// RatedAtTime returns the parsed device time after Check.
func (r *TerminalRating) RatedAtTime() time.Time { return r.ratedAt }

// Dims returns the rating's dimensions after Check.
func (r *TerminalRating) Dims() Dimensions { return r.dims }

// checkText refuses text Postgres cannot store or a page cannot show: a
// NUL, another control character or invalid UTF-8 (see safetext).
func checkText(f apperr.Fields, field, s string) {
	if !safetext.Valid(s) {
		f.Add(field, safetext.Message)
	}
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
