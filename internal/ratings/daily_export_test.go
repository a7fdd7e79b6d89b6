package ratings

// MonthRuns exposes monthRuns to the external tests.
var MonthRuns = monthRuns
