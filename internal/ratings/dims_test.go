package ratings_test

import (
	"slices"
	"strings"
	"testing"

	"minyi/internal/ratings"
)

func TestReasonCodesFor(t *testing.T) {
	tests := []struct {
		reasons []string
		online  bool
		want    string
	}{
		{[]string{"服务态度差"}, false, "103"},
		{[]string{"等候时间长", "办事指南不清"}, false, "101,102"},
		{[]string{"其他"}, false, ""},
		{[]string{"办事效率低", "多次跑动"}, true, "201,203"},
		{[]string{"平台操作复杂", "办事指南不清"}, true, "202,204"},
		{[]string{"服务态度", "服务效率"}, false, "101,103"},
	}
	for _, tt := range tests {
		if got := strings.Join(ratings.ReasonCodesFor(tt.reasons, tt.online), ","); got != tt.want {
			t.Errorf("%v online=%v: %q, want %q", tt.reasons, tt.online, got, tt.want)
		}
	}
}

func TestDimensionsInputCheck(t *testing.T) {
	tests := []struct {
		name string
		in   ratings.DimensionsInput
		bad  string // the fields refused, sorted, joined with +
		pf   int
	}{
		{"none", ratings.DimensionsInput{}, "", 4},
		{"all good", ratings.DimensionsInput{ItemCode: " SX-1 ", Stage: "3", PF: 5, ApplicantType: 1, ReasonCodes: []string{"101", "101"}}, "", 5},
		{"bad item", ratings.DimensionsInput{ItemCode: "事项一"}, "item_code", 4},
		{"bad stage", ratings.DimensionsInput{Stage: "受理"}, "stage", 4},
		{"QR code from a terminal", ratings.DimensionsInput{PF: 3}, "pf", 3},
		{"bad applicant and code", ratings.DimensionsInput{ApplicantType: 3, ReasonCodes: []string{"301"}}, "applicant_type+reason_codes", 4},
	}
	for _, tt := range tests {
		f := map[string]string{}
		d := tt.in.Check(f, ratings.TerminalPF, ratings.PFPad)
		var bad []string
		for k := range f {
			bad = append(bad, k)
		}
		if got := strings.Join(slices.Sorted(slices.Values(bad)), "+"); got != tt.bad || d.PF != tt.pf || d.EvaVersion != ratings.EvaVersion {
			t.Errorf("%s: refused %q pf %d version %q (%v), want %q pf %d", tt.name, got, d.PF, d.EvaVersion, f, tt.bad, tt.pf)
		}
	}
	in := ratings.DimensionsInput{ItemCode: " SX-1 ", ReasonCodes: []string{"101", "101"}}
	d := in.Check(map[string]string{}, ratings.TerminalPF, ratings.PFPad)
	d.AddReasons([]string{"服务态度差", "等候时间长"}, false)
	if d.ItemCode != "SX-1" || strings.Join(d.ReasonCodes, ",") != "101,103" {
		t.Errorf("dimensions %+v", d)
	}
}

func TestPFLabels(t *testing.T) {
	for pf, want := range map[int]string{1: "电脑端", 3: "二维码", 4: "政务服务评价器（平板）", 5: "其他大厅终端", 0: "", 6: ""} {
		if got := ratings.PFLabel(pf); got != want {
			t.Errorf("PFLabel(%d) = %q, want %q", pf, got, want)
		}
	}
	four := int16(5)
	if ratings.PFOf(&four, ratings.ChannelTerminal) != 5 || ratings.PFOf(nil, "other") != 0 {
		t.Error("PFOf")
	}
}
