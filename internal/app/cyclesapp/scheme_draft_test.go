package cyclesapp

import (
	"reflect"
	"testing"

	"minyi/internal/schemes"
)

func names(rows []draftRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return out
}

// TestDraftOps moves, adds and deletes whole subtrees, and refuses what
// would break the tree (moving the root, adding beside it, adding below a
// leaf, moving past the end of the siblings).
func TestDraftOps(t *testing.T) {
	rows := []draftRow{
		{Key: "r", Depth: 0, Name: "总", Kind: schemes.KindSum},
		{Key: "a", Depth: 1, Name: "甲", Kind: schemes.KindWeighted},
		{Key: "a1", Depth: 2, Name: "甲1", Kind: schemes.KindManual},
		{Key: "a2", Depth: 2, Name: "甲2", Kind: schemes.KindManual},
		{Key: "b", Depth: 1, Name: "乙", Kind: schemes.KindManual},
	}
	got, focus := applyDraftOp(rows, "down:1")
	if want := []string{"总", "乙", "甲", "甲1", "甲2"}; !reflect.DeepEqual(names(got), want) || focus != 2 {
		t.Fatalf("down: %v focus %d", names(got), focus)
	}
	got, focus = applyDraftOp(rows, "up:4")
	if want := []string{"总", "乙", "甲", "甲1", "甲2"}; !reflect.DeepEqual(names(got), want) || focus != 1 {
		t.Fatalf("up: %v focus %d", names(got), focus)
	}
	got, focus = applyDraftOp(rows, "up:3")
	if want := []string{"总", "甲", "甲2", "甲1", "乙"}; !reflect.DeepEqual(names(got), want) || focus != 2 {
		t.Fatalf("up inside a group: %v", names(got))
	}
	got, focus = applyDraftOp(rows, "child:1")
	if len(got) != 6 || got[4].Depth != 2 || got[4].Kind != schemes.KindManual || got[4].Key == "" || focus != 4 {
		t.Fatalf("child: %+v focus %d", got, focus)
	}
	got, _ = applyDraftOp(rows, "after:1")
	if len(got) != 6 || got[4].Depth != 1 || got[5].Name != "乙" {
		t.Fatalf("after: %+v", got)
	}
	got, _ = applyDraftOp(rows, "delete:1")
	if want := []string{"总", "乙"}; !reflect.DeepEqual(names(got), want) {
		t.Fatalf("delete: %v", names(got))
	}
	for _, op := range []string{"delete:0", "up:0", "after:0", "child:2", "down:4", "up:2", "down:3", "up:9", "x:1", "up:-1"} {
		if got, focus := applyDraftOp(rows, op); !reflect.DeepEqual(got, rows) || focus != -1 {
			t.Errorf("%s changed the rows: %v", op, names(got))
		}
	}
	if !reflect.DeepEqual(names(rows), []string{"总", "甲", "甲1", "甲2", "乙"}) {
		t.Fatalf("ops changed their input: %v", names(rows))
	}
}

// TestDraftTree builds the tree from the rows: percentages as weights,
// weights dropped outside a weighted item, assessors mapped to units by
// name or kept while unchanged, auto leaves fed by the public evaluation,
// a too-deep row attached one level below the row above it, and typing
// errors on their row.
func TestDraftTree(t *testing.T) {
	rows := []draftRow{
		{Key: "r", Depth: 0, Name: "总", Kind: schemes.KindWeighted},
		{Key: "a", Depth: 5, Name: "甲", Kind: schemes.KindManual, Max: "100", Weight: "62.5%", Assessor: "市财政局"},
		{Key: "b", Depth: 1, Name: "乙", Kind: schemes.KindSum, Weight: "37.5"},
		{Key: "b1", Depth: 2, Name: "乙1", Kind: schemes.KindAuto, Max: "40", Weight: "99"},
		{Key: "b2", Depth: 2, Name: "乙2", Kind: schemes.KindManual, Max: "60", Assessor: "旧名", AssessorWas: "旧名", AssessorUnit: 7},
	}
	tree, ok := draftTree(rows, map[string]int64{"市财政局": 3})
	if !ok {
		t.Fatal("typing errors on good rows")
	}
	norm := tree.Normalized()
	if ps := schemes.Problems(norm); len(ps) != 0 {
		t.Fatalf("problems: %+v", ps)
	}
	a, b := norm.Children[0], norm.Children[1]
	if a.Weight != 0.625 || b.Weight != 0.375 || a.Assessor.UnitID == nil || *a.Assessor.UnitID != 3 || rows[1].Depth != 1 {
		t.Fatalf("a %+v b %+v", a, b)
	}
	if b.Max != 100 || b.Children[0].Weight != 0 || b.Children[0].Source != schemes.SourcePublicEvaluation ||
		b.Children[1].Assessor.UnitID == nil || *b.Children[1].Assessor.UnitID != 7 {
		t.Fatalf("b %+v", b)
	}
	// Renamed, the old mapping goes.
	rows[4].Assessor = "新名"
	tree, _ = draftTree(rows, nil)
	if tree.Children[1].Children[1].Assessor.UnitID != nil {
		t.Fatal("a renamed assessor kept its unit")
	}
	// The editor's rows of a tree give the same tree back.
	back, ok := draftTree(rowsOf(norm), map[string]int64{"市财政局": 3})
	if !ok || !reflect.DeepEqual(back.Normalized(), norm) {
		t.Fatalf("round trip:\n%+v\n%+v", back.Normalized(), norm)
	}
	rows[1].Max, rows[2].Weight = "一百", "三成"
	if _, ok := draftTree(rows, nil); ok || rows[1].Error == "" || rows[2].Error == "" {
		t.Fatalf("typing errors not reported: %+v", rows)
	}
	for _, p := range schemes.Presets() {
		back, ok := draftTree(rowsOf(p.Tree), nil)
		if !ok || !reflect.DeepEqual(back.Normalized(), p.Tree.Normalized()) {
			t.Errorf("preset %s does not survive the editor", p.Key)
		}
	}
}
