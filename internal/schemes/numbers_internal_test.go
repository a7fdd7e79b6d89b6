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
	for _, f := range []float64{0, math.Copysign(0, -1), 1, 100, -7, 60, 0.6, 87.35, 12.5, 1e15, 1 << 53, 1<<53 + 2, 123456789.125,
		-0.6, 0.1, 1e-7, 2.5e-5, 1e21, 1.5e300, 5e-324, 0.30000000000000004, 1234567.8912345678, 99.995} {
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

// fmt2 and round2 agree with big.Rat's FloatString (and parsing it) on the
// int64 fast path and beyond it: halves, negatives, values rounding to
// zero, and numerators or denominators too large for int64.
func TestFmt2MatchesFloatString(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	cases := []*big.Rat{
		big.NewRat(0, 1), big.NewRat(1, 200), big.NewRat(-1, 200), big.NewRat(1, 201), big.NewRat(-1, 1000),
		big.NewRat(12345, 1000), big.NewRat(-12345, 1000), big.NewRat(2, 3), big.NewRat(-2, 3), big.NewRat(-5, 1),
		big.NewRat(1<<54, 3), big.NewRat(1<<55, 7), big.NewRat(7, 1<<55), big.NewRat(math.MaxInt64, 1),
		big.NewRat(math.MinInt64+1, 3), new(big.Rat).SetFrac(huge, big.NewInt(7)), new(big.Rat).SetFrac(big.NewInt(7), huge),
	}
	for n := int64(-2000); n <= 2000; n += 7 {
		for _, d := range []int64{1, 2, 3, 8, 40, 200, 400, 999, 1000, 3000} {
			cases = append(cases, big.NewRat(n, d))
		}
	}
	for _, r := range cases {
		want := r.FloatString(2)
		if got := fmt2(r); got != want {
			t.Errorf("fmt2(%s) = %q, want %q", r.RatString(), got, want)
		}
		wantF, _ := strconv.ParseFloat(want, 64)
		if got := round2(r); got != wantF || math.Signbit(got) != math.Signbit(wantF) {
			t.Errorf("round2(%s) = %v, want %v", r.RatString(), got, wantF)
		}
	}
}
