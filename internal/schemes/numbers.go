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

// rat converts f through its shortest decimal representation. A whole
// number (most maxima, 100, many inputs) is set directly: parsing its
// decimal form was a sixth of the computation of a province's results.
func rat(f float64) *ratT {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return new(ratT).SetInt64(int64(f))
	}
	r, ok := new(ratT).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok {
		return zero()
	}
	return r
}

// fmt2 shows r rounded to 2 decimals, half up: "12.50". big.Rat's
// FloatString rounds halves away from zero, which is half up for the
// non-negative values of a scheme.
func fmt2(r *ratT) string { return r.FloatString(2) }

// round2 is r rounded to 2 decimals, half up, as the nearest float.
func round2(r *ratT) float64 {
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
