package schemes

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/audit"
	"minyi/internal/db"
	"minyi/internal/instruments"
)

// checkInstrumentSources returns an invalid error naming the first auto
// leaf whose source names an instrument the cycle does not have: one of
// another cycle, or none at all. Storing a preset first creates, in draft,
// the instruments it names that the cycle lacks (presetInstruments), so a
// preset works out of the box; the office then configures and opens them.
func checkInstrumentSources(ctx context.Context, tx pgx.Tx, actor audit.Actor, cycleID int64, preset string, tree Node) error {
	var keys []string
	var leaves []Node
	for _, l := range Leaves(tree) {
		if key, ok := InstrumentKey(l.Source); ok && l.Kind == KindAuto {
			keys = append(keys, key)
			leaves = append(leaves, l)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	have, err := cycleInstrumentKeys(ctx, tx, cycleID, keys)
	if err != nil {
		return err
	}
	if preset != "" {
		for _, l := range leaves {
			key, _ := InstrumentKey(l.Source)
			spec, ok := presetInstruments[key]
			if have[key] || !ok {
				continue
			}
			if _, err := instruments.Create(ctx, tx, actor, cycleID, instruments.Input{Key: key, Name: l.Name,
				Purpose: spec.purpose, MinAnswers: spec.minAnswers}); err != nil {
				return err
			}
			have[key] = true
		}
	}
	for _, l := range leaves {
		key, _ := InstrumentKey(l.Source)
		if have[key] {
			continue
		}
		// Named by the instrument's name: staff never see keys.
		var name, elsewhere string
		err := tx.QueryRow(ctx, `SELECT i.name, c.name FROM evaluation_instruments i JOIN assessment_cycles c ON c.id = i.cycle_id
			WHERE i.key = $1 ORDER BY c.year DESC, c.id DESC LIMIT 1`, key).Scan(&name, &elsewhere)
		switch {
		case err == nil:
			return apperr.InvalidField("tree."+l.Key, l.Name+": 评价项目“"+name+"”属于“"+elsewhere+
				"”，不是本考核年度的评价项目，自动取数只能使用本年度的评价项目")
		case errors.Is(err, pgx.ErrNoRows):
			return apperr.InvalidField("tree."+l.Key, l.Name+": 本考核年度没有代码为“"+key+"”的评价项目，请先在“评价项目”中创建")
		default:
			return db.Err(err)
		}
	}
	return nil
}

// cycleInstrumentKeys reports which of the keys name instruments of the
// cycle.
func cycleInstrumentKeys(ctx context.Context, q db.DBTX, cycleID int64, keys []string) (map[string]bool, error) {
	rows, _ := q.Query(ctx, `SELECT key FROM evaluation_instruments WHERE cycle_id = $1 AND key = ANY($2)`, cycleID, keys)
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, db.Err(err)
	}
	have := map[string]bool{}
	for _, k := range found {
		have[k] = true
	}
	return have, nil
}

// instrumentSpec is how a preset's instrument is created.
type instrumentSpec struct {
	purpose    string
	minAnswers int
}

// presetInstruments are the instruments the presets name, by their stable
// keys.
var presetInstruments = map[string]instrumentSpec{
	InstrumentLeaders:    {instruments.PurposeLeaders, 1},
	InstrumentDeputies:   {instruments.PurposeDeputies, 1},
	InstrumentPeer:       {instruments.PurposePeer, 1},
	InstrumentGrassroots: {instruments.PurposeGrassroots, 1},
}

// The stable keys of the presets' instruments.
const (
	InstrumentLeaders    = "leaders"
	InstrumentDeputies   = "deputies"
	InstrumentPeer       = "peer"
	InstrumentGrassroots = "grassroots"
)
