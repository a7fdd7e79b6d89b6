package assessmentapp_test

import (
	"context"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"minyi/internal/assessment"
	"minyi/internal/testutil/apptest"
)

func TestConsoleAssessment(t *testing.T) {
	w := newAssessWorld(t)
	office := apptest.SignedIn(t, w.app, "office1", "office-pass-1")
	ua := apptest.SignedIn(t, w.app, "unit-a", "unit-pass-a")
	uc := apptest.SignedIn(t, w.app, "unit-c", "unit-pass-c")
	base := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment"

	if p := apptest.Get(t, office, "/console/cycles/"+apptest.Itoa(w.cycle)); !p.Has(base) {
		t.Fatal("cycle page has no link to the assessment")
	}
	if p := apptest.Get(t, office, base); p.Status != 200 || !p.Has("市民政局") || !p.Has("考评单位对应") || !p.Has("预算执行") {
		t.Fatalf("overview: %d", p.Status)
	}
	if p := apptest.Get(t, ua, base); p.Status != 403 {
		t.Fatalf("unit sees overview: %d", p.Status)
	}
	score := apptest.Get(t, ua, base+"/score")
	if score.Status != 200 || !score.Has("预算执行") || !score.Has("专项一") || score.Has("依法行政") || score.Has("专项二") {
		t.Fatalf("A's score page: %d\n%s", score.Status, score.Body)
	}
	p := apptest.Post(t, ua, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.cu)}, "p_a": {"12"}, "v_a": {"0"}, "na_p1": {"1"}})
	if p.Status != 422 || !p.Has("得分不能超过该项满分 10 分") {
		t.Fatalf("row above max: %d", p.Status)
	}
	p = apptest.Post(t, ua, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.cu)}, "p_a": {"9.5"}, "v_a": {"0"}, "na_p1": {"1"}})
	if p.Status != 303 || !strings.Contains(p.Location, "msg=entries_saved") {
		t.Fatalf("row: %d %s", p.Status, p.Location)
	}
	if p := apptest.Get(t, ua, base+"/score"); !p.Has(`value="9.5"`) {
		t.Fatal("saved value not shown")
	}
	// A stale row (version 0 again) is refused.
	p = apptest.Post(t, ua, base+"/score", url.Values{"unit_id": {apptest.Itoa(w.cu)}, "p_a": {"8"}, "v_a": {"0"}})
	if p.Status != 422 || !p.Has("已被他人修改") {
		t.Fatalf("stale row: %d", p.Status)
	}
	// Detail form with a note and evidence.
	d := apptest.PostMultipart(t, ua, base+"/score", map[string]string{"unit_id": apptest.Itoa(w.cu), "mode": "detail",
		"p_a": "9.5", "v_a": "1", "n_a": "依据审计报告", "na_p1": "1", "v_p1": "1"}, "", nil)
	if d.Status != 303 {
		t.Fatalf("detail: %d %s", d.Status, d.Body)
	}

	unitPage := base + "/units/" + apptest.Itoa(w.cu)
	if p := apptest.Get(t, ua, unitPage); p.Status != 403 {
		t.Fatalf("A sees C's page: %d", p.Status)
	}
	cp := apptest.PostMultipart(t, uc, unitPage+"/claims", map[string]string{"title": "全国先进", "points": "2", "client_key": "x1"}, "a.txt", []byte("plain text"))
	if cp.Status != 422 || !cp.Has("仅支持 PDF、PNG、JPEG 格式") {
		t.Fatalf("claim with text: %d", cp.Status)
	}
	cp = apptest.PostMultipart(t, uc, unitPage+"/claims", map[string]string{"title": "全国先进", "points": "2", "client_key": "x1"}, "a.png", apptest.TestPNG)
	if cp.Status != 303 {
		t.Fatalf("claim: %d %s", cp.Status, cp.Body)
	}
	own := apptest.Get(t, uc, unitPage)
	if !own.Has("全国先进") || !own.Has("待审核") || own.Has("登记扣分") || own.Has("预算执行") {
		t.Fatalf("C's own page:\n%s", own.Body)
	}
	view := apptest.Get(t, office, unitPage)
	if !view.Has("依据审计报告") || !view.Has("认定") {
		t.Fatal("office's unit page misses the entry note or the review form")
	}
	claimAction := regexpFind(t, view.Body, `action="(`+base+`/claims/\d+)#`)
	if p := apptest.Post(t, office, claimAction, url.Values{"decision": {"approve"}, "points": {"5"}}); p.Status != 422 || !p.Has("不能超过申报分值 2 分") {
		t.Fatalf("approve above: %d", p.Status)
	}
	if p := apptest.Post(t, office, claimAction, url.Values{"decision": {"approve"}, "points": {"2"}}); p.Status != 303 {
		t.Fatalf("approve: %d", p.Status)
	}
	if p := apptest.Post(t, office, unitPage+"/deductions", url.Values{"reason_key": {"serious_violation"}, "description": {"严重违纪"}}); p.Status != 303 {
		t.Fatalf("deduction: %d %s", p.Status, p.Body)
	}
	if p := apptest.Post(t, office, unitPage+"/adjustments", url.Values{"kind": {"lower"}, "reason": {""}}); p.Status != 422 || !p.Has("请填写调整理由") {
		t.Fatalf("adjustment without reason: %d", p.Status)
	}
	if p := apptest.Post(t, office, unitPage+"/adjustments", url.Values{"kind": {"lower"}, "reason": {"重大安全事故"}}); p.Status != 303 {
		t.Fatalf("adjustment: %d", p.Status)
	}
	view = apptest.Get(t, office, unitPage)
	if !view.Has("直接定为不合格") || !view.Has("计入 2 分（上限 3 分）") || !view.Has("重大安全事故") {
		t.Fatalf("unit page after review:\n%s", view.Body)
	}
	revoke := regexpFind(t, view.Body, `action="(`+base+`/adjustments/\d+/revoke)#`)
	if p := apptest.Post(t, office, revoke, url.Values{"reason": {""}}); p.Status != 422 || !p.Has("请填写撤销理由") {
		t.Fatalf("revoke without reason: %d", p.Status)
	}
	if p := apptest.Post(t, office, revoke, url.Values{"reason": {"经核实不属实"}}); p.Status != 303 {
		t.Fatalf("revoke: %d", p.Status)
	}
	if p := apptest.Get(t, office, unitPage); !p.Has("已撤销") || !p.Has("经核实不属实") {
		t.Fatal("revoked adjustment not shown")
	}

	sp := apptest.Get(t, office, base+"/settings")
	if sp.Status != 200 || !sp.Has(`name="r.key.0" value="accountability"`) || !sp.Has(`value="行政问责"`) ||
		!sp.Has(`name="reasons_n" value="8"`) || !sp.Has(`value="自评不实"`) {
		t.Fatalf("settings page: %d", sp.Status)
	}
	form := url.Values{"bonus_cap": {"5"}, "deduction_cap": {"10"}, "excellent_share": {"40"}, "good_share": {"70"},
		"pass_min": {"70"}, "decimals": {"2"}, "tie_rule": {"exclude"}, "appeal_days": {"5"}, "answer_days": {"15"},
		"reasons_n": {"3"}, "r.key.0": {"accountability"}, "r.name.0": {"行政问责"}, "r.points.0": {"2"}, "r.max.0": {"10"},
		"r.name.1": {"严重违纪"}, "r.points.1": {"两分"},
		"quota_excellent": {"20"}, "quota_good": {"18"}, "quota_pass": {"15"}, "quota_fail": {"10"}}
	if p := apptest.Post(t, office, base+"/settings", form); p.Status != 422 || !p.Has("与优秀比例之和不超过100%") ||
		!p.Has(`id="r-err-1"`) || !p.Has("每项扣分须为数字") || !p.Has(`value="两分"`) {
		t.Fatalf("bad settings: %d", p.Status)
	}
	// Another row, nothing saved, typing kept.
	form.Set("op", "more_reasons")
	if p := apptest.Post(t, office, base+"/settings", form); p.Status != 200 || !p.Has(`name="reasons_n" value="4"`) ||
		!p.Has(`value="两分"`) {
		t.Fatalf("more rows: %d", p.Status)
	}
	form.Del("op")
	form.Set("good_share", "50")
	form.Set("r.points.1", "0")
	form.Set("r.fail.1", "1")
	if p := apptest.Post(t, office, base+"/settings", form); p.Status != 303 || !strings.Contains(p.Location, "assess_settings_saved") {
		t.Fatalf("save settings: %d %s", p.Status, p.Body)
	}
	set, err := assessment.LoadSettings(context.Background(), w.app.Pool, w.cycle)
	if err != nil {
		t.Fatal(err)
	}
	want := []assessment.DeductionReason{{Key: "accountability", Name: "行政问责", Points: 2, MaxTotal: 10},
		{Key: "reason_1", Name: "严重违纪", SetsFail: true}}
	if !reflect.DeepEqual(set.Settings.DeductionReasons, want) {
		t.Fatalf("reasons saved: %+v", set.Settings.DeductionReasons)
	}
	// Deleting a reason keeps the others' keys.
	form.Set("r.key.1", "reason_1")
	form.Set("r.del.0", "1")
	if p := apptest.Post(t, office, base+"/settings", form); p.Status != 303 {
		t.Fatalf("delete reason: %d", p.Status)
	}
	set, _ = assessment.LoadSettings(context.Background(), w.app.Pool, w.cycle)
	if len(set.Settings.DeductionReasons) != 1 || set.Settings.DeductionReasons[0].Key != "reason_1" {
		t.Fatalf("after delete: %+v", set.Settings.DeductionReasons)
	}
	if p := apptest.Get(t, ua, base+"/settings"); p.Status != 403 {
		t.Fatalf("unit settings page: %d", p.Status)
	}
}

func regexpFind(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no match for %s", pattern)
	}
	return m[1]
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }

func TestConsoleAssessmentSheet(t *testing.T) {
	w := newAssessWorld(t)
	ua := apptest.SignedIn(t, w.app, "unit-a", "unit-pass-a")
	base := "/console/cycles/" + apptest.Itoa(w.cycle) + "/assessment/score"
	expectStatus(t, w.ua.JSON(t, "PUT", entryPath(w, w.cu, "a"), map[string]any{"points": 6, "note": "保留的说明"}, nil), 200, "save")
	dl := apptest.Get(t, ua, base+".csv")
	if dl.Status != 200 || !strings.Contains(dl.Body, "单位,预算执行,专项工作 › 专项一") || !strings.Contains(dl.Body, "市民政局,6,") ||
		strings.Contains(dl.Body, "依法行政") {
		t.Fatalf("download: %d\n%s", dl.Status, dl.Body)
	}
	bad := "单位,预算执行,专项一\n市民政局,12,不参加\n某不存在单位,1,\n"
	p := apptest.PostMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(bad))
	if p.Status != 422 || !p.Has("第2行 “预算执行”：得分不能超过该项满分 10 分") || !p.Has("第3行：单位“某不存在单位”不在单位名录中") {
		t.Fatalf("bad upload: %d\n%s", p.Status, p.Body)
	}
	if p := apptest.PostMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte("单位,依法行政\n市民政局,3\n")); p.Status != 422 || !p.Has("无法识别的列") {
		t.Fatalf("another's column: %d", p.Status)
	}
	good := "单位,预算执行,a\n市民政局,9,\n市审计局,,\n"
	if p := apptest.PostMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(good)); p.Status != 422 || !p.Has("重复出现") {
		t.Fatalf("same leaf twice: %d", p.Status)
	}
	good = "单位,预算执行,专项一\n市民政局,9,不参加\n市审计局,,4.5\n"
	if p := apptest.PostMultipart(t, ua, base+"/upload", map[string]string{}, "s.csv", []byte(good)); p.Status != 303 || !strings.Contains(p.Location, "entries_uploaded") {
		t.Fatalf("upload: %d %s", p.Status, p.Body)
	}
	var list struct {
		Items []struct {
			UnitID        int64  `json:"unit_id"`
			LeafKey       string `json:"leaf_key"`
			Points        *float64
			NotApplicable bool `json:"not_applicable"`
			Note          string
		}
	}
	expectStatus(t, w.ua.JSON(t, "GET", "/api/v1/cycles/"+apptest.Itoa(w.cycle)+"/assessment/entries", nil, &list), 200, "entries")
	got := map[string]string{}
	for _, e := range list.Items {
		v := "na"
		if e.Points != nil {
			v = strconv.FormatFloat(*e.Points, 'f', -1, 64)
		}
		got[apptest.Itoa(e.UnitID)+"/"+e.LeafKey] = v + "|" + e.Note
	}
	if len(got) != 3 || got[apptest.Itoa(w.cu)+"/a"] != "9|保留的说明" || got[apptest.Itoa(w.cu)+"/p1"] != "na|" || got[apptest.Itoa(w.b)+"/p1"] != "4.5|" {
		t.Fatalf("after upload: %v", got)
	}
}
