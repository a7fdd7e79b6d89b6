package charts

import (
	"slices"
	"testing"
)

func TestEndsKeepsTheFirstAndLast(t *testing.T) {
	short := []int{1, 2, 3}
	if got := Ends(short); !slices.Equal(got, short) || EndsNote(len(short)) != "" {
		t.Errorf("short: %v %q", got, EndsNote(3))
	}
	long := make([]int, 100)
	for i := range long {
		long[i] = i + 1
	}
	got := Ends(long)
	if len(got) != 2*RankEnds || got[0] != 1 || got[RankEnds-1] != RankEnds || got[RankEnds] != 100-RankEnds+1 || got[len(got)-1] != 100 {
		t.Errorf("long: %v", got)
	}
	if long[RankEnds] != RankEnds+1 {
		t.Error("Ends changed its argument")
	}
	if EndsNote(100) != "共100个单位，图中为前15名和后15名，全部名次见下表。" {
		t.Errorf("note %q", EndsNote(100))
	}
}
