package results

import (
	"testing"

	"minyi/internal/assessment"
	"minyi/internal/instruments"
	"minyi/internal/schemes"
)

// BenchmarkBuild is the pure part of ComputeAll for 1,000 units of the
// Zhongshan preset, its leaders', deputies', peer and grassroots leaves
// fed by the four instruments, with every unit's formulas and without
// (Data.Terse, as the results page computes them).
func BenchmarkBuild(b *testing.B) {
	p, err := schemes.FindPreset("zhongshan")
	if err != nil {
		b.Fatal(err)
	}
	d := Data{Scheme: p.Tree, Settings: assessment.DefaultSettings(), Public: map[int64]*float64{}, Inputs: map[int64]assessment.UnitInputs{},
		Instruments: map[string]map[int64]instruments.Value{}}
	keys := []string{schemes.InstrumentLeaders, schemes.InstrumentDeputies, schemes.InstrumentPeer, schemes.InstrumentGrassroots}
	for k, key := range keys {
		d.Instruments[key] = map[int64]instruments.Value{}
		for i := range 1000 {
			d.Instruments[key][int64(i+1)] = instruments.Value{InstrumentID: int64(k + 1), Name: key, Mean: float64(70 + i%30),
				Answers: 999, Short: i%50 == 0}
		}
	}
	var list []Unit
	for i := range 1000 {
		id := int64(i + 1)
		list = append(list, Unit{ID: id, Name: "u", Category: "A"})
		in := assessment.UnitInputs{Entries: map[string]schemes.Input{}}
		for _, l := range schemes.Leaves(p.Tree) {
			if l.Kind == schemes.KindManual {
				in.Entries[l.Key] = schemes.Points(l.Max * float64(60+i%40) / 100)
			}
		}
		d.Inputs[id] = in
		d.Public[id] = f(float64(80 + i%20))
	}
	d.Categories = [][]Unit{list}
	for _, terse := range []bool{false, true} {
		d.Terse = terse
		b.Run(map[bool]string{false: "explained", true: "terse"}[terse], func(b *testing.B) {
			for b.Loop() {
				if _, inc, err := Build(d); err != nil || len(inc) > 0 {
					b.Fatal(err, inc)
				}
			}
		})
	}
}
