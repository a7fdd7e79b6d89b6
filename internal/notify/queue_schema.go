package notify

import (
	"fmt"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// riverSplit is the last river version of migrations/0032_river_queue.sql;
// the rest ends migrations/0033_notifications.sql. River's version 4 adds
// a value to an enum that version 6 uses, and Postgres refuses a new enum
// value before the transaction that added it commits: each of our files is
// one transaction, so the two halves need two files.
const riverSplit = 4

// QueueSchemaSQL returns river's own migrations (main line, default schema)
// as the two texts that end migrations 0032 and 0033, each followed by the
// rows of river_migration that rivermigrate would have written, so that
// rivermigrate finds the schema complete and a later river upgrade can add
// its new versions on top.
func QueueSchemaSQL() (first, second string, err error) {
	m, err := rivermigrate.New(riverpgxv5.New(nil), nil)
	if err != nil {
		return "", "", err
	}
	var parts [2]strings.Builder
	var versions [2][]string
	for _, v := range m.AllVersions() {
		i := 0
		if v.Version > riverSplit {
			i = 1
		}
		fmt.Fprintf(&parts[i], "\n-- river %03d %s\n", v.Version, v.Name)
		parts[i].WriteString(strings.TrimSpace(strings.ReplaceAll(v.SQLUp, "/* TEMPLATE: schema */", "")))
		parts[i].WriteString("\n")
		versions[i] = append(versions[i], fmt.Sprint(v.Version))
	}
	// Before river's version 5, river_migration has no line column.
	parts[0].WriteString("\nINSERT INTO river_migration (version) VALUES (" + strings.Join(versions[0], "), (") + ");\n")
	parts[1].WriteString("\nINSERT INTO river_migration (line, version) VALUES ('main', " + strings.Join(versions[1], "), ('main', ") + ");\n")
	head := "-- The job queue (github.com/riverqueue/river) that delivers notifications\n" +
		"-- (issue 14), versions 1 to 4. Written by TestRiverMigrationMatchesTheLibrary\n" +
		"-- from river's migrations; do not edit by hand.\n"
	tail := "\n-- River's versions 5 and after (see 0032_river_queue.sql), written by\n" +
		"-- TestRiverMigrationMatchesTheLibrary; do not edit below this line by hand.\n"
	return head + parts[0].String(), tail + parts[1].String(), nil
}
