package results

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/units"
)

// Streaks follow a unit's line (docs/lineage.md). A year counts with the
// unit's own final result (of the year's main cycle) when it has one;
// otherwise with its predecessors' (前身单位), each followed the same way.
// Several predecessors (a merger) count for a grade only when every one of
// them had it: "连续三年被评为优秀/合格" (002 § 24(四)(五)) is a consequence
// for the unit, and the unit of a past year is all of its predecessors, so
// a merit is not inherited from half of the line and a rectification duty
// is not imposed for half of it. A missing predecessor result breaks the
// year, as a missing own result does.

// Source is one unit whose own final result a year of the line reads, and
// its grade ("" when it has none that year).
type Source struct {
	Unit  int64
	Grade string
}

// LineGrade returns the grade that counts for unit in year, following the
// lineage preds (unit → its predecessors) where the unit has no own result
// in own, with the units read. The grade is "" when nothing counts: no own
// result and no predecessors, a predecessor without a result, or
// predecessors of different grades.
func LineGrade(own map[unitYear]string, preds map[int64][]int64, unit int64, year int) (string, []Source) {
	var sources []Source
	seen := map[int64]bool{}
	var walk func(u int64)
	walk = func(u int64) {
		if seen[u] {
			return
		}
		seen[u] = true
		if g, ok := own[unitYear{u, year}]; ok || len(preds[u]) == 0 {
			sources = append(sources, Source{Unit: u, Grade: g})
			return
		}
		for _, p := range preds[u] {
			walk(p)
		}
	}
	walk(unit)
	grade := sources[0].Grade
	for _, s := range sources[1:] {
		if s.Grade != grade {
			grade = ""
		}
	}
	return grade, sources
}

// lineAncestors returns unit and every unit its line reaches, for a read
// of their results.
func lineAncestors(preds map[int64][]int64, unit int64) []int64 {
	out := []int64{unit}
	for i := 0; i < len(out); i++ {
		for _, p := range preds[out[i]] {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// yearLabel shows what a year of the line counted as: "2025年：优秀",
// "2025年：优秀（前身单位：甲局 优秀、乙局 优秀）", "2025年：无最终结果".
func yearLabel(unit int64, year int, grade string, sources []Source, names map[int64]string) string {
	y := strconv.Itoa(year) + "年："
	if len(sources) == 1 && sources[0].Unit == unit {
		if grade == "" {
			return y + "无最终结果"
		}
		return y + assessment.GradeLabel(grade)
	}
	parts := make([]string, len(sources))
	for i, s := range sources {
		g := "无最终结果"
		if s.Grade != "" {
			g = assessment.GradeLabel(s.Grade)
		}
		parts[i] = names[s.Unit] + " " + g
	}
	head := "不计"
	if grade != "" {
		head = assessment.GradeLabel(grade)
	}
	return y + head + "（前身单位：" + strings.Join(parts, "、") + "）"
}

// Streaks reports whether unit's line was 优秀, and 合格, in each of the
// three years ending with thisYear (LineGrade).
func Streaks(own map[unitYear]string, preds map[int64][]int64, unit int64, thisYear int) (threeExcellent, threePass bool) {
	ex, pass := 0, 0
	for y := thisYear - 2; y <= thisYear; y++ {
		switch g, _ := LineGrade(own, preds, unit, y); g {
		case assessment.GradeExcellent:
			ex++
		case assessment.GradePass:
			pass++
		}
	}
	return ex == 3, pass == 3
}

// ThreePassUnits returns the units of the cycle's final results whose line
// was 合格 in each of the three years ending with the cycle's (Streaks);
// empty for a cycle that is not its year's main cycle.
func ThreePassUnits(ctx context.Context, q db.DBTX, cycleID int64, unitIDs []int64) (map[int64]bool, error) {
	byYear, thisYear, err := yearGrades(ctx, q, cycleID, nil)
	out := map[int64]bool{}
	if err != nil || thisYear == 0 {
		return out, err
	}
	preds, err := units.PredecessorMap(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, id := range unitIDs {
		if _, pass := Streaks(byYear, preds, id, thisYear); pass {
			out[id] = true
		}
	}
	return out, nil
}
