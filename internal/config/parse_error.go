package config

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/caarlos0/env/v11"
)

// parseError rewrites the env library's parse errors, which name the Go
// field (DBMaxConns), so that each names the variable (DB_MAX_CONNS) and
// the value's problem; other errors are returned wrapped as they are.
func parseError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("configuration: %w", err)
	}
	t := reflect.TypeFor[Config]()
	errs := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok && f.Tag.Get("env") != "" {
				errs = append(errs, fmt.Errorf("%s: cannot be read as %s: %v", f.Tag.Get("env"), pe.Type, pe.Err))
				continue
			}
		}
		errs = append(errs, fmt.Errorf("configuration: %w", e))
	}
	return errors.Join(errs...)
}
