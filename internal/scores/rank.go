package scores

import (
	"slices"
	"sort"

	"minyi/internal/ratings"
	"minyi/internal/score"
)

// rank groups the lines by category, in the order given and then by name,
// and ranks each category by score, highest first, ties (equal rounded
// scores) sharing a place: 1, 2, 2, 4. Units without a score follow,
// unranked, with the reason.
func rank(lines []UnitScore, order []string) []Category {
	byName := map[string]*Category{}
	var names []string
	for _, l := range lines {
		c := byName[l.Unit.Category]
		if c == nil {
			c = &Category{Name: l.Unit.Category}
			byName[l.Unit.Category] = c
			names = append(names, l.Unit.Category)
		}
		c.Units = append(c.Units, l)
	}
	position := func(name string) int {
		if i := slices.Index(order, name); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(names, func(i, j int) bool {
		pi, pj := position(names[i]), position(names[j])
		if pi != pj {
			return pi < pj
		}
		return names[i] < names[j]
	})
	out := make([]Category, 0, len(names))
	for _, name := range names {
		c := byName[name]
		rankCategory(c)
		out = append(out, *c)
	}
	return out
}

// rankCategory sorts and ranks one category's units in place.
func rankCategory(c *Category) {
	sort.SliceStable(c.Units, func(i, j int) bool {
		a, b := c.Units[i], c.Units[j]
		switch {
		case (a.Score == nil) != (b.Score == nil):
			return a.Score != nil
		case a.Score != nil && *a.Score != *b.Score:
			return *a.Score > *b.Score
		case a.Unit.Name != b.Unit.Name:
			return a.Unit.Name < b.Unit.Name
		}
		return a.Unit.ID < b.Unit.ID
	})
	for i := range c.Units {
		u := &c.Units[i]
		if u.Score == nil {
			u.UnrankedReason = score.FlagNoScore.Label()
			continue
		}
		place := i + 1
		if i > 0 && *c.Units[i-1].Score == *u.Score {
			place = *c.Units[i-1].Rank
		}
		u.Rank = &place
		c.Ranked++
	}
}

// ForUnit returns what a user of the unit may see of the report: only the
// unit's own category, with the other units reduced to what a ranking shows
// (name, place and score) and their explanation hidden.
func (r Report) ForUnit(unitID int64) Report {
	out := r
	out.Categories = []Category{}
	for _, c := range r.Categories {
		i := slices.IndexFunc(c.Units, func(u UnitScore) bool { return u.Unit.ID == unitID })
		if i < 0 {
			continue
		}
		c.Units = slices.Clone(c.Units)
		for j := range c.Units {
			if j != i {
				c.Units[j].Result, c.Units[j].Flags, c.Units[j].DetailHidden = nil, nil, true
				c.Units[j].daily, c.Units[j].groups = ratings.LevelCounts{}, nil
			}
		}
		out.Categories = append(out.Categories, c)
	}
	return out
}
