package sheet

import (
	"context"
	"strings"
	"testing"
	"time"
)

// readHeard reads data with an observer and returns what it heard; every
// Read is heard exactly once.
func readHeard(t *testing.T, data []byte, maxRows int) string {
	t.Helper()
	var heard []string
	ctx := WithObserver(context.Background(), func(outcome string) { heard = append(heard, outcome) })
	_, err := Read(ctx, data, maxRows)
	if len(heard) != 1 {
		t.Fatalf("observer heard %v, want one outcome (error %v)", heard, err)
	}
	if got := Outcome(err); got != heard[0] {
		t.Errorf("observer heard %s, Outcome(%v) = %s", heard[0], err, got)
	}
	return heard[0]
}

// The observer hears each Read's outcome, the refusals told apart by
// their reason.
func TestObserverHearsOutcome(t *testing.T) {
	long := strings.Repeat("长", maxCellChars+1)
	cases := []struct {
		name string
		data []byte
		rows int
		want string
	}{
		{"csv", []byte("单位\n市税务局\n"), 10, Parsed},
		{"xlsx", workbook(t, [][]any{{"单位"}, {"市税务局"}}, nil), 10, Parsed},
		{"empty", []byte(" \n"), 10, BadFormat},
		{"old excel", append(append([]byte{}, oleMagic...), 0, 0, 0), 10, BadFormat},
		{"unquoted quote", []byte("单位\n\"甲\n"), 10, BadFormat},
		{"too many rows", []byte("单位\n甲\n乙\n丙\n"), 2, TooLarge},
		{"long csv cell", []byte("单位,意见\n甲," + long + "\n"), 10, TooLarge},
		{"long xlsx cell", hugeCellXLSX(t, 100<<10), 10, TooLarge},
		{"worksheet bomb", hugeCellXLSX(t, int(maxSheetXML)+1), 10, Bomb},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if got := readHeard(t, tt.data, tt.rows); got != tt.want {
				t.Errorf("outcome %s, want %s", got, tt.want)
			}
		})
	}
}

func TestObserverHearsBusyAndTimeout(t *testing.T) {
	data := []byte("单位\n市税务局\n")
	t.Run("busy", func(t *testing.T) {
		defer func(d time.Duration) { slotWait = d }(slotWait)
		slotWait = 10 * time.Millisecond
		for range cap(slots) {
			slots <- struct{}{}
		}
		got := readHeard(t, data, 10)
		for range cap(slots) {
			<-slots
		}
		if got != Busy {
			t.Errorf("every slot taken: outcome %s, want %s", got, Busy)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		defer func(d time.Duration) { parseTime = d }(parseTime)
		parseTime = time.Nanosecond
		if got := readHeard(t, data, 10); got != Timeout {
			t.Errorf("no time to parse: outcome %s, want %s", got, Timeout)
		}
		waitIdle(t)
	})
}
