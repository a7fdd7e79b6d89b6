package ratings

import (
	"context"

	"minyi/internal/db"
)

// feedTotal counts f's matches up to CountCap+1 within the time the
// planner's estimate allows, or estimates them (db.CountCapped).
func feedTotal(ctx context.Context, q db.DBTX, f Filter) (db.Total, error) {
	f.Older, f.Newer, f.Offset = nil, nil, 0
	where, args := f.where()
	return db.CountCapped(ctx, q, `SELECT FROM ratings r`+where, args...)
}
