package server

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/users"
)

const sessionCookie = "minyi_session"

const ctxSession = "minyi.session"

func (s *Server) secureCookies() bool { return strings.HasPrefix(s.Config.PublicBaseURL, "https://") }

func (s *Server) setSessionCookie(c *gin.Context, sess users.Session) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// session loads the signed-in session from the cookie.
func (s *Server) session(c *gin.Context) (users.Session, error) {
	if v, ok := c.Get(ctxSession); ok {
		return v.(users.Session), nil
	}
	token, _ := c.Cookie(sessionCookie)
	sess, err := users.FindSession(c, s.Pool, token)
	if err != nil {
		return users.Session{}, err
	}
	c.Set(ctxSession, sess)
	return sess, nil
}

func currentUser(c *gin.Context) users.User {
	return c.MustGet(ctxSession).(users.Session).User
}

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
func (s *Server) signOut(c *gin.Context) error {
	if token, _ := c.Cookie(sessionCookie); token != "" {
		if err := users.DeleteSession(c, s.Pool, token); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	return nil
}

// signIn checks the client address's rate limit and the account's (or
// known browser's) back-off, then the password, and starts a session.
func (s *Server) signIn(c *gin.Context, username, password string) (users.Session, error) {
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
	sess, err := users.CreateSession(c, s.Pool, u, s.Config.SessionTTL)
	if err != nil {
		return users.Session{}, err
	}
	s.setSessionCookie(c, sess)
	s.rememberDevice(c, account)
	return sess, nil
}

// apiAuth requires a session for the API. State-changing requests must be
// JSON, which a cross-site form cannot send, so cookies alone cannot be
// ridden by another site.
func (s *Server) apiAuth(c *gin.Context) {
	if _, err := s.session(c); err != nil {
		s.apiError(c, err)
		return
	}
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if c.ContentType() != "application/json" {
			s.apiError(c, apperr.New(apperr.Invalid, "Content-Type 必须为 application/json"))
			return
		}
	}
	c.Next()
}

// office lets only office staff through.
func (s *Server) office(c *gin.Context) {
	if currentUser(c).Role != users.RoleOffice {
		s.apiError(c, apperr.New(apperr.Forbidden, "只有绩效办工作人员可以进行此操作"))
		return
	}
	c.Next()
}

// pageAuth requires a session for console pages, redirecting to the sign-in
// page, and checks the CSRF token of every form post.
func (s *Server) pageAuth(c *gin.Context) {
	sess, err := s.session(c)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		s.errorPage(c, http.StatusServiceUnavailable, "系统繁忙", "数据库暂时不可用，请稍后刷新。")
		return
	}
	if c.Request.Method == http.MethodPost {
		if err := checkedForm(c); err != nil {
			s.consoleError(c, err)
			return
		}
		if subtle.ConstantTimeCompare([]byte(c.PostForm("_csrf")), []byte(sess.CSRFToken)) != 1 {
			s.errorPage(c, http.StatusForbidden, "请求已失效", "页面已过期，请返回后刷新页面再提交。")
			return
		}
	}
	c.Next()
}

// officePage lets only office staff see a console page.
func (s *Server) officePage(c *gin.Context) {
	if currentUser(c).Role != users.RoleOffice {
		s.errorPage(c, http.StatusForbidden, "无权访问", "只有绩效办工作人员可以进行此操作。")
		return
	}
	c.Next()
}

// canSeeUnit returns forbidden unless the user may see the unit.
func canSeeUnit(u users.User, unitID int64) error {
	if u.CanSeeUnit(unitID) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "无权查看该单位")
}
