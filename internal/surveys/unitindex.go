package surveys

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"minyi/internal/db"
)

// unitIndex finds units by short code (in any case) or by name, as staff
// write them in a respondent list.
type unitIndex struct {
	ids   map[int64]bool
	byKey map[string]int64
}

func loadUnitIndex(ctx context.Context, q db.DBTX) (unitIndex, error) {
	x := unitIndex{ids: map[int64]bool{}, byKey: map[string]int64{}}
	rows, _ := q.Query(ctx, `SELECT id, name, coalesce(short_code, '') FROM units`)
	var id int64
	var name, code string
	_, err := pgx.ForEachRow(rows, []any{&id, &name, &code}, func() error {
		x.ids[id] = true
		x.byKey[name] = id
		if code != "" {
			x.byKey[strings.ToUpper(code)] = id
		}
		return nil
	})
	return x, db.Err(err)
}

// resolve returns the unit named by a short code or a name.
func (x unitIndex) resolve(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if id, ok := x.byKey[s]; ok {
		return id, true
	}
	id, ok := x.byKey[strings.ToUpper(s)]
	return id, ok
}

// splitUnits splits a list of units written in one cell, separated by
// 、 , ; ， ； or line breaks.
func splitUnits(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case '、', ',', ';', '，', '；', '\n', '\r':
			return true
		}
		return false
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
