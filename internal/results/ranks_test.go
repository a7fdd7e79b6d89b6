package results

import (
	"strconv"
	"strings"
	"testing"

	"minyi/internal/assessment"
)

func to(n int) *int { return &n }

// rankList is "name:place" of the lines in ranking order, a moved line
// marked with *.
func rankList(t *testing.T, set assessment.Settings, cases ...unitCase) string {
	t.Helper()
	lines := build(t, set, cases...)
	ordered := append([]*Line(nil), lines...)
	sortLines(ordered)
	var out []string
	for _, l := range ordered {
		s := l.Unit.Name + ":" + l.RankText()
		if l.RankAdjusted {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func TestMoveRanks(t *testing.T) {
	set := assessment.DefaultSettings()
	moved := func(work float64, place int) unitCase {
		return unitCase{work: f(work), public: 10, in: assessment.UnitInputs{RankTo: to(place), RankReason: "重大贡献"}}
	}
	plain := func(work float64) unitCase { return unitCase{work: f(work), public: 10} }
	cases := []struct {
		name  string
		units []unitCase
		want  string
	}{
		{"no move", []unitCase{plain(80), plain(70), plain(60), plain(50)}, "u1:1 u2:2 u3:3 u4:4"},
		{"up shifts the ones passed down", []unitCase{plain(80), plain(70), plain(60), moved(50, 2)}, "u1:1 u4:2* u2:3 u3:4"},
		{"down shifts the ones passed up", []unitCase{moved(80, 3), plain(70), plain(60), plain(50)}, "u2:1 u3:2 u1:3* u4:4"},
		{"to the same place is a mark only", []unitCase{plain(80), moved(70, 2), plain(60)}, "u1:1 u2:2* u3:3"},
		{"to the last place", []unitCase{moved(80, 4), plain(70), plain(60), plain(50)}, "u2:1 u3:2 u4:3 u1:4*"},
		// u2 and u3 tie at 2 (1, 2, 2, 4).
		{"ahead of a tie", []unitCase{plain(80), plain(70), plain(70), moved(50, 2)}, "u1:1 u4:2* u2:3 u3:3"},
		{"into a tie goes after it", []unitCase{plain(80), plain(70), plain(70), moved(50, 3)}, "u1:1 u2:2 u3:2 u4:4*"},
		{"out of a tie", []unitCase{plain(80), plain(70), moved(70, 1), plain(50)}, "u3:1* u1:2 u2:3 u4:4"},
		{"tie kept below a move down", []unitCase{moved(80, 4), plain(70), plain(70), plain(50)}, "u2:1 u3:1 u4:3 u1:4*"},
		{"two moves to one place keep composite order", []unitCase{plain(80), plain(70), moved(60, 1), moved(50, 1)}, "u3:1* u4:2* u1:3 u2:4"},
		{"two moves crossing", []unitCase{moved(80, 3), plain(70), moved(60, 1), plain(50)}, "u3:1* u2:2 u1:3* u4:4"},
		{"beyond the ranked units is the last place", []unitCase{plain(80), moved(70, 9), plain(60)}, "u1:1 u3:2 u2:3*"},
		{"incomplete units are not moved", []unitCase{plain(80), {work: nil, public: 10, in: assessment.UnitInputs{RankTo: to(1), RankReason: "x"}}, plain(60)}, "u1:1 u3:2 u2:—"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := rankList(t, set, tc.units...); got != tc.want {
				t.Errorf("ranking = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMoveRanksKeepsGradesAndExplains(t *testing.T) {
	set := assessment.DefaultSettings()
	plain := func(work float64) unitCase { return unitCase{work: f(work), public: 10} }
	before := build(t, set, plain(80), plain(75), plain(70), plain(65), plain(60))
	after := build(t, set, plain(80), plain(75), plain(70), plain(65),
		unitCase{work: f(60), public: 10, in: assessment.UnitInputs{RankTo: to(1), RankReason: "全局性工作重大贡献"}})
	if gradeList(before) != gradeList(after) {
		t.Fatalf("grades changed by a rank move: %s → %s", gradeList(before), gradeList(after))
	}
	l := after[4]
	if *l.Rank != 1 || *l.ScoreRank != 5 || !l.RankAdjusted || l.RankReason != "全局性工作重大贡献" {
		t.Fatalf("moved line = rank %v score rank %v adjusted %v reason %q", *l.Rank, *l.ScoreRank, l.RankAdjusted, l.RankReason)
	}
	if !strings.Contains(l.Reason, "位次由第5名调整为第1名；位次调整事由：全局性工作重大贡献") {
		t.Errorf("reason = %q", l.Reason)
	}
	first := after[0]
	if *first.Rank != 2 || *first.ScoreRank != 1 || !strings.Contains(first.Reason, "因其他单位位次调整，位次由第1名变为第2名") {
		t.Errorf("shifted line = rank %d, reason %q", *first.Rank, first.Reason)
	}
	for i, l := range before {
		if l.ScoreRank != nil || l.RankAdjusted {
			t.Errorf("line %s without any move has score rank or mark", strconv.Itoa(i))
		}
	}
}
