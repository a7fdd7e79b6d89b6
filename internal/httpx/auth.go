package httpx

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/users"
)

// SessionCookie is the cookie holding a staff session token.
const SessionCookie = "minyi_session"

// CtxSession is the gin context key of the signed-in session.
const CtxSession = "minyi.session"

// SecureCookies reports whether cookies are marked Secure (PUBLIC_BASE_URL is https).
func (s *App) SecureCookies() bool { return strings.HasPrefix(s.Config.PublicBaseURL, "https://") }

// SetSessionCookie gives the browser the session's cookie.
func (s *App) SetSessionCookie(c *gin.Context, sess users.Session) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies(), SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
}

// ClearSessionCookie removes the session cookie.
func (s *App) ClearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.SecureCookies(), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// Session loads the signed-in session from the cookie.
func (s *App) Session(c *gin.Context) (users.Session, error) {
	if v, ok := c.Get(CtxSession); ok {
		return v.(users.Session), nil
	}
	token, _ := c.Cookie(SessionCookie)
	sess, err := users.FindSession(c, s.Pool, token)
	if err != nil {
		return users.Session{}, err
	}
	c.Set(CtxSession, sess)
	return sess, nil
}

// CurrentUser is the signed-in user; only behind APIAuth or PageAuth.
func CurrentUser(c *gin.Context) users.User {
	return c.MustGet(CtxSession).(users.Session).User
}

// APIAuth requires a session for the API. State-changing requests must be
// JSON, which a cross-site form cannot send, so cookies alone cannot be
// ridden by another site.
func (s *App) APIAuth(c *gin.Context) {
	if _, err := s.Session(c); err != nil {
		s.APIError(c, err)
		return
	}
	switch c.Request.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if c.ContentType() != "application/json" {
			s.APIError(c, apperr.New(apperr.Invalid, "Content-Type 必须为 application/json"))
			return
		}
	}
	if err := accountLimits(c, ownSessionAPI[c.FullPath()]); err != nil {
		s.APIError(c, err)
		return
	}
	c.Next()
}

// ownSessionAPI and ownSessionPages are the routes an account may use
// while it holds a temporary password, and the only changes a leader may
// make: its own session and password.
var (
	ownSessionAPI   = map[string]bool{"/api/v1/session": true, "/api/v1/session/password": true}
	ownSessionPages = map[string]bool{"/console/password": true, "/logout": true}
	// ownReadState are the routes that change only the account's own
	// notifications' read state or the channels it is notified on, which a
	// leader may do too.
	ownReadState = map[string]bool{"/api/v1/notifications/read": true, "/console/notifications/read": true,
		"/console/notify-channels": true}
	// leaderDecisions are the routes where a leader approves or returns
	// what waits for their approval (internal/approvals): the one change a
	// leader makes to the office's work.
	leaderDecisions = map[string]bool{"/api/v1/approvals/:id/decision": true, "/console/approvals/:id/decision": true}
)

// accountLimits refuses what the signed-in account may not do on a route
// (own says whether the route is its own session's): anything but changing
// a temporary password, and for a leader (read-only) any change but its
// notifications' read state and its approvals.
func accountLimits(c *gin.Context, own bool) error {
	u := CurrentUser(c)
	switch {
	case own:
		return nil
	case u.MustChangePassword:
		return apperr.New(apperr.PasswordChangeRequired, "请先修改临时密码，再继续使用")
	case u.ReadOnly() && c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead && !ownReadState[c.FullPath()] &&
		!leaderDecisions[c.FullPath()]:
		return apperr.New(apperr.Forbidden, "领导账号只能查看，不能修改")
	}
	return nil
}

// Office lets only office staff through.
func (s *App) Office(c *gin.Context) {
	if CurrentUser(c).Role != users.RoleOffice {
		s.APIError(c, apperr.New(apperr.Forbidden, "只有绩效办工作人员可以进行此操作"))
		return
	}
	c.Next()
}

// PageAuth requires a session for console pages, redirecting to the sign-in
// page, and checks the CSRF token of every form post.
func (s *App) PageAuth(c *gin.Context) {
	sess, err := s.Session(c)
	if err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if apperr.Is(err, apperr.Timeout) {
			s.ConsoleError(c, err)
			return
		}
		s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "数据库暂时不可用，请稍后刷新。")
		return
	}
	if c.Request.Method == http.MethodPost {
		if err := CheckedForm(c); err != nil {
			s.ConsoleError(c, err)
			return
		}
		if subtle.ConstantTimeCompare([]byte(c.PostForm("_csrf")), []byte(sess.CSRFToken)) != 1 {
			s.ErrorPage(c, http.StatusForbidden, "请求已失效", "页面已过期，请返回后刷新页面再提交。")
			return
		}
	}
	if err := accountLimits(c, ownSessionPages[c.FullPath()]); err != nil {
		if apperr.Is(err, apperr.PasswordChangeRequired) {
			next := c.Request.URL.RequestURI()
			if c.Request.Method != http.MethodGet {
				next = "/console"
			}
			c.Redirect(http.StatusSeeOther, "/console/password?next="+url.QueryEscape(next))
			c.Abort()
			return
		}
		s.ErrorPage(c, http.StatusForbidden, "无权操作", "领导账号只能查看，不能修改。")
		return
	}
	c.Next()
}

// OfficePage lets only office staff see a console page.
func (s *App) OfficePage(c *gin.Context) {
	if CurrentUser(c).Role != users.RoleOffice {
		s.ErrorPage(c, http.StatusForbidden, "无权访问", "只有绩效办工作人员可以进行此操作。")
		return
	}
	c.Next()
}

// CanSeeUnit returns forbidden unless the user may see the unit.
func CanSeeUnit(u users.User, unitID int64) error {
	if u.CanSeeUnit(unitID) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "无权查看该单位")
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header; the scheme name is case-insensitive (RFC 9110 §11.1).
func BearerToken(c *gin.Context) (string, bool) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
	token = strings.TrimSpace(token)
	return token, strings.EqualFold(scheme, "Bearer") && token != ""
}
