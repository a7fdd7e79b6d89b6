package windowreq

import "strings"

// prefixed is columns with each column qualified by p (e.g. "w.").
func prefixed(p string) string {
	parts := strings.Split(columns, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
