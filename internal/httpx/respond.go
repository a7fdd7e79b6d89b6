package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/ulule/limiter/v3"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/safetext"
	"minyi/internal/secure"
)

// ErrNotFound is the not-found answer for a missing or malformed id.
var ErrNotFound = apperr.New(apperr.NotFound, "资源不存在")

// IsAPI reports whether the request is for the JSON API.
func IsAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// APIError writes err as the one JSON error shape and aborts. Internal
// details go to the log, never to the client. A client that went away is
// answered nothing (see Abandoned).
func (s *App) APIError(c *gin.Context, err error) {
	if s.Abandoned(c, err) {
		return
	}
	e := apperr.From(db.Err(err))
	status := apperr.Status(e.Code)
	s.logFailure(c, e, err)
	if e.Code == apperr.Unavailable && c.Writer.Header().Get("Retry-After") == "" {
		// Nothing was stored; tell clients when a retry is worth it.
		c.Header("Retry-After", "5")
	}
	body := gin.H{"code": e.Code, "message": e.Message}
	if len(e.Fields) > 0 {
		body["fields"] = e.Fields
	}
	c.AbortWithStatusJSON(status, gin.H{"error": body})
}

// StatusClientClosed is the status recorded, in the access log and the
// metrics, for a request whose client went away before its answer (499,
// as nginx records it). Nobody reads it.
const StatusClientClosed = 499

// ClientGone reports whether r's client went away: net/http cancelled its
// context because the connection closed. A request whose deadline passed
// is not gone (its context ends with DeadlineExceeded instead).
func ClientGone(r *http.Request) bool { return errors.Is(r.Context().Err(), context.Canceled) }

// Abandoned answers a request whose client went away, and reports whether
// it did: the error (typically its query's, cancelled with it) is logged at
// info, since nothing failed on the server, and the status is 499.
func (s *App) Abandoned(c *gin.Context, err error) bool {
	if !ClientGone(c.Request) {
		return false
	}
	s.Log.Info("client went away before the answer", "path", c.FullPath(), "err", err)
	c.AbortWithStatus(StatusClientClosed)
	return true
}

// logFailure logs an error answer worth an operator's attention: a timeout
// as a warning (a slow query, cancelled), any other 5xx as an error.
func (s *App) logFailure(c *gin.Context, e *apperr.Error, err error) {
	switch {
	case e.Code == apperr.Timeout:
		s.Log.Warn("request ran out of time; its query was cancelled", "path", c.FullPath(), "err", err)
	case apperr.Status(e.Code) >= 500:
		s.Log.Error("request failed", "path", c.FullPath(), "code", e.Code, "err", err)
	}
}

// limited writes a 429 with Retry-After for the API.
func (s *App) LimitedAPI(c *gin.Context, retry time.Duration) {
	c.Header("Retry-After", RetryAfter(retry))
	s.APIError(c, apperr.New(apperr.RateLimited, "请求过于频繁，请稍后再试"))
}

// BindJSON decodes the body into dst, limited to maxBytes, and returns an
// invalid error for anything that is not one JSON value of the right shape
// and for a string that is not safe text (safetext: a NUL, a control
// character or invalid UTF-8), naming its field; too_large past maxBytes.
func BindJSON(c *gin.Context, dst any, maxBytes int64) error {
	if err := DecodeJSON(c, dst, maxBytes); err != nil {
		return err
	}
	if field, bad := safetext.Find(dst); bad {
		return BadText(field)
	}
	return nil
}

// DecodeJSON is BindJSON without the text check, for a batch whose items
// are validated one by one (a terminal's ratings, an agency's rows), so
// that one bad item is refused alone and the rest are stored.
func DecodeJSON(c *gin.Context, dst any, maxBytes int64) error {
	ct := c.ContentType()
	if ct != "application/json" {
		return apperr.New(apperr.Invalid, "Content-Type 必须为 application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes))
	if err := dec.Decode(dst); err != nil {
		var tooBig *http.MaxBytesError
		var typeErr *json.UnmarshalTypeError
		switch {
		case errors.As(err, &tooBig):
			return apperr.New(apperr.TooLarge, fmt.Sprintf("请求体超过 %d 字节上限", maxBytes))
		case errors.As(err, &typeErr) && typeErr.Field != "":
			return apperr.InvalidField(typeErr.Field, "字段类型错误，应为 "+typeErr.Type.String())
		case errors.Is(err, io.EOF):
			return apperr.New(apperr.Invalid, "请求体为空")
		default:
			return apperr.New(apperr.Invalid, "请求体不是有效的 JSON")
		}
	}
	if dec.More() {
		return apperr.New(apperr.Invalid, "请求体只能包含一个 JSON 值")
	}
	return nil
}

// ParseInt parses a decimal integer that fits Postgres's integer (int4),
// the type of every int column (versions, years, counts, pages), so a
// number from a form or a query can never overflow its column: larger
// ones are a syntax error to the caller, like any other non-number.
func ParseInt(s string) (int, error) {
	n, err := strconv.ParseInt(s, 10, 32)
	return int(n), err
}

// IDParam parses a positive integer path parameter or returns not_found.
func IDParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrNotFound
	}
	return id, nil
}

// Paging reads the limit and offset query parameters of a list: limit 1
// to 500 and offset at least 0, each 0 when absent; invalid, naming the
// field, otherwise.
func Paging(c *gin.Context) (limit, offset int, err error) {
	return PagingMax(c, 500)
}

// PagingMax is Paging with limit up to maxLimit (the results of a cycle
// page up to 1,000 units).
func PagingMax(c *gin.Context, maxLimit int) (limit, offset int, err error) {
	f := apperr.Fields{}
	if v := c.Query("limit"); v != "" {
		if limit, err = ParseInt(v); err != nil || limit < 1 || limit > maxLimit {
			f.Add("limit", "limit 须为 1 到 "+strconv.Itoa(maxLimit)+" 的整数")
		}
	}
	if v := c.Query("offset"); v != "" {
		if offset, err = ParseInt(v); err != nil || offset < 0 {
			f.Add("offset", "offset 须为非负整数")
		}
	}
	return limit, offset, f.Err()
}

// PathIDAndBody reads the id path parameter and then, when dst is not nil,
// the JSON body (at most 16 KiB) into dst. On failure it answers with the
// error and reports false.
func (s *App) PathIDAndBody(c *gin.Context, dst any) (int64, bool) {
	id, err := IDParam(c, "id")
	if err == nil && dst != nil {
		err = BindJSON(c, dst, 16<<10)
	}
	if err != nil {
		s.APIError(c, err)
		return 0, false
	}
	return id, true
}

// APITx runs fn in a transaction and answers with its result and status,
// or with the error.
func (s *App) APITx(c *gin.Context, status int, fn func(tx pgx.Tx) (any, error)) {
	var out any
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		out, err = fn(tx)
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(status, out)
}

// RetryAfter renders a wait for Retry-After, in seconds rounded up.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// WantsJSON reports whether the request is the page's script saving or
// submitting, which gets JSON back, rather than a form post.
func WantsJSON(c *gin.Context) bool { return c.ContentType() == "application/json" }

// UUIDParam parses a UUID path parameter or returns not_found.
func UUIDParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, ErrNotFound
	}
	return id, nil
}

// ParseTime reads a date (YYYY-MM-DD, in loc) or an RFC 3339 time from a
// query parameter: nil for "", false for anything else. A date given as an
// upper bound means the end of that day.
func ParseTime(v string, loc *time.Location, upper bool) (*time.Time, bool) {
	if v == "" {
		return nil, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		if upper {
			t = t.AddDate(0, 0, 1)
		}
		return &t, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return &t, true
	}
	return nil, false
}

// CreatedStatus is 201 for a new record and 200 for a retried one.
func CreatedStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// PageLimited applies rate per client address to a public page under the
// key prefix; on refusal it shows the page saying so, with wait (how to
// retry, e.g. "秒后再刷新页面。") after the seconds, and reports true.
func (s *App) PageLimited(c *gin.Context, rate limiter.Rate, prefix, wait string) bool {
	d := s.Limiter.Allow(c, rate, prefix+secure.ShortHex(s.Keys.Hash("client", c.ClientIP())))
	if !d.Limited {
		return false
	}
	c.Header("Retry-After", RetryAfter(d.RetryAfter))
	s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+RetryAfter(d.RetryAfter)+wait)
	return true
}
