package accountsapp

import (
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// credentialErrors names the sign-in fields left empty.
func credentialErrors(username, password string) apperr.Fields {
	f := apperr.Fields{}
	if username == "" {
		f.Add("username", "请填写用户名")
	}
	if password == "" {
		f.Add("password", "请填写密码")
	}
	return f
}

// signOut ends the session named by the cookie, if any, and clears the cookie.
func (s *Handlers) signOut(c *gin.Context) error {
	if token, _ := c.Cookie(httpx.SessionCookie); token != "" {
		if err := users.DeleteSession(c, s.Pool, token); err != nil {
			return err
		}
	}
	s.ClearSessionCookie(c)
	return nil
}

// signIn checks the client address's rate limit and the account's (or
// known browser's) back-off, then the password, and starts a session.
func (s *Handlers) signIn(c *gin.Context, username, password string) (users.Session, error) {
	if err := s.checkLoginAddress(c); err != nil {
		return users.Session{}, err
	}
	username = strings.TrimSpace(username)
	account := loginAccount(username)
	key := s.throttleKey(c, account)
	if err := s.claimLoginAttempt(c, key); err != nil {
		return users.Session{}, err
	}
	u, err := users.Authenticate(c, s.Pool, username, password)
	if err != nil {
		return users.Session{}, err
	}
	if err := users.ClearLoginFailures(c, s.Pool, key); err != nil {
		return users.Session{}, err
	}
	sess, err := users.SignIn(c, s.Pool, u, s.Config.SessionTTL, c.Request.UserAgent(), c.ClientIP())
	if err != nil {
		return users.Session{}, err
	}
	s.SetSessionCookie(c, sess)
	s.rememberDevice(c, account)
	return sess, nil
}
