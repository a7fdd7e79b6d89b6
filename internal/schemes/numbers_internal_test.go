package schemes

import (
	"math"
	"math/big"
	"strconv"
	"testing"
)

// rat is each number's shortest decimal form, exactly, whether it takes
// the whole-number path or the parse.
func TestRatIsTheShortestDecimal(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, 100, -7, 60, 0.6, 87.35, 12.5, 1e15, 1 << 53, 1<<53 + 2, 123456789.125} {
		want, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
		if got := rat(f); got.Cmp(want) != 0 {
			t.Errorf("rat(%v) = %s, want %s", f, got.RatString(), want.RatString())
		}
	}
	if got := rat(0.6); got.Cmp(big.NewRat(3, 5)) != 0 {
		t.Errorf("rat(0.6) = %s, want 3/5", got.RatString())
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := rat(f); got.Sign() != 0 {
			t.Errorf("rat(%v) = %s, want 0", f, got.RatString())
		}
	}
	// Each call is a value of its own: changing one changes no other.
	a, b := rat(100), rat(100)
	a.Add(a, big.NewRat(1, 1))
	if b.Cmp(big.NewRat(100, 1)) != 0 {
		t.Errorf("a changed rat(100) is shared: %s", b.RatString())
	}
}
