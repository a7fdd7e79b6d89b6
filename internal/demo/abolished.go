package demo

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"minyi/internal/audit"
	"minyi/internal/config"
	"minyi/internal/db"
	"minyi/internal/units"
	"minyi/internal/users"
)

// abolishedUnit is the demo's unit that left the line (issue 16 part 8):
// graded in last year's closed cycle, abolished on 1 March of the year
// after and merged into 省商务厅, so it is no unit of this year's cycle and
// its old QR code tells citizens where to rate now.
const abolishedUnit = "省口岸办"

// createAbolishedUnit registers 省口岸办 (registered on 1 January of last
// year's cycle, so its abolition is not dated before it) with its hall's
// QR code and its unit account.
func createAbolishedUnit(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, lastYear int) (units.Unit, error) {
	cat := "经济发展类"
	if !contains(cfg.UnitCategories, cat) {
		cat = cfg.UnitCategories[0]
	}
	var u units.Unit
	err := db.Tx(ctx, pool, func(tx pgx.Tx) (err error) {
		if u, err = units.CreateUnit(ctx, tx, audit.System, units.UnitInput{Name: abolishedUnit, ShortCode: "PORT", Category: cat}, cfg.UnitCategories); err != nil {
			return err
		}
		if _, err = units.CreatePoint(ctx, tx, audit.System, u.ID, units.PointInput{Name: "口岸服务大厅", Kind: units.KindHall}); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE units SET created_at = $2 WHERE id = $1`, u.ID,
			time.Date(lastYear, 1, 1, 9, 0, 0, 0, cfg.Location)); err != nil {
			return db.Err(err)
		}
		// Its account, as every demo unit has one (it signed for last
		// year's results).
		_, err = users.IssueUnitAccounts(ctx, tx, audit.System)
		return err
	})
	return u, err
}

// abolishUnit records the abolition on 1 March of the year after last
// year's cycle (the year its results were published, so always in the
// past), merged into successor.
func abolishUnit(ctx context.Context, pool *pgxpool.Pool, cfg config.Config, now time.Time, lastYear int, u, successor units.Unit) error {
	on := time.Date(lastYear+1, 3, 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	return db.Tx(ctx, pool, func(tx pgx.Tx) error {
		_, err := units.Abolish(ctx, tx, audit.System, cfg.Location, now, u.ID, units.AbolishInput{On: on,
			Note: "机构改革，并入" + successor.Name, SuccessorIDs: []int64{successor.ID}})
		return err
	})
}
