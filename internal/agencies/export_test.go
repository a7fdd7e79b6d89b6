package agencies

import "time"

// CheckRow runs the row checks of StoreUpload on one row, without a
// database, for the fuzz target.
func CheckRow(cat *Catalog, in RowInput, now time.Time, loc *time.Location) (Response, []RowError) {
	return newChecker(cat, now, loc).check(in)
}
