package server

import (
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/secure"
	"minyi/internal/users"
)

// Helpers that the rating handlers defined before they moved to
// internal/app/ratingsapp and that handlers still in this package use.
// Each one only names what now lives in httpx, secure or ratings.

// apiTx is httpx.App.APITx.
func (s *Server) apiTx(c *gin.Context, status int, fn func(tx pgx.Tx) (any, error)) {
	s.APITx(c, status, fn)
}

// pathIDAndBody is httpx.App.PathIDAndBody.
func (s *Server) pathIDAndBody(c *gin.Context, dst any) (int64, bool) { return s.PathIDAndBody(c, dst) }

// paging is httpx.Paging.
func paging(c *gin.Context) (limit, offset int, err error) { return httpx.Paging(c) }

// parseTime is httpx.ParseTime.
func parseTime(v string, loc *time.Location, upper bool) (*time.Time, bool) {
	return httpx.ParseTime(v, loc, upper)
}

// ratingID reads a rating's id from the path, or returns not_found.
func ratingID(c *gin.Context) (uuid.UUID, error) { return httpx.UUIDParam(c, "id") }

// today is httpx.App.Today.
func (s *Server) today() time.Time { return s.Today() }

// hexHash is secure.ShortHex.
func hexHash(b []byte) string { return secure.ShortHex(b) }

// levelView is a rating level and its Chinese name.
type levelView = ratings.LevelName

// levelViews lists the five levels from 5 (非常满意) down to 1.
func levelViews() []levelView { return ratings.LevelNames() }

// showPhones decrypts phone numbers for roles allowed to call back and
// leaves the mask for everyone else.
func (s *Server) showPhones(u users.User, list []ratings.Rating) {
	ratings.ShowPhones(list, s.Keys, slices.Contains(s.Config.CallbackRoles, u.Role))
}

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
