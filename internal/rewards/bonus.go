// Package rewards holds the uses of a cycle's final results that pay or
// cost a unit (issue 16 part 7): the performance-bonus table (绩效奖金),
// raised for outstanding results and cut for accountability or failed
// tasks (001 § 23; 000 § 27; 002 § 24(二)). These are pure rules over
// plain values; money is in cents (分) and percentages in basis points
// (1/100 %), so every amount is exact and rounds once, half up, to the
// cent.
//
// Not yet built on top: storage of the table per cycle, the per-unit list
// from the published results, the Excel export, 通报批评 and commendation
// records.
package rewards

import (
	"math/big"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
)

// Modes of a bonus table.
const (
	// ModeAmount pays each grade a fixed amount.
	ModeAmount = "amount"
	// ModeCoefficient pays Base × the grade's coefficient.
	ModeCoefficient = "coefficient"
)

// Table is a cycle's bonus table.
type Table struct {
	Mode string `json:"mode"`
	// Base is the base amount in cents (ModeCoefficient only).
	Base int64 `json:"base"`
	// Grades gives each grade (excellent, good, pass, fail) its amount in
	// cents (ModeAmount) or its coefficient in ten-thousandths, 12000 for
	// 1.2 (ModeCoefficient). A grade not listed is paid nothing.
	Grades map[string]int64 `json:"grades"`
	// PerHead multiplies the unit's amount by its staff count.
	PerHead bool `json:"per_head"`
	// RaiseBP raises an outstanding unit's amount (成绩突出, 001 § 23), in
	// basis points: 1000 is +10 %.
	RaiseBP int64 `json:"raise_bp"`
	// CutAccountabilityBP is cut for each accountability case (行政问责)
	// and CutFailedTaskBP for each major task not completed, in basis
	// points; all cuts together stop at the whole amount.
	CutAccountabilityBP int64 `json:"cut_accountability_bp"`
	CutFailedTaskBP     int64 `json:"cut_failed_task_bp"`
}

// Validate returns an invalid error naming each bad field.
func (t Table) Validate() error {
	f := apperr.Fields{}
	switch t.Mode {
	case ModeAmount:
	case ModeCoefficient:
		if t.Base <= 0 || t.Base > 1e10 {
			f.Add("base", "基数须为大于0且不超过1亿元的金额")
		}
	default:
		f.Add("mode", "计发方式须为“按等次定额”或“按系数”")
	}
	for g, v := range t.Grades {
		if assessment.GradeLabel(g) == g {
			f.Add("grades", "等次须为优秀、良好、合格或不合格")
		} else if v < 0 || v > 1e10 {
			f.Add("grades", assessment.GradeLabel(g)+"的金额或系数须在0到1亿之间")
		}
	}
	if t.RaiseBP < 0 || t.RaiseBP > 10000 {
		f.Add("raise_bp", "成绩突出的上浮比例须在0到100%之间")
	}
	if t.CutAccountabilityBP < 0 || t.CutAccountabilityBP > 10000 {
		f.Add("cut_accountability_bp", "每次问责的扣减比例须在0到100%之间")
	}
	if t.CutFailedTaskBP < 0 || t.CutFailedTaskBP > 10000 {
		f.Add("cut_failed_task_bp", "每项未完成任务的扣减比例须在0到100%之间")
	}
	return f.Err()
}

// Unit is what the table reads of one unit's final result.
type Unit struct {
	Grade          string
	Staff          int  // staff count, for PerHead
	Outstanding    bool // 成绩突出
	Accountability int  // accountability cases (行政问责)
	FailedTasks    int  // major tasks not completed
}

// Line is one unit's bonus in cents: Base from the grade (× staff), the
// Raise for an outstanding result, the Cut, and Total = Base + Raise − Cut.
type Line struct {
	Base  int64 `json:"base"`
	Raise int64 `json:"raise"`
	Cut   int64 `json:"cut"`
	Total int64 `json:"total"`
}

// Compute returns the unit's bonus under the table. The raise and the cut
// are percentages of the grade's amount (after PerHead); cuts add up and
// stop at the whole amount plus raise, so no bonus is negative. Each part
// rounds half up to the cent.
func Compute(t Table, u Unit) Line {
	base := new(big.Rat).SetInt64(t.Grades[u.Grade])
	if t.Mode == ModeCoefficient {
		base.Mul(big.NewRat(t.Base, 1), big.NewRat(t.Grades[u.Grade], 10000))
	}
	if t.PerHead {
		base.Mul(base, big.NewRat(int64(max(u.Staff, 0)), 1))
	}
	var l Line
	l.Base = cents(base)
	if u.Outstanding {
		l.Raise = cents(new(big.Rat).Mul(big.NewRat(l.Base, 1), big.NewRat(t.RaiseBP, 10000)))
	}
	bp := int64(max(u.Accountability, 0))*t.CutAccountabilityBP + int64(max(u.FailedTasks, 0))*t.CutFailedTaskBP
	l.Cut = min(cents(new(big.Rat).Mul(big.NewRat(l.Base, 1), big.NewRat(bp, 10000))), l.Base+l.Raise)
	l.Total = l.Base + l.Raise - l.Cut
	return l
}

// cents rounds a non-negative amount half up to a whole cent.
func cents(r *big.Rat) int64 {
	q := new(big.Int).Mul(r.Num(), big.NewInt(2))
	q.Add(q, r.Denom())
	q.Quo(q, new(big.Int).Mul(r.Denom(), big.NewInt(2)))
	return q.Int64()
}
