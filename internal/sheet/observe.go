package sheet

import (
	"context"
	"errors"

	"minyi/internal/apperr"
)

// Outcomes of a Read, as an Observer hears them.
const (
	Parsed    = "parsed"
	TooLarge  = "too_large"  // over a row, column, cell or text limit
	Bomb      = "bomb"       // a workbook that unpacks beyond the limits
	Busy      = "busy"       // every parse slot stayed taken
	Timeout   = "timeout"    // not read within the time budget
	BadFormat = "bad_format" // empty, broken, unsupported or malformed
)

// Observer hears the outcome of each Read made with a context carrying it.
type Observer func(outcome string)

type observerKey struct{}

// WithObserver returns a context whose Reads report their outcome to o.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

// observe reports the outcome of a Read to the context's observer, if any.
func observe(ctx context.Context, err error) {
	if o, ok := ctx.Value(observerKey{}).(Observer); ok && o != nil {
		o(Outcome(err))
	}
}

// Outcome classifies an error of Read: Parsed for nil, else why the file
// was refused.
func Outcome(err error) string {
	var limit *overLimitError
	switch {
	case err == nil:
		return Parsed
	case apperr.Is(err, apperr.Unavailable):
		return Busy
	case errors.Is(err, errTooSlow):
		return Timeout
	case errors.As(err, &limit):
		return TooLarge
	case apperr.From(err).Message == msgUnzipped:
		return Bomb
	}
	return BadFormat
}

// overLimitError marks a refusal for a size limit (rows, columns, a cell,
// the text kept), so Outcome can tell it from a malformed file; callers
// see the *apperr.Error it wraps.
type overLimitError struct{ err error }

func (e *overLimitError) Error() string { return e.err.Error() }
func (e *overLimitError) Unwrap() error { return e.err }

// overLimit is the refusal of a file over a size limit.
func overLimit(message string) error { return &overLimitError{fail(message)} }
