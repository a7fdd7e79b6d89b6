package ratings_test

import (
	"sort"
	"strings"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/ratings"
)

var reasons = []string{"办事效率低", "服务态度差", "其他"}

func fieldNames(f map[string]string) string {
	var names []string
	for k := range f {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestQRInputValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     ratings.QRInput
		fields string
	}{
		{"five", ratings.QRInput{Level: 5}, ""},
		{"three with comment", ratings.QRInput{Level: 3, Comment: "还行"}, ""},
		{"one with reason", ratings.QRInput{Level: 1, Reasons: []string{"服务态度差"}}, ""},
		{"two with comment only", ratings.QRInput{Level: 2, Comment: "排队太久"}, ""},
		{"no level", ratings.QRInput{}, "level"},
		{"level six", ratings.QRInput{Level: 6}, "level"},
		{"one without reason or comment", ratings.QRInput{Level: 1}, "reasons"},
		{"two with blank reason", ratings.QRInput{Level: 2, Reasons: []string{" "}}, "reasons"},
		{"unknown reason", ratings.QRInput{Level: 1, Reasons: []string{"太热了"}}, "reasons"},
		{"reason on a good rating", ratings.QRInput{Level: 4, Reasons: []string{"其他"}}, "reasons"},
		{"comment 500 runes", ratings.QRInput{Level: 5, Comment: strings.Repeat("好", 500)}, ""},
		{"comment 501 runes", ratings.QRInput{Level: 5, Comment: strings.Repeat("好", 501)}, "comment"},
		{"mobile", ratings.QRInput{Level: 5, Phone: "13812345678"}, ""},
		{"mobile with +86 and spaces", ratings.QRInput{Level: 5, Phone: "+86 138 1234 5678"}, ""},
		{"landline", ratings.QRInput{Level: 5, Phone: "0791-88886666"}, ""},
		{"short phone", ratings.QRInput{Level: 5, Phone: "1381234"}, "phone"},
		{"letters in phone", ratings.QRInput{Level: 5, Phone: "138abcd5678"}, "phone"},
		{"mobile starting 12", ratings.QRInput{Level: 5, Phone: "12812345678"}, "phone"},
		{"token too long", ratings.QRInput{Level: 5, Token: strings.Repeat("t", 65)}, "token"},
		{"several", ratings.QRInput{Level: 0, Phone: "x", Comment: strings.Repeat("差", 501)}, "comment,level,phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			err := in.Validate(reasons)
			got := fieldNames(apperr.From(err).Fields)
			if err == nil {
				got = ""
			} else if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("code %s, want invalid", apperr.CodeOf(err))
			}
			if got != tt.fields {
				t.Errorf("fields %q, want %q (%v)", got, tt.fields, err)
			}
		})
	}
	in := ratings.QRInput{Level: 1, Reasons: []string{"其他", " 其他 ", ""}, Phone: "+86 138 1234 5678", Comment: "  慢  "}
	if err := in.Validate(reasons); err != nil {
		t.Fatal(err)
	}
	if len(in.Reasons) != 1 || in.Phone != "13812345678" || in.Comment != "慢" {
		t.Errorf("normalized to %+v, want one reason, phone 13812345678, comment 慢", in)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]int{"1": 1, " 5 ": 5, "0": 0, "6": 0, "": 0, "五": 0, "3.0": 0, "-1": 0} {
		if got := ratings.ParseLevel(in); got != want {
			t.Errorf("ParseLevel(%q) = %d, want %d", in, got, want)
		}
	}
	if ratings.LevelLabel(5) != "非常满意" || ratings.LevelLabel(1) != "非常不满意" || ratings.LevelLabel(0) != "" {
		t.Error("level labels wrong")
	}
}

func TestTerminalRatingCheck(t *testing.T) {
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	maxAge := 72 * time.Hour
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name   string
		r      ratings.TerminalRating
		fields string
	}{
		{"minimal", ratings.TerminalRating{ID: "r-1", Level: 5}, ""},
		{"full", ratings.TerminalRating{ID: "T1:2026.03.15_0001", Level: 2, RatedAt: at(-time.Hour), CaseNo: "BJ-1",
			Window: "3", StaffNo: "A017", Reasons: []string{"等候时间长"}, Comment: "慢"}, ""},
		{"no id", ratings.TerminalRating{Level: 5}, "id"},
		{"id 64", ratings.TerminalRating{ID: strings.Repeat("a", 64), Level: 5}, ""},
		{"id 65", ratings.TerminalRating{ID: strings.Repeat("a", 65), Level: 5}, "id"},
		{"id with slash", ratings.TerminalRating{ID: "a/b", Level: 5}, "id"},
		{"id chinese", ratings.TerminalRating{ID: "评价1", Level: 5}, "id"},
		{"level 0", ratings.TerminalRating{ID: "r", Level: 0}, "level"},
		{"level 6", ratings.TerminalRating{ID: "r", Level: 6}, "level"},
		{"rated_at not RFC 3339", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: "2026-03-15 09:00:00"}, "rated_at"},
		{"rated_at date only", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: "2026-03-15"}, "rated_at"},
		{"rated_at 4m ahead", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: at(4 * time.Minute)}, ""},
		{"rated_at 6m ahead", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: at(6 * time.Minute)}, "rated_at"},
		{"rated_at just inside max age", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: at(-maxAge + time.Minute)}, ""},
		{"rated_at beyond max age", ratings.TerminalRating{ID: "r", Level: 5, RatedAt: at(-maxAge - time.Minute)}, "rated_at"},
		{"case_no 65", ratings.TerminalRating{ID: "r", Level: 5, CaseNo: strings.Repeat("9", 65)}, "case_no"},
		{"window 33", ratings.TerminalRating{ID: "r", Level: 5, Window: strings.Repeat("9", 33)}, "window"},
		{"staff_no 33", ratings.TerminalRating{ID: "r", Level: 5, StaffNo: strings.Repeat("9", 33)}, "staff_no"},
		{"comment 500 runes", ratings.TerminalRating{ID: "r", Level: 5, Comment: strings.Repeat("好", 500)}, ""},
		{"comment 501 runes", ratings.TerminalRating{ID: "r", Level: 5, Comment: strings.Repeat("好", 501)}, "comment"},
		{"11 reasons", ratings.TerminalRating{ID: "r", Level: 1, Reasons: strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",")}, "reasons"},
		{"10 reasons with duplicates", ratings.TerminalRating{ID: "r", Level: 1, Reasons: strings.Split("a,b,c,d,e,f,g,h,i,j,a,b", ",")}, ""},
		{"reason 33 runes", ratings.TerminalRating{ID: "r", Level: 1, Reasons: []string{strings.Repeat("慢", 33)}}, "reasons"},
		{"everything", ratings.TerminalRating{Level: 9, RatedAt: "yesterday"}, "id,level,rated_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.r
			if got := fieldNames(r.Check(now, maxAge)); got != tt.fields {
				t.Errorf("fields %q, want %q", got, tt.fields)
			}
		})
	}
	r := ratings.TerminalRating{ID: "r", Level: 5}
	r.Check(now, maxAge)
	if !r.RatedAtTime().Equal(now) {
		t.Errorf("missing rated_at became %v, want the server time %v", r.RatedAtTime(), now)
	}
	r = ratings.TerminalRating{ID: "r", Level: 5, RatedAt: "2026-03-15T17:30:00+08:00", CaseNo: "  BJ1 "}
	r.Check(now, maxAge)
	if !r.RatedAtTime().Equal(time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)) || r.CaseNo != "BJ1" {
		t.Errorf("rated_at %v case %q, want 09:30 UTC and a trimmed case number", r.RatedAtTime(), r.CaseNo)
	}
}

func TestFilterValidate(t *testing.T) {
	day := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	next := day.AddDate(0, 0, 1)
	tests := []struct {
		name   string
		f      ratings.Filter
		fields string
	}{
		{"empty", ratings.Filter{}, ""},
		{"all good", ratings.Filter{Channel: "qr", Level: 3, From: &day, To: &next, Limit: 500}, ""},
		{"bad channel", ratings.Filter{Channel: "sms"}, "channel"},
		{"bad level", ratings.Filter{Level: 7}, "level"},
		{"to before from", ratings.Filter{From: &next, To: &day}, "to"},
		{"to equals from", ratings.Filter{From: &day, To: &day}, "to"},
		{"limit 501", ratings.Filter{Limit: 501}, "limit"},
		{"negative offset", ratings.Filter{Offset: -1}, "offset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			got := ""
			if err != nil {
				got = fieldNames(apperr.From(err).Fields)
			}
			if got != tt.fields {
				t.Errorf("fields %q, want %q", got, tt.fields)
			}
		})
	}
}
