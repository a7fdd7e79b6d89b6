// Package figures keeps the figures the public pages publish, as the
// national 政务服务"好差评" practice publishes them, for the whole province
// and per unit, for a calendar year:
//
//   - 满意率: the share of counted ratings (not excluded) at 基本满意 or
//     above (level 3–5). 差评 are the ratings below 基本满意 (level 1–2,
//     ../shared/ECOSYSTEM.md), so 满意率 is 1 − the share of 差评;
//   - 差评整改率: the counted 差评 whose rectification case is closed
//     (办结: the unit reported the fix and the office accepted it), out of
//     all counted 差评 of the year — those still waiting for review or
//     being fixed count against it;
//   - 按期答复率: the public's cases (from ratings and survey opinions)
//     answered in the year whose answer came by its working-day deadline
//     (answer_due, local day of the answer), out of those answered.
//
// Computing them reads a year of the daily aggregate and every case of the
// year, and the 差评 of closed cases from the ratings: too much for a page
// a QR campaign sends thousands of phones to. So the hourly maintenance
// recomputes the current year into public_figures (Refresh) and the public
// pages read those rows only (Load): at most a thousand, summed for the
// province.
package figures

import (
	"math"
	"strconv"
	"time"
)

// Counts are the numbers behind the three rates.
type Counts struct {
	Ratings   int64 `json:"ratings"`
	Satisfied int64 `json:"satisfied"`
	Bad       int64 `json:"bad"`
	BadFixed  int64 `json:"bad_fixed"`
	Answered  int64 `json:"answered"`
	OnTime    int64 `json:"answered_on_time"`
}

// Add returns c plus o.
func (c Counts) Add(o Counts) Counts {
	return Counts{Ratings: c.Ratings + o.Ratings, Satisfied: c.Satisfied + o.Satisfied, Bad: c.Bad + o.Bad,
		BadFixed: c.BadFixed + o.BadFixed, Answered: c.Answered + o.Answered, OnTime: c.OnTime + o.OnTime}
}

// Rate is a share in percent, and whether it exists (a denominator of 0
// has none: no ratings, no 差评, no case answered).
type Rate struct {
	Percent float64
	OK      bool
}

func rate(n, of int64) Rate {
	if of <= 0 {
		return Rate{}
	}
	return Rate{Percent: float64(n) * 100 / float64(of), OK: true}
}

// Satisfaction is 满意率.
func (c Counts) Satisfaction() Rate { return rate(c.Satisfied, c.Ratings) }

// Rectified is 差评整改率.
func (c Counts) Rectified() Rate { return rate(c.BadFixed, c.Bad) }

// OnTimeAnswers is 按期答复率.
func (c Counts) OnTimeAnswers() Rate { return rate(c.OnTime, c.Answered) }

// UnitFigures are one unit's counts.
type UnitFigures struct {
	UnitID int64
	Name   string
	Counts
}

// Year is a year's figures as last computed.
type Year struct {
	Year int
	// Upto is the last day the figures cover (YYYY-MM-DD), ComputedAt
	// when they were computed.
	Upto       string
	ComputedAt time.Time
	Province   Counts
	// Units are the units with any figure, by name.
	Units []UnitFigures
}

// Unit returns the figures of the unit, and false when it has none.
func (y Year) Unit(id int64) (UnitFigures, bool) {
	for _, u := range y.Units {
		if u.UnitID == id {
			return u, true
		}
	}
	return UnitFigures{}, false
}

// Text shows the rate with two decimals, "—" when there is none. It is
// cut, not rounded, so that 99.996 % (some 差评) never shows as 100.00 %.
func (r Rate) Text() string {
	if !r.OK {
		return "—"
	}
	return strconv.FormatFloat(math.Floor(r.Percent*100)/100, 'f', 2, 64) + "%"
}

// Period names the period of the year's figures: "2026年（1月1日至12月4日）".
func (y Year) Period() string {
	t := strconv.Itoa(y.Year) + "年"
	if d, err := time.Parse(time.DateOnly, y.Upto); err == nil {
		t += "（1月1日至" + strconv.Itoa(int(d.Month())) + "月" + strconv.Itoa(d.Day()) + "日）"
	}
	return t
}
