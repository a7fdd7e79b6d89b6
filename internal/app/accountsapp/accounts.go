package accountsapp

import (
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
	"minyi/internal/users"
)

// The account operations the API (api_users.go) and the console pages
// (console_account*.go) share, each as the signed-in user; the handlers
// only read their input and answer in their own form.

// errNoAccount is the answer for an account id that names none.
var errNoAccount = apperr.New(apperr.NotFound, "账号不存在")

// findAccount loads the account named by the path's :id.
func (s *Handlers) findAccount(c *gin.Context) (users.User, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return users.User{}, err
	}
	u, err := users.FindUserByID(c, s.Pool, id)
	if apperr.Is(err, apperr.NotFound) {
		err = errNoAccount
	}
	return u, err
}

// updateAccount applies the patch to the account id.
func (s *Handlers) updateAccount(c *gin.Context, id int64, p users.Patch) (u users.User, err error) {
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		u, err = users.UpdateUser(c, tx, httpx.CurrentUser(c), id, p)
		return err
	})
	return u, err
}

// resetPassword gives the account id a temporary password and returns it.
func (s *Handlers) resetPassword(c *gin.Context, id int64) (password string, err error) {
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		password, err = users.ResetPassword(c, tx, httpx.CurrentUser(c), id)
		return err
	})
	return password, err
}

// issueUnitAccounts gives every unit without an active account one.
func (s *Handlers) issueUnitAccounts(c *gin.Context) (out []users.Credential, err error) {
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		out, err = users.IssueUnitAccounts(c, tx, httpx.CurrentUser(c).Actor())
		return err
	})
	return out, err
}

// endSessions ends the account's sessions: the one the path's :sid names,
// or all of them.
func (s *Handlers) endSessions(c *gin.Context, userID int64) error {
	if sid := c.Param("sid"); sid != "" {
		return users.EndSession(c, s.Pool, userID, sid)
	}
	return users.EndSessions(c, s.Pool, userID, "")
}

// changeOwnPassword changes the signed-in user's password, keeping the
// session that asks.
func (s *Handlers) changeOwnPassword(c *gin.Context, current, next string) error {
	token, _ := c.Cookie(httpx.SessionCookie)
	return db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		return users.ChangePassword(c, tx, httpx.CurrentUser(c), token, current, next)
	})
}

// withUnitName names the credential's unit for its letter; a unit that
// cannot be read leaves the name out.
func (s *Handlers) withUnitName(c *gin.Context, cred users.Credential) users.Credential {
	if cred.User.UnitID != nil {
		if u, err := units.FindUnit(c, s.Pool, *cred.User.UnitID); err == nil {
			cred.UnitName = u.Name
		}
	}
	return cred
}
