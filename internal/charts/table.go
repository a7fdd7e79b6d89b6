package charts

import "strings"

// Text is the table's rows on one line, cells joined by "," and rows by
// ";" — the figures of a chart at a glance, for tests and logs.
func (t Table) Text() string {
	rows := make([]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = strings.Join(r, ",")
	}
	return strings.Join(rows, ";")
}
