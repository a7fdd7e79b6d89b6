package ratings

import "time"

// SetCountBudget changes the budget of feed totals for a test and returns
// a function that restores it.
func SetCountBudget(small int, budget time.Duration) func() {
	s, b := estimateSmall, countBudget
	estimateSmall, countBudget = small, budget
	return func() { estimateSmall, countBudget = s, b }
}
