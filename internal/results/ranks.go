package results

import (
	"fmt"
	"sort"
)

// moveRanks applies the office's rank adjustments (位次调整, 000 § 24) to
// one graded category, in place. The rule (docs/results.md, "Rank
// adjustments"):
//
//   - the ranking by composite stands first (ties share a place, the next
//     place skips: 1, 2, 2, 4); grades follow it and are not changed by a
//     move (a grade is changed by a grade adjustment);
//   - the units moved by the office are taken out; the others keep their
//     order. Each moved unit is put back at the place it was moved to
//     (clamped to the category's ranked units), moves of a lower place
//     first; two moves to the same place keep their order by composite,
//     the second taking the next place;
//   - a moved unit never splits units tied on their composite: landing
//     inside such a group it is put after the whole group;
//   - places are then counted down the new order: a moved unit has its
//     own place; units tied on their composite and next to each other
//     share a place, the next place skipping as before.
//
// Every line whose place changed keeps its place by composite (ScoreRank)
// and says why in its reason; a moved line is marked RankAdjusted with
// the office's reason.
func moveRanks(lines []*Line) {
	var ranked []*Line
	moves := 0
	for _, l := range lines {
		if l.Complete && l.Rank != nil {
			ranked = append(ranked, l)
			if l.Inputs.RankTo != nil {
				moves++
			}
		}
	}
	if moves == 0 {
		return
	}
	sortLines(ranked)
	var others, moved []*Line
	for _, l := range ranked {
		if l.Inputs.RankTo != nil {
			moved = append(moved, l)
		} else {
			others = append(others, l)
		}
	}
	sort.SliceStable(moved, func(i, j int) bool { return *moved[i].Inputs.RankTo < *moved[j].Inputs.RankTo })
	tied := func(a, b *Line) bool {
		return a.Inputs.RankTo == nil && b.Inputs.RankTo == nil && *a.Composite == *b.Composite
	}
	order := others
	last := -1
	for _, l := range moved {
		i := min(max(*l.Inputs.RankTo-1, last+1), len(order))
		for i > 0 && i < len(order) && tied(order[i-1], order[i]) {
			i++
		}
		order = append(order[:i], append([]*Line{l}, order[i:]...)...)
		last = i
	}
	for i, l := range order {
		before := *l.Rank
		place := i + 1
		if i > 0 && tied(order[i-1], l) {
			place = *order[i-1].Rank
		}
		if l.Inputs.RankTo != nil {
			l.RankAdjusted = true
			l.RankReason = l.Inputs.RankReason
			note := fmt.Sprintf("位次由第%d名调整为第%d名", before, place)
			if place != *l.Inputs.RankTo {
				note += fmt.Sprintf("（调至第%d名，因该处为并列名次、已有其他调整或超出本类别参与排名的单位数，排在第%d名）", *l.Inputs.RankTo, place)
			}
			l.Reason = join(l.Reason, note+"；位次调整事由："+l.Inputs.RankReason)
		} else if place != before {
			l.Reason = join(l.Reason, fmt.Sprintf("因其他单位位次调整，位次由第%d名变为第%d名", before, place))
		}
		if place != before || l.RankAdjusted {
			b := before
			l.ScoreRank = &b
		}
		p := place
		l.Rank = &p
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "；" + b
}
