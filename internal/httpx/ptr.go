package httpx

// Ptr returns a pointer to a copy of v (for optional fields and filters).
func Ptr[T any](v T) *T { return &v }

// Deref is *p, or T's zero value ("" for a string) when p is nil.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
