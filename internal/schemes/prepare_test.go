package schemes_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"minyi/internal/apperr"
	"minyi/internal/schemes"
)

// sameResult fails unless Prepared.Compute gave what Compute gave: the
// same result to the last node's formula, or the same error.
func sameResult(t *testing.T, label string, want schemes.Result, wantErr error, got schemes.Result, gotErr error) {
	t.Helper()
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("%s: Compute error %v, Prepared.Compute error %v", label, wantErr, gotErr)
	}
	if wantErr != nil {
		w, g := apperr.From(wantErr), apperr.From(gotErr)
		wb, _ := json.Marshal(w.Fields)
		gb, _ := json.Marshal(g.Fields)
		if w.Code != g.Code || string(wb) != string(gb) {
			t.Fatalf("%s: errors differ:\n%s %s\n%s %s", label, w.Code, wb, g.Code, gb)
		}
		return
	}
	wb, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	gb, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(wb) != string(gb) {
		t.Fatalf("%s: results differ:\nCompute:  %s\nPrepared: %s", label, wb, gb)
	}
}

// randomInputs draws a unit's inputs for tree: each leaf in cents within
// 0..max (0..100 for an auto leaf), some children of pro-rated nodes not
// taken part in, and (when messy) some leaves missing and some values out
// of range.
func randomInputs(r *rand.Rand, root schemes.Node, messy bool) map[string]schemes.Input {
	out := map[string]schemes.Input{}
	var walk func(n schemes.Node, parent *schemes.Node)
	walk = func(n schemes.Node, parent *schemes.Node) {
		if parent != nil && parent.Kind == schemes.KindProrated && r.IntN(4) == 0 {
			out[n.Key] = schemes.NotApplicable
			return
		}
		if !n.IsLeaf() {
			for _, ch := range n.Children {
				walk(ch, &n)
			}
			return
		}
		if messy && r.IntN(10) == 0 {
			return
		}
		top := n.Max
		if n.Kind == schemes.KindAuto {
			top = 100
		}
		v := float64(r.IntN(int(top*100)+1)) / 100
		if messy && r.IntN(25) == 0 {
			v = top + 1
		}
		out[n.Key] = schemes.Points(v)
	}
	walk(root, nil)
	return out
}

// TestPreparedMatchesCompute computes random inputs of every preset with
// one Prepared, reused for every unit and from several goroutines, and
// compares each result with Compute's; Values's too, whose formulas are
// empty (or a state such as "not taken part") and all else the same.
func TestPreparedMatchesCompute(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2026))
	for _, p := range schemes.Presets() {
		prep, err := schemes.Prepare(p.Tree)
		if err != nil {
			t.Fatal(err)
		}
		cases := make([]map[string]schemes.Input, 400)
		for i := range cases {
			cases[i] = randomInputs(r, p.Tree, i%2 == 1)
		}
		cases = append(cases, map[string]schemes.Input{}, map[string]schemes.Input{"no_such_leaf": schemes.Points(1)})
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < len(cases); i += 4 {
					want, wantErr := schemes.Compute(p.Tree, cases[i])
					got, gotErr := prep.Compute(cases[i])
					sameResult(t, fmt.Sprintf("%s #%d", p.Key, i), want, wantErr, got, gotErr)
					// Values: the same but for the formulas of computed nodes.
					terse, terseErr := prep.Values(cases[i])
					if wantErr == nil {
						if want.Complete && terse.Nodes[0].Formula != "" {
							t.Errorf("%s #%d: Values explained the composite: %q", p.Key, i, terse.Nodes[0].Formula)
						}
						for j := range want.Nodes {
							if terse.Nodes[j].Formula != "" && terse.Nodes[j].Formula != want.Nodes[j].Formula {
								t.Errorf("%s #%d: Values wrote formula %q", p.Key, i, terse.Nodes[j].Formula)
							}
							terse.Nodes[j].Formula = want.Nodes[j].Formula
						}
					}
					sameResult(t, fmt.Sprintf("%s #%d (values)", p.Key, i), want, wantErr, terse, terseErr)
				}
			})
		}
		wg.Wait()
	}
}

// TestPrepareRefusesInvalidTree: Prepare gives Validate's error.
func TestPrepareRefusesInvalidTree(t *testing.T) {
	tree := preset(t, schemes.PresetCounty)
	tree.Children[0].Weight = 0.5
	_, err := schemes.Prepare(tree)
	want := schemes.Validate(tree)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("Prepare error %v, Validate %v", err, want)
	}
	if _, err := schemes.Compute(tree, nil); err == nil || err.Error() != want.Error() {
		t.Fatalf("Compute error %v, want %v", err, want)
	}
}

// BenchmarkPreparedJiangxi is BenchmarkComputeJiangxi with the tree
// prepared once.
func BenchmarkPreparedJiangxi(b *testing.B) {
	p, _ := schemes.FindPreset(schemes.PresetJiangxi)
	prep, err := schemes.Prepare(p.Tree)
	if err != nil {
		b.Fatal(err)
	}
	inputs := in{"key_work": pts(70), "lead_assessment": pts(16), "process": pts(91), "provincial_leaders": pts(90),
		"public": pts(90.125), "leadership": na, "party_building": pts(8), "public_security": pts(9),
		"energy_saving": na, "budget_performance": pts(4)}
	for b.Loop() {
		if _, err := prep.Compute(inputs); err != nil {
			b.Fatal(err)
		}
	}
}
