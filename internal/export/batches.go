package export

import "context"

// Batches calls emit for every row of a keyset-paged read: next reads
// the batch after the cursor (nil: the first) and returns its rows and the
// cursor of its last row; a batch shorter than size ends the read.
func Batches[T any, C any](ctx context.Context, size int, next func(ctx context.Context, after *C, limit int) ([]T, *C, error),
	row func(T) []any, emit Emit) error {
	var after *C
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		list, last, err := next(ctx, after, size)
		if err != nil {
			return err
		}
		for _, x := range list {
			if err := emit(row(x)); err != nil {
				return err
			}
		}
		if len(list) < size || last == nil {
			return nil
		}
		after = last
	}
}
