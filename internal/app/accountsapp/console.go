package accountsapp

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/users"
)

// loginCookie holds the sign-in form's CSRF token (double submit): another
// site cannot read it, so it cannot sign a browser in to an account of its
// choosing.
const loginCookie = "minyi_login"

type loginPageData struct {
	httpx.BasePage
	Username string
	Next     string
	Errors   map[string]string
	Message  string
}

// safeNext returns next when it is a console path of this site, else /console.
func safeNext(next string) string {
	p := httpx.LocalPath(next, "")
	if p == "" || strings.HasPrefix(p, "/login") || strings.HasPrefix(p, "/logout") {
		return "/console"
	}
	return p
}

func (s *Handlers) showLogin(c *gin.Context, status int, d loginPageData) {
	token := secure.Token(18)
	http.SetCookie(c.Writer, &http.Cookie{Name: loginCookie, Value: token, Path: "/login", HttpOnly: true,
		Secure: s.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	d.BasePage = httpx.BasePage{Title: "登录", Bare: true, CSRF: token}
	s.Render(c, status, "console/login.html", d)
}

func (s *Handlers) LoginPage(c *gin.Context) {
	next := safeNext(c.Query("next"))
	if token, _ := c.Cookie(httpx.SessionCookie); token != "" {
		if _, err := users.FindSession(c, s.Pool, token); err == nil {
			c.Redirect(http.StatusSeeOther, next)
			return
		}
	}
	s.showLogin(c, http.StatusOK, loginPageData{Next: next})
}

func (s *Handlers) LoginSubmit(c *gin.Context) {
	if err := httpx.ReadForm(c); err != nil {
		s.Refuse(c, err)
		return
	}
	d := loginPageData{Username: strings.TrimSpace(c.PostForm("username")), Next: safeNext(c.PostForm("next"))}
	cookie, _ := c.Cookie(loginCookie)
	if cookie == "" || subtle.ConstantTimeCompare([]byte(cookie), []byte(c.PostForm("_csrf"))) != 1 {
		d.Message = "登录页面已过期，请重新输入后登录。"
		s.showLogin(c, http.StatusForbidden, d)
		return
	}
	password := c.PostForm("password")
	if d.Errors = credentialErrors(d.Username, password); len(d.Errors) > 0 {
		s.showLogin(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err := s.signIn(c, d.Username, password)
	switch {
	case err == nil:
		http.SetCookie(c.Writer, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
		c.Redirect(http.StatusSeeOther, d.Next)
	case apperr.Is(err, apperr.Unauthorized):
		d.Message = "用户名或密码错误。"
		s.showLogin(c, http.StatusUnauthorized, d)
	case apperr.Is(err, apperr.RateLimited):
		d.Message = apperr.From(err).Message + "。"
		s.showLogin(c, http.StatusTooManyRequests, d)
	default:
		s.Log.Error("console sign-in failed", "err", err)
		d.Message = "系统繁忙，暂时无法登录，请稍后再试。"
		s.showLogin(c, http.StatusServiceUnavailable, d)
	}
}

func (s *Handlers) LogoutSubmit(c *gin.Context) {
	if err := s.signOut(c); err != nil {
		s.ConsoleError(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}
