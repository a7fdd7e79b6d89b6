package schemes

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"minyi/internal/apperr"
)

// Arithmetic is exact: every configured or entered number is read from its
// shortest decimal form (0.6 is 3/5, not the nearest binary fraction) into
// a big.Rat, every node is computed with full precision, and only what is
// shown is rounded, to 2 decimals half up (x.xx5 → x.x(x+1)). The rounded
// composite is the result of record; a parent is computed from its
// children's exact values, never from their rounded ones.

type ratT = big.Rat

func zero() *ratT { return new(ratT) }
func one() *ratT  { return big.NewRat(1, 1) }

// hundred is 100, shared: only ever an operand, never a receiver.
var hundred = big.NewRat(100, 1)

// rat converts f through its shortest decimal representation. A whole
// number (most maxima, 100, many inputs) is set directly: parsing its
// decimal form was a sixth of the computation of a province's results.
func rat(f float64) *ratT {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return new(ratT).SetInt64(int64(f))
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if r, ok := plainDecimal(s); ok {
		return r
	}
	r, ok := new(ratT).SetString(s)
	if !ok {
		return zero()
	}
	return r
}

// plainDecimal reads a decimal without exponent and of at most 18 digits
// ("-87.35") as mantissa ÷ 10^scale: big.Rat's SetString takes a general
// path that was a quarter of the computation of a province's results.
func plainDecimal(s string) (*ratT, bool) {
	var m, den int64 = 0, 1
	digits, neg, dot := 0, false, false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '-' && i == 0:
			neg = true
		case ch == '.' && !dot:
			dot = true
		case ch >= '0' && ch <= '9':
			if digits++; digits > 18 {
				return nil, false
			}
			m = m*10 + int64(ch-'0')
			if dot {
				den *= 10
			}
		default:
			return nil, false
		}
	}
	if digits == 0 {
		return nil, false
	}
	if neg {
		m = -m
	}
	return new(ratT).SetFrac64(m, den), true
}

// fmt2 shows r rounded to 2 decimals, half up: "12.50". big.Rat's
// FloatString rounds halves away from zero, which is half up for the
// non-negative values of a scheme.
func fmt2(r *ratT) string {
	if q, neg, ok := hundredths(r); ok {
		return formatHundredths(q, neg)
	}
	return r.FloatString(2)
}

// hundredths is |r| × 100 rounded half up, and whether r is negative, when
// r's numerator and denominator are small enough to do it in int64 (they
// are for every value of a scheme: maxima, weights and entries have a few
// decimals). big.Rat's FloatString divides with fresh big naturals, and
// formatting every node of 1,000 units' schemes was a third of the
// computation of a province's results. ok is false otherwise.
func hundredths(r *ratT) (q int64, neg, ok bool) {
	n, d := r.Num(), r.Denom()
	if !n.IsInt64() || !d.IsInt64() {
		return 0, false, false
	}
	a, b := n.Int64(), d.Int64()
	if neg = a < 0; neg {
		a = -a // a > math.MinInt64: IsInt64 and the bound below
	}
	const limit = 1 << 55 // 200a + b stays below 2^63
	if a < 0 || a >= limit || b >= limit {
		return 0, false, false
	}
	// floor(100a/b + 1/2)
	return (200*a + b) / (2 * b), neg, true
}

// formatHundredths writes q hundredths as "12.50", with a minus sign when
// neg, as FloatString does (even for a value that rounds to 0).
func formatHundredths(q int64, neg bool) string {
	buf := make([]byte, 0, 24)
	if neg {
		buf = append(buf, '-')
	}
	buf = strconv.AppendInt(buf, q/100, 10)
	frac := q % 100
	return string(append(buf, '.', byte('0'+frac/10), byte('0'+frac%10)))
}

// round2 is r rounded to 2 decimals, half up, as the nearest float.
func round2(r *ratT) float64 {
	if q, neg, ok := hundredths(r); ok && q < 1<<53 {
		// q and 100 are exact floats and IEEE division rounds correctly,
		// so this is the float nearest q/100, as parsing "q/100" gives.
		f := float64(q) / 100
		if neg {
			f = -f
		}
		return f
	}
	f, _ := strconv.ParseFloat(fmt2(r), 64)
	return f
}

// Round2 rounds f (read as its shortest decimal) to 2 decimals, half up.
func Round2(f float64) float64 { return round2(rat(f)) }

// Input is one entry of a unit: the points of a manual leaf, the source
// value (0–100) of an auto leaf, or not applicable (NA) for a child of a
// pro-rated node that the unit does not take part in. In JSON it is a
// number, or the string "na".
type Input struct {
	Value float64
	NA    bool
}

// Points is an entry of value v.
func Points(v float64) Input { return Input{Value: v} }

// NotApplicable is the entry of an item the unit does not take part in.
var NotApplicable = Input{NA: true}

// MarshalJSON writes a number or "na".
func (in Input) MarshalJSON() ([]byte, error) {
	if in.NA {
		return []byte(`"na"`), nil
	}
	return []byte(strconv.FormatFloat(in.Value, 'f', -1, 64)), nil
}

// UnmarshalJSON reads a number, or "na" (不参加).
func (in *Input) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.EqualFold(strings.TrimSpace(s), "na") {
			*in = NotApplicable
			return nil
		}
		// A type error, so the decoder names the field ("inputs.key").
		return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeFor[float64]()}
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*in = Input{Value: v}
	return nil
}

// DecodeInputs reads inputs sent as JSON values per key, returning an
// invalid error on field "inputs.<key>" for a value that is neither a
// number nor "na".
func DecodeInputs(raw map[string]json.RawMessage) (map[string]Input, error) {
	out := make(map[string]Input, len(raw))
	f := apperr.Fields{}
	for k, v := range raw {
		var in Input
		if string(bytes.TrimSpace(v)) == "null" {
			continue
		}
		if err := json.Unmarshal(v, &in); err != nil {
			f.Add("inputs."+k, "“"+k+"”的得分须为数字，或 \"na\" 表示不参加该项目")
			continue
		}
		out[k] = in
	}
	return out, f.Err()
}
