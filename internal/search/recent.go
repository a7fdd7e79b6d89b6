package search

import "time"

// RecentMonths is how far back a keyword searches the ratings when no
// start date is given: the last twelve months, the year a budget of 200
// ms was set for (50 million ratings). Five years of a province's
// messages are five times the gram index to read for every keyword,
// while what staff look for is almost always recent; an earlier start
// date, typed or sent as from, searches further back.
const RecentMonths = 12

// RecentFrom is the start of the default keyword span on the day of now
// in loc: local midnight RecentMonths months before today.
func RecentFrom(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return time.Date(y, m-RecentMonths, d, 0, 0, 0, 0, loc)
}
