// Package results turns a cycle's scheme, the assessor units' entries, the
// public evaluation scores, bonus points, deductions and grade adjustments
// into every unit's composite score and grade (等次) within its category,
// and keeps the stages of publication: preliminary results, applications
// for review (申请复核) and their answers, final results, reopening.
//
// Rules (all exact, then rounded half up to Settings.Decimals):
//
//   - composite = scheme composite + counted bonus − counted deductions,
//     never below 0 (it may exceed the scheme's full points by the counted
//     bonus, which is capped by Settings.BonusCap);
//   - a unit with a leaf still missing is incomplete: listed with the
//     missing leaves named, not ranked and not graded;
//   - within a category the complete units are ranked by composite (ties
//     share a place). The quotas are floor(ExcellentShare × n) and
//     floor(GoodShare × n), n the category's ranked units. Only units not
//     set to 不合格 by a deduction and with a composite at least PassMin
//     can get 优秀 or 良好. 优秀 goes down the ranking to the quota, skipping
//     units not eligible for 优秀 (their place passes down to the next
//     eligible unit); 良好 then goes to the next units to its quota; the
//     rest get 合格 at ≥ PassMin, else 不合格. Units tied at a quota's edge
//     all get the grade (TieInclude) or none of them does (TieExclude);
//   - a deduction that sets 不合格 makes the grade 不合格 directly, whatever
//     the composite and the adjustments;
//   - after the quotas, each raise (重大贡献) moves the grade one step up
//     and each lower (重大事故) one step down, between 优秀 and 不合格 —
//     adjustments are the office's decisions outside the quotas; a unit
//     not eligible for 优秀 is raised at most to 良好;
//   - a rank adjustment (位次调整) then moves the unit's place within its
//     category, the others shifting (moveRanks in ranks.go); grades stay;
//   - each unit's review window counts from its receipt of the preliminary
//     result (AppealWindow in window.go).
package results

import (
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"minyi/internal/assessment"
)

// grades best first; a grade's index is its step.
var grades = []string{assessment.GradeExcellent, assessment.GradeGood, assessment.GradePass, assessment.GradeFail}

func gradeStep(g string) int {
	for i, x := range grades {
		if x == g {
			return i
		}
	}
	return len(grades) - 1
}

// ratOf reads f through its shortest decimal form.
func ratOf(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// RoundHalfUp rounds a non-negative r to decimals places, half up.
func RoundHalfUp(r *big.Rat, decimals int) float64 {
	f, _ := strconv.ParseFloat(r.FloatString(decimals), 64)
	return f
}

// FormatPoints shows points with the given decimals: "68.50".
func FormatPoints(f float64, decimals int) string { return strconv.FormatFloat(f, 'f', decimals, 64) }

// Quota is floor(share × n), computed exactly.
func Quota(share float64, n int) int {
	r := new(big.Rat).Mul(ratOf(share), big.NewRat(int64(n), 1))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return int(q.Int64())
}

// gradeCategory ranks and grades the complete lines of one category in
// place and returns the quotas.
func gradeCategory(lines []*Line, set assessment.Settings) (excellentQuota, goodQuota int) {
	var ranked []*Line
	for _, l := range lines {
		if l.Complete {
			ranked = append(ranked, l)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return *ranked[i].Composite > *ranked[j].Composite })
	n := len(ranked)
	for i, l := range ranked {
		r := i + 1
		if i > 0 && *l.Composite == *ranked[i-1].Composite {
			r = *ranked[i-1].Rank
		}
		l.Rank = &r
	}
	excellentQuota, goodQuota = Quota(set.ExcellentShare, n), Quota(set.GoodShare, n)
	d := set.Decimals
	passLine := FormatPoints(set.PassMin, -1)

	// Who may get 优秀 or 良好 at all.
	var pool []*Line
	for _, l := range ranked {
		if !l.Inputs.SetsFail && ratOf(*l.Composite).Cmp(ratOf(set.PassMin)) >= 0 {
			pool = append(pool, l)
		}
	}
	place := func(l *Line) string {
		return fmt.Sprintf("类别内第%d名（共%d个单位，优秀名额%d个、良好名额%d个）", *l.Rank, n, excellentQuota, goodQuota)
	}
	taken := map[*Line]bool{}
	notes := map[*Line][]string{}
	assign := func(grade string, quota int, eligible func(*Line) bool) {
		var cand []*Line
		for _, l := range pool {
			if !taken[l] && eligible(l) {
				cand = append(cand, l)
			}
		}
		k := min(quota, len(cand))
		if k < len(cand) && k > 0 && *cand[k].Composite == *cand[k-1].Composite {
			edge := *cand[k-1].Composite
			lo := k - 1
			for lo > 0 && *cand[lo-1].Composite == edge {
				lo--
			}
			hi := k
			for hi < len(cand) && *cand[hi].Composite == edge {
				hi++
			}
			tied := fmt.Sprintf("综合得分%s的%d个单位并列，超出%s名额", FormatPoints(edge, d), hi-lo, assessment.GradeLabel(grade))
			if set.TieRule == assessment.TieInclude {
				for _, l := range cand[lo:hi] {
					notes[l] = append(notes[l], tied+"，按并列规则均评为"+assessment.GradeLabel(grade))
				}
				k = hi
			} else {
				for _, l := range cand[lo:hi] {
					notes[l] = append(notes[l], tied+"，按并列规则均不评为"+assessment.GradeLabel(grade))
				}
				k = lo
			}
		}
		for _, l := range cand[:k] {
			taken[l] = true
			l.QuotaGrade = grade
		}
	}
	assign(assessment.GradeExcellent, excellentQuota, func(l *Line) bool { return !l.Inputs.NoExcellent })
	assign(assessment.GradeGood, goodQuota, func(*Line) bool { return true })

	for _, l := range ranked {
		comp := FormatPoints(*l.Composite, d)
		var reason []string
		switch {
		case l.Inputs.SetsFail:
			l.QuotaGrade = assessment.GradeFail
			reason = append(reason, "存在严重违纪违法扣分事项，直接定为不合格")
			if len(l.Inputs.FailReasons) > 0 {
				reason[0] += "（" + strings.Join(l.Inputs.FailReasons, "；") + "）"
			}
		case l.QuotaGrade != "":
			reason = append(reason, place(l))
		case ratOf(*l.Composite).Cmp(ratOf(set.PassMin)) >= 0:
			l.QuotaGrade = assessment.GradePass
			reason = append(reason, place(l), "综合得分"+comp+"不低于合格线"+passLine+"分，优秀、良好名额以外评为合格")
		default:
			l.QuotaGrade = assessment.GradeFail
			reason = append(reason, place(l), "综合得分"+comp+"低于合格线"+passLine+"分")
		}
		if l.Inputs.NoExcellent && !l.Inputs.SetsFail {
			reason = append(reason, "当年不得评为优秀（名额依次顺延给下一名）")
		}
		reason = append(reason, notes[l]...)
		step := gradeStep(l.QuotaGrade)
		if !l.Inputs.SetsFail {
			moved := step - l.Inputs.Raise + l.Inputs.Lower
			moved = max(0, min(len(grades)-1, moved))
			if l.Inputs.NoExcellent && moved == 0 {
				moved = 1
			}
			if moved != step {
				dir := "上调"
				if moved > step {
					dir = "下调"
				}
				reason = append(reason, fmt.Sprintf("等次由%s%s为%s", assessment.GradeLabel(grades[step]), dir, assessment.GradeLabel(grades[moved])))
			}
			step = moved
		}
		if (l.Inputs.Raise > 0 || l.Inputs.Lower > 0 || l.Inputs.NoExcellent) && len(l.Inputs.AdjustmentReasons) > 0 {
			reason = append(reason, "调整事由："+strings.Join(l.Inputs.AdjustmentReasons, "；"))
		}
		l.Grade = grades[step]
		l.GradeLabel = assessment.GradeLabel(l.Grade)
		l.Reason = strings.Join(reason, "；")
	}
	return excellentQuota, goodQuota
}
