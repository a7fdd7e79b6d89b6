// Package apperr is Minyi's one error type: a code that maps to an HTTP
// status, a message safe to show to the user, and per-field messages.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// Codes, one per kind of failure a client can act on.
const (
	Invalid      = "invalid"
	Unauthorized = "unauthorized"
	Forbidden    = "forbidden"
	NotFound     = "not_found"
	Conflict     = "conflict"
	RateLimited  = "rate_limited"
	Unavailable  = "unavailable"
	Internal     = "internal"
	// Timeout: the request ran past its deadline (REQUEST_TIMEOUT) or
	// Postgres cancelled its statement (a statement_timeout); the query was
	// cancelled. Not retried by balancers (504, not 503): running the same
	// heavy query again at once is what would pile them up.
	Timeout = "timeout"
	// SurveyClosed refuses an answer or upload to a survey that is closed
	// or past its closing time.
	SurveyClosed = "survey_closed"
	// SurveyNotOpen refuses an upload to a survey still being drafted.
	SurveyNotOpen = "survey_not_open"
	// TooLarge refuses a request body over the route's limit.
	TooLarge = "too_large"
	// UnsupportedType refuses a body in a format the route does not take.
	UnsupportedType = "unsupported_type"
	// PasswordChangeRequired refuses every request but the session's own
	// while the account holds a temporary password.
	PasswordChangeRequired = "password_change_required"
	// MappingRequired refuses an agency's file whose columns no saved
	// mapping fits (422); the answer carries a guessed mapping.
	MappingRequired = "mapping_required"
)

// Error is an error with a code, a user-facing message (Simplified Chinese)
// and optional per-field messages.
type Error struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	cause   error
}

func (e *Error) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.cause)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the code and message.
func New(code, message string) *Error { return &Error{Code: code, Message: message} }

// Wrap returns an error with the code and message that keeps cause for logs.
func Wrap(code, message string, cause error) *Error {
	return &Error{Code: code, Message: message, cause: cause}
}

// Fields is a set of per-field validation messages that builds an invalid error.
type Fields map[string]string

// Add records a message for a field, keeping the first one.
func (f Fields) Add(field, message string) {
	if _, ok := f[field]; !ok {
		f[field] = message
	}
}

// Merge adds the field messages of err, if it carries any.
func (f Fields) Merge(err error) {
	if err == nil {
		return
	}
	for k, v := range From(err).Fields {
		f.Add(k, v)
	}
}

// Err returns nil when no field has a message, else an invalid error.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "提交的内容有误，请检查后重试", Fields: f}
}

// InvalidField returns an invalid error for one field.
func InvalidField(field, message string) *Error {
	return &Error{Code: Invalid, Message: message, Fields: map[string]string{field: message}}
}

// From returns e as an *Error; any other error becomes internal.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Message: "服务器内部错误", cause: err}
}

// CodeOf returns the code of err, or internal.
func CodeOf(err error) string { return From(err).Code }

// Is reports whether err carries the code.
func Is(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// Status maps a code to its HTTP status.
func Status(code string) int {
	switch code {
	case Invalid:
		return http.StatusUnprocessableEntity
	case Unauthorized:
		return http.StatusUnauthorized
	case Forbidden, PasswordChangeRequired:
		return http.StatusForbidden
	case NotFound:
		return http.StatusNotFound
	case Conflict, SurveyClosed, SurveyNotOpen:
		return http.StatusConflict
	case RateLimited:
		return http.StatusTooManyRequests
	case TooLarge:
		return http.StatusRequestEntityTooLarge
	case UnsupportedType:
		return http.StatusUnsupportedMediaType
	case Unavailable:
		return http.StatusServiceUnavailable
	case Timeout:
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}
