package scores_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"minyi/internal/apperr"
	"minyi/internal/score"
	"minyi/internal/scores"
	"minyi/internal/scores/scorestest"
	"minyi/internal/testutil"
)

const tolerance = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tolerance }

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// afterYear is a time after the 2025 period, so results are final.
var afterYear = time.Date(2026, 2, 1, 9, 0, 0, 0, shanghai)

// line finds a unit's line in a report.
func line(t *testing.T, rep scores.Report, unitID int64) scores.UnitScore {
	t.Helper()
	for _, c := range rep.Categories {
		for _, u := range c.Units {
			if u.Unit.ID == unitID {
				return u
			}
		}
	}
	t.Fatalf("unit %d not in the report", unitID)
	return scores.UnitScore{}
}

func flagCodes(r *score.Result) []score.Flag {
	if r == nil {
		return nil
	}
	return r.Flags
}

func rankOf(u scores.UnitScore) int {
	if u.Rank == nil {
		return 0
	}
	return *u.Rank
}

// order lists a category's unit ids in report order.
func order(c scores.Category) []int64 {
	var ids []int64
	for _, u := range c.Units {
		ids = append(ids, u.Unit.ID)
	}
	return ids
}

func TestCompute(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	d := scorestest.New(t, pool, shanghai)
	f := d.Standard()
	rep, err := scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Version != 1 || rep.NewestVersion != 1 || rep.Provisional || len(rep.Reasons) != 0 || len(rep.Surveys) != 2 {
		t.Errorf("meta %+v", rep.Meta)
	}
	tests := []struct {
		name        string
		unit        int64
		score       float64 // exact; NaN for none
		rounded     float64
		dailyCount  int
		dailyMean   float64
		annualCount int
		annualMean  float64
		flags       []score.Flag
		rank        int
	}{
		{"both parts, excluded and out-of-period ratings left out", f.Both, 0.4*85 + 0.6*(0.5*260.0/3+30+14), 86.40,
			4, 85, 7, 0.5*260.0/3 + 30 + 14, []score.Flag{}, 3},
		{"daily only", f.DailyOnly, 70, 70, 5, 70, 0, 0, []score.Flag{score.FlagAnnualMissing}, 4},
		{"annual only with a missing group rescaled", f.AnnualOnly, 62 / 0.7, 88.57, 0, 0, 5, 62 / 0.7,
			[]score.Flag{score.FlagDailyMissing, score.FlagGroupMissing}, 1},
		{"daily below the minimum still counts", f.Short, 88, 88, 2, 100, 7, 80,
			[]score.Flag{score.FlagDailyBelowMinimum}, 2},
		{"nothing", f.Empty, math.NaN(), 0, 0, 0, 0, 0,
			[]score.Flag{score.FlagDailyMissing, score.FlagAnnualMissing, score.FlagNoScore}, 0},
		{"tie first", f.B2, 80, 80, 4, 80, 0, 0, []score.Flag{score.FlagAnnualMissing}, 2},
		{"tie second", f.B3, 80, 80, 4, 80, 0, 0, []score.Flag{score.FlagAnnualMissing}, 2},
		{"after the tie", f.B4, 60, 60, 4, 60, 0, 0, []score.Flag{score.FlagAnnualMissing}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := line(t, rep, tt.unit)
			r := u.Result
			if math.IsNaN(tt.score) {
				if u.Score != nil || r.Score != nil || u.UnrankedReason != score.FlagNoScore.Label() {
					t.Errorf("score %v / %v, reason %q; want none, unranked", u.Score, r.Score, u.UnrankedReason)
				}
			} else if r.Score == nil || !near(*r.Score, tt.score) || u.Score == nil || *u.Score != tt.rounded {
				t.Errorf("score %v (rounded %v), want %v (%v)", r.Score, u.Score, tt.score, tt.rounded)
			}
			if r.Daily.Count != tt.dailyCount || !near(r.Daily.Mean, tt.dailyMean) {
				t.Errorf("daily %d / %v, want %d / %v", r.Daily.Count, r.Daily.Mean, tt.dailyCount, tt.dailyMean)
			}
			if r.Annual.Count != tt.annualCount || !near(r.Annual.Mean, tt.annualMean) {
				t.Errorf("annual %d / %v, want %d / %v", r.Annual.Count, r.Annual.Mean, tt.annualCount, tt.annualMean)
			}
			if !slices.Equal(flagCodes(r), tt.flags) || len(u.Flags) != len(tt.flags) {
				t.Errorf("flags %v (%d notes), want %v", r.Flags, len(u.Flags), tt.flags)
			}
			for i, n := range u.Flags {
				if n.Code != tt.flags[i] || n.Label != n.Code.Label() || n.Detail == "" {
					t.Errorf("flag note %+v", n)
				}
			}
			if rankOf(u) != tt.rank {
				t.Errorf("rank %d, want %d", rankOf(u), tt.rank)
			}
		})
	}
	both := line(t, rep, f.Both).Result
	if !slices.Equal(both.UnknownGroups, []string{"residents"}) {
		t.Errorf("unknown groups %v, want [residents]", both.UnknownGroups)
	}
	annualOnly := line(t, rep, f.AnnualOnly).Result.Annual.Groups
	if !near(annualOnly[0].EffectiveWeight, 0.5/0.7) || annualOnly[1].Counted || !near(annualOnly[2].EffectiveWeight, 0.2/0.7) {
		t.Errorf("rescaled groups %+v", annualOnly)
	}
	// Categories in name order without a preference; each ranked.
	if len(rep.Categories) != 2 || rep.Categories[0].Name != scorestest.CategoryA || rep.Categories[1].Name != scorestest.CategoryB {
		t.Fatalf("categories %+v", rep.Categories)
	}
	if got, want := order(rep.Categories[0]), []int64{f.AnnualOnly, f.Short, f.Both, f.DailyOnly, f.Empty}; !slices.Equal(got, want) {
		t.Errorf("category A order %v, want %v", got, want)
	}
	if got, want := order(rep.Categories[1]), []int64{f.B1, f.B2, f.B3, f.B4}; !slices.Equal(got, want) {
		t.Errorf("category B order %v, want %v (ties by name)", got, want)
	}
	if rep.Categories[0].Ranked != 4 || rep.Categories[1].Ranked != 4 {
		t.Errorf("ranked %d and %d, want 4 and 4", rep.Categories[0].Ranked, rep.Categories[1].Ranked)
	}

	// A preferred order puts B first; one category computes only its units.
	rep, err = scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID,
		CategoryOrder: []string{"党政综合类", scorestest.CategoryB, scorestest.CategoryA}})
	if err != nil || rep.Categories[0].Name != scorestest.CategoryB {
		t.Errorf("ordered categories: %v, %+v", err, rep.Categories)
	}
	rep, err = scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID, Category: scorestest.CategoryB})
	if err != nil || len(rep.Categories) != 1 || len(rep.Categories[0].Units) != 4 {
		t.Errorf("one category: %v, %+v", err, rep.Categories)
	}
}

func TestComputeVersions(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	d := scorestest.New(t, pool, shanghai)
	f := d.Standard()
	if v := d.SetConfig(f.Cycle.ID, scorestest.ConfigV2(), "调整权重"); v != 2 {
		t.Fatalf("new version %d", v)
	}
	want := map[int]map[int64]float64{
		0: {f.Both: 86.17, f.Short: 80, f.AnnualOnly: 88.57, f.DailyOnly: 70},
		2: {f.Both: 86.17, f.Short: 80, f.AnnualOnly: 88.57, f.DailyOnly: 70},
		1: {f.Both: 86.40, f.Short: 88, f.AnnualOnly: 88.57, f.DailyOnly: 70},
	}
	for version, scoresOf := range want {
		rep, err := scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID, Version: version})
		if err != nil {
			t.Fatal(err)
		}
		used := version
		if used == 0 {
			used = 2
		}
		if rep.Version != used || rep.NewestVersion != 2 {
			t.Errorf("version %d: report says %d of %d", version, rep.Version, rep.NewestVersion)
		}
		for unit, s := range scoresOf {
			if u := line(t, rep, unit); u.Score == nil || *u.Score != s {
				t.Errorf("version %d unit %d: score %v, want %v", version, unit, u.Score, s)
			}
		}
	}
	short := line(t, must(scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID})), f.Short)
	if short.Result.Daily.Counted || short.Result.Annual.EffectiveWeight != 1 {
		t.Errorf("carry under version 2: %+v", short.Result)
	}
	for _, q := range []scores.Query{{CycleID: f.Cycle.ID, Version: 3}, {CycleID: f.Cycle.ID + 100}} {
		if _, err := scores.Compute(ctx, pool, shanghai, afterYear, q); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%+v: %v, want not_found", q, err)
		}
	}
}

func must(rep scores.Report, err error) scores.Report {
	if err != nil {
		panic(err)
	}
	return rep
}

func TestProvisional(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	d := scorestest.New(t, pool, shanghai)
	cy := d.Cycle("2025年度", 2025, scorestest.Config())
	q := scores.Query{CycleID: cy.ID}
	rep := must(scores.Compute(ctx, pool, shanghai, afterYear, q))
	if !rep.Provisional || !slices.Equal(rep.Reasons, []string{scores.ReasonNoSurvey}) {
		t.Errorf("without a survey: %v %v", rep.Provisional, rep.Reasons)
	}
	d.Survey(cy.ID, "问卷一", "closed")
	open := d.Survey(cy.ID, "问卷二", "open")
	rep = must(scores.Compute(ctx, pool, shanghai, afterYear, q))
	if !rep.Provisional || !slices.Equal(rep.Reasons, []string{"问卷调查尚未结束，得分为暂定"}) {
		t.Errorf("with an open survey: %v %v", rep.Provisional, rep.Reasons)
	}
	if _, err := pool.Exec(ctx, `UPDATE surveys SET status = 'closed' WHERE id = $1`, open); err != nil {
		t.Fatal(err)
	}
	if rep = must(scores.Compute(ctx, pool, shanghai, afterYear, q)); rep.Provisional {
		t.Errorf("all closed: %v", rep.Reasons)
	}
	// The last day of the period is still open, in the cycle's time zone.
	lastDay := time.Date(2025, 12, 31, 23, 59, 0, 0, shanghai)
	rep = must(scores.Compute(ctx, pool, shanghai, lastDay, q))
	if !rep.Provisional || len(rep.Reasons) != 1 || rep.Reasons[0] != "考核期至 2025-12-31 结束，日常评价仍在累积，得分为暂定" {
		t.Errorf("on the last day: %v", rep.Reasons)
	}
	if rep = must(scores.Compute(ctx, pool, shanghai, lastDay.Add(time.Minute), q)); rep.Provisional {
		t.Errorf("after the last day: %v", rep.Reasons)
	}
}

func TestExplain(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	d := scorestest.New(t, pool, shanghai)
	f := d.Standard()
	e, err := scores.Explain(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}, f.Both)
	if err != nil {
		t.Fatal(err)
	}
	if e.Formula != "公众评价得分 = 日常评价 85.00 × 40% + 年度评价 87.33 × 60% = 86.40" {
		t.Errorf("formula %q", e.Formula)
	}
	if e.AnnualFormula != "年度评价 = 服务对象 86.67 × 50% + 人大代表 100.00 × 30% + 专家学者 70.00 × 20% = 87.33" {
		t.Errorf("annual formula %q", e.AnnualFormula)
	}
	if e.Rank == nil || *e.Rank != 3 || e.CategoryUnits != 5 || e.CategoryRanked != 4 || *e.Score != 86.40 {
		t.Errorf("rank %v of %d/%d, score %v", e.Rank, e.CategoryRanked, e.CategoryUnits, e.Score)
	}
	if e.Daily.Count != 4 || e.Daily.Excluded != 1 || !near(e.Daily.Contribution, 34) || !e.Daily.Counted {
		t.Errorf("daily %+v", e.Daily)
	}
	wantLevels := []int64{2, 1, 1, 0, 0} // levels 5..1
	for i, l := range e.Daily.Levels {
		if l.Level != 5-i || l.Count != wantLevels[i] || l.Points != []float64{100, 80, 60, 30, 0}[i] || l.Label == "" {
			t.Errorf("daily level %+v", l)
		}
	}
	su := e.Annual.Groups[0]
	if su.Key != score.GroupServiceUsers || su.Count != 3 || !near(su.Mean, 260.0/3) || su.EffectiveWeight != 0.5 ||
		!near(su.Contribution, 130.0/3) || su.Levels[0].Count != 1 || su.Levels[1].Count != 2 {
		t.Errorf("service users %+v", su)
	}
	if !near(e.Annual.Contribution, 0.6*(0.5*260.0/3+44)) || !slices.Equal(e.UnknownGroups, []string{"residents"}) {
		t.Errorf("annual %+v, unknown %v", e.Annual, e.UnknownGroups)
	}

	e, err = scores.Explain(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}, f.AnnualOnly)
	if err != nil {
		t.Fatal(err)
	}
	if e.Formula != "公众评价得分 = 年度评价 88.57 × 100% = 88.57" ||
		e.AnnualFormula != "年度评价 = 服务对象 100.00 × 71.43% + 专家学者 60.00 × 28.57% = 88.57" {
		t.Errorf("annual only: %q / %q", e.Formula, e.AnnualFormula)
	}
	npc := e.Annual.Groups[1]
	if npc.Counted || len(npc.Flags) != 1 || npc.Flags[0].Code != score.FlagGroupMissing {
		t.Errorf("missing group %+v", npc)
	}
	if e.Flags[1].Detail != "以下受访群体没有答卷，不计入：人大代表；其余群体的权重已按比例放大，合计仍为100%。" {
		t.Errorf("group missing detail %q", e.Flags[1].Detail)
	}

	e, err = scores.Explain(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}, f.Empty)
	if err != nil || e.Rank != nil || e.Score != nil || e.Formula != "无法计分：考核期内既没有计分的日常评价，也没有年度测评答卷" {
		t.Errorf("empty unit: %v %+v", err, e)
	}
	d.SetConfig(f.Cycle.ID, scorestest.ConfigV2(), "")
	e, err = scores.Explain(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}, f.Short)
	if err != nil || e.Formula != "公众评价得分 = 年度评价 80.00 × 100% = 80.00" ||
		e.Flags[0].Detail != "考核期内计分的日常评价共 2 条，低于最低要求 4 条；按本版本配置，由年度评价计全部得分，日常评价不计入。" {
		t.Errorf("short with carry: %v %q %+v", err, e.Formula, e.Flags)
	}
	if _, err := scores.Explain(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}, f.B4+100); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown unit: %v", err)
	}
}

func TestForUnit(t *testing.T) {
	ctx := context.Background()
	pool := testutil.DB(t)
	f := scorestest.New(t, pool, shanghai).Standard()
	full := must(scores.Compute(ctx, pool, shanghai, afterYear, scores.Query{CycleID: f.Cycle.ID}))
	rep := full.ForUnit(f.Both)
	if len(rep.Categories) != 1 || rep.Categories[0].Name != scorestest.CategoryA || len(rep.Categories[0].Units) != 5 {
		t.Fatalf("categories %+v", rep.Categories)
	}
	for _, u := range rep.Categories[0].Units {
		own := u.Unit.ID == f.Both
		if own != (u.Result != nil) || own == u.DetailHidden || (u.Flags != nil) != own {
			t.Errorf("unit %d: result %v, hidden %v", u.Unit.ID, u.Result != nil, u.DetailHidden)
		}
		if u.Unit.ID == f.AnnualOnly && (u.Score == nil || *u.Score != 88.57 || rankOf(u) != 1) {
			t.Errorf("another unit's place and score must stay: %+v", u)
		}
	}
	if line(t, full, f.AnnualOnly).Result == nil {
		t.Error("ForUnit changed the full report")
	}
	if got := full.ForUnit(f.B4 + 100); len(got.Categories) != 0 {
		t.Errorf("unknown unit sees %+v", got.Categories)
	}
}

func TestFormatting(t *testing.T) {
	for w, want := range map[float64]string{0.4: "40%", 0.4 / 0.88: "45.45%", 1: "100%", 0: "0%", 0.125: "12.5%"} {
		if got := scores.Percent(w); got != want {
			t.Errorf("Percent(%v) = %q, want %q", w, got, want)
		}
	}
	if got := scores.Points(89.995); got != "90.00" {
		t.Errorf("Points(89.995) = %q", got)
	}
}
