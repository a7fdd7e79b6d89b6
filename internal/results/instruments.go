package results

import (
	"strconv"

	"minyi/internal/instruments"
	"minyi/internal/schemes"
)

// Feed is an evaluation instrument's result fed to one of a unit's scheme
// leaves: the mean of its answers on 0–100 with their count, and Short
// when below the instrument's minimum number of answers. A short result
// still feeds the leaf (it is the mean of the answers there are); the
// flag is shown on the leaf's formula and the office decides whether to
// wait for more answers before publishing.
type Feed struct {
	LeafKey      string  `json:"leaf_key"`
	InstrumentID int64   `json:"instrument_id"`
	Instrument   string  `json:"instrument"`
	Mean         float64 `json:"mean"`
	Answers      int     `json:"answers"`
	Short        bool    `json:"short,omitempty"`
}

// fedLeaf is an auto leaf fed by the instrument with the key.
type fedLeaf struct{ leaf, instrument string }

func instrumentLeaves(root schemes.Node) []fedLeaf {
	var out []fedLeaf
	for _, l := range schemes.Leaves(root) {
		if key, ok := schemes.InstrumentKey(l.Source); ok && l.Kind == schemes.KindAuto {
			out = append(out, fedLeaf{l.Key, key})
		}
	}
	return out
}

// feedInstruments puts the unit's instrument results into its entries and
// returns what was fed; a leaf whose instrument has no answer for the unit
// stays missing.
func feedInstruments(vals map[string]map[int64]instruments.Value, unitID int64, fed []fedLeaf, entries map[string]schemes.Input) []Feed {
	var out []Feed
	for _, f := range fed {
		v, ok := vals[f.instrument][unitID]
		if !ok {
			continue
		}
		entries[f.leaf] = schemes.Points(v.Mean)
		out = append(out, Feed{LeafKey: f.leaf, InstrumentID: v.InstrumentID, Instrument: v.Name, Mean: v.Mean,
			Answers: v.Answers, Short: v.Short})
	}
	return out
}

// explainFeeds names the instrument, its count and flag in the formula of
// each fed leaf.
func explainFeeds(res *schemes.Result, feeds []Feed) {
	for _, f := range feeds {
		for i := range res.Nodes {
			if res.Nodes[i].Key != f.LeafKey {
				continue
			}
			note := "（“" + f.Instrument + "”" + strconv.Itoa(f.Answers) + "份评价的平均分"
			if f.Short {
				note += "，低于最少评价份数，仍按平均分计入"
			}
			res.Nodes[i].Formula += note + "）"
		}
	}
}

// Feed returns the feed of the leaf, nil when none.
func (l *Line) Feed(leafKey string) *Feed {
	if l == nil {
		return nil
	}
	for i := range l.Feeds {
		if l.Feeds[i].LeafKey == leafKey {
			return &l.Feeds[i]
		}
	}
	return nil
}
