package feedback

import (
	"context"
	"strconv"
	"time"

	"minyi/internal/db"
)

// CaseCursor is a case's place in the list's order (created_at DESC,
// id DESC).
type CaseCursor struct {
	CreatedAt time.Time
	ID        int64
}

// CaseBatch reads up to limit cases matching f (its paging ignored) after
// the cursor (nil: from the newest), in the list's order: an export's
// keyset-paged read of every match, never OFFSET. It returns the cursor of
// the last case read.
func CaseBatch(ctx context.Context, q db.DBTX, f CaseFilter, after *CaseCursor, limit int) ([]Case, *CaseCursor, error) {
	if f.Today.IsZero() {
		f.Today = time.Now()
	}
	w, args := f.where()
	if after != nil {
		args = append(args, after.CreatedAt, after.ID)
		w += ` AND (c.created_at, c.id) < ($` + strconv.Itoa(len(args)-1) + `, $` + strconv.Itoa(len(args)) + `)`
	}
	const order = ` ORDER BY c.created_at DESC, c.id DESC`
	args = append(args, min(max(limit, 1), 2000))
	batch := `(SELECT * FROM rectification_cases WHERE id IN (SELECT c.id FROM rectification_cases c` + w + order +
		` LIMIT $` + strconv.Itoa(len(args)) + `))`
	list, err := collect[Case](ctx, q, casesFrom(batch)+order, args...)
	if err != nil || len(list) == 0 {
		return nil, nil, err
	}
	last := list[len(list)-1]
	return list, &CaseCursor{CreatedAt: last.CreatedAt, ID: last.ID}, nil
}

// CaseSize is about how many cases f selects, only to choose how an
// export runs (db.CountOrEstimate).
func CaseSize(ctx context.Context, q db.DBTX, f CaseFilter) (int, error) {
	if f.Today.IsZero() {
		f.Today = time.Now()
	}
	w, args := f.where()
	return db.CountOrEstimate(ctx, q, `SELECT FROM rectification_cases c`+w, args...)
}

// CaseTimelineEntry is one update of a case's timeline with its case.
type CaseTimelineEntry struct {
	CaseID int64 `db:"case_id"`
	CaseUpdate
}

// CaseTimelines returns the timelines of the cases ids, case by case in
// the order of ids, each oldest first: one read for a batch of cases.
func CaseTimelines(ctx context.Context, q db.DBTX, ids []int64) ([]CaseTimelineEntry, error) {
	return collect[CaseTimelineEntry](ctx, q, `SELECT cu.case_id, cu.id, cu.kind, cu.body,
			cu.evidence_ids::text[] AS evidence_ids, u.username AS created_by, cu.created_at
		FROM unnest($1::bigint[]) WITH ORDINALITY AS k(id, n)
		JOIN case_updates cu ON cu.case_id = k.id LEFT JOIN users u ON u.id = cu.created_by
		ORDER BY k.n, cu.id`, ids)
}
