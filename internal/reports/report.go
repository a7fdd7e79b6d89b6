package reports

import (
	"context"
	"slices"
	"time"

	"minyi/internal/db"
	"minyi/internal/office"
	"minyi/internal/ratings"
	"minyi/internal/units"
)

// Report is everything the report page of a period shows.
type Report struct {
	Period Period
	// Span is the days read: the whole period, or up to today while it
	// runs. PrevSpan and YearAgoSpan are as many days from the start of the
	// previous period and of the same period a year before, so that a
	// running month compares with the same days of the others.
	Span, PrevSpan, YearAgoSpan Span
	// Figures of every unit; Prev and YearAgo for 环比 and 同比.
	Total, Prev, YearAgo Figures
	// Units are the units of the period (not abolished before its first
	// day), by category and name, with their figures.
	Units []UnitRow
	// Days holds the counts per day of the span (YYYY-MM-DD), Months those
	// of the twelve months up to the period's last (YYYY-MM-01) and
	// MonthList the twelve months in order.
	Days      map[string]ratings.LevelCounts
	Months    map[string]ratings.LevelCounts
	MonthList []time.Time
	// Problems are the most frequent problems of the cases of the span.
	Problems Problems
	// Office is the office's name for the running header.
	Office string
	// LevelPoints are the points of levels 5..1 the means are in.
	LevelPoints []float64
}

// UnitRow is a unit's line of the report.
type UnitRow struct {
	Unit    units.Unit
	Figures Figures
}

// Input is what Build needs besides the database.
type Input struct {
	Period      Period
	Now         time.Time
	Loc         *time.Location
	LevelPoints []float64
}

// Build reads the report of in.Period as of in.Now. Its reads run side by
// side on a pool. A period that has not started is ErrBadPeriod.
func Build(ctx context.Context, q db.DBTX, in Input) (Report, error) {
	today := Day(in.Now, in.Loc)
	p := in.Period
	r := Report{Period: p, Span: p.SpanOn(today), LevelPoints: in.LevelPoints}
	if !r.Span.Started {
		return r, ErrBadPeriod
	}
	days := int(r.Span.To.Sub(r.Span.From).Hours()/24) + 1
	r.PrevSpan, r.YearAgoSpan = sameDays(p.Prev(), days), sameDays(p.YearAgo(), days)
	lastMonth := Of(Month, r.Span.To)
	first := lastMonth.First().AddDate(0, -11, 0)
	for m := range 12 {
		r.MonthList = append(r.MonthList, first.AddDate(0, m, 0))
	}
	var list []units.Unit
	var byUnit map[int64]ratings.LevelCounts
	var prev, yearAgo map[string]ratings.LevelCounts
	var cases, prevCases, yearAgoCases map[int64]CaseFigures
	var prof office.Profile
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	err := db.Parallel(q,
		func(q db.DBTX) (err error) { list, err = units.ListUnits(ctx, q, nil); return err },
		func(q db.DBTX) (err error) {
			byUnit, err = ratings.DailyLevelCounts(ctx, q, d(r.Span.From), d(r.Span.To), in.Loc, nil)
			return err
		},
		func(q db.DBTX) (err error) {
			prev, err = ratings.MonthLevelCounts(ctx, q, d(r.PrevSpan.From), d(r.PrevSpan.To), in.Loc)
			return err
		},
		func(q db.DBTX) (err error) {
			yearAgo, err = ratings.MonthLevelCounts(ctx, q, d(r.YearAgoSpan.From), d(r.YearAgoSpan.To), in.Loc)
			return err
		},
		func(q db.DBTX) (err error) {
			r.Days, err = ratings.DayLevelCounts(ctx, q, d(r.Span.From), d(r.Span.To), in.Loc)
			return err
		},
		func(q db.DBTX) (err error) {
			r.Months, err = ratings.MonthLevelCounts(ctx, q, d(first), d(r.Span.To), in.Loc)
			return err
		},
		func(q db.DBTX) (err error) { cases, err = CaseCounts(ctx, q, r.Span, today, in.Loc); return err },
		func(q db.DBTX) (err error) {
			prevCases, err = CaseCounts(ctx, q, r.PrevSpan, today, in.Loc)
			return err
		},
		func(q db.DBTX) (err error) {
			yearAgoCases, err = CaseCounts(ctx, q, r.YearAgoSpan, today, in.Loc)
			return err
		},
		func(q db.DBTX) (err error) { r.Problems, err = ProblemsOf(ctx, q, r.Span, in.Loc); return err },
		func(q db.DBTX) (err error) { prof, err = office.Find(ctx, q); return err },
	)
	if err != nil {
		return r, err
	}
	r.Office = prof.Signer()
	r.Total = FiguresOf(SumCounts(byUnit), in.LevelPoints, sumCases(cases))
	r.Prev = FiguresOf(SumCounts(prev), in.LevelPoints, sumCases(prevCases))
	r.YearAgo = FiguresOf(SumCounts(yearAgo), in.LevelPoints, sumCases(yearAgoCases))
	firstDay := d(p.First())
	for _, u := range list {
		c, hasCases := cases[u.ID]
		_, rated := byUnit[u.ID]
		gone := u.AbolishedOn != nil && *u.AbolishedOn <= firstDay
		if (gone || Day(u.CreatedAt, in.Loc).After(r.Span.To)) && !rated && !hasCases {
			continue
		}
		r.Units = append(r.Units, UnitRow{Unit: u, Figures: FiguresOf(byUnit[u.ID], in.LevelPoints, c)})
	}
	slices.SortStableFunc(r.Units, func(a, b UnitRow) int {
		switch {
		case a.Unit.Category < b.Unit.Category:
			return -1
		case a.Unit.Category > b.Unit.Category:
			return 1
		case a.Unit.Name < b.Unit.Name:
			return -1
		case a.Unit.Name > b.Unit.Name:
			return 1
		}
		return 0
	})
	return r, nil
}

// sameDays is the span of the first n days of p (all of it when shorter).
func sameDays(p Period, n int) Span {
	s := Span{From: p.First(), To: p.First().AddDate(0, 0, n-1), Started: true}
	if s.To.After(p.Last()) {
		s.To = p.Last()
	}
	return s
}

func sumCases(m map[int64]CaseFigures) CaseFigures {
	var out CaseFigures
	for _, c := range m {
		out = out.Add(c)
	}
	return out
}

// Categories groups the report's units by category, in order.
func (r Report) Categories() []Category {
	var out []Category
	for _, u := range r.Units {
		if len(out) == 0 || out[len(out)-1].Name != u.Unit.Category {
			out = append(out, Category{Name: u.Unit.Category})
		}
		c := &out[len(out)-1]
		c.Units = append(c.Units, u)
	}
	return out
}

// Category is a category's units in the report.
type Category struct {
	Name  string
	Units []UnitRow
}

// Ranking ranks the category's units (RankCategory).
func (c Category) Ranking() []Ranked {
	list := make([]Ranked, len(c.Units))
	for i, u := range c.Units {
		list[i] = Ranked{UnitID: u.Unit.ID, Name: u.Unit.Name, Figures: u.Figures}
	}
	return RankCategory(list)
}
