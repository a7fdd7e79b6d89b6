package accountsapp

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/secure"
	"minyi/internal/users"
)

// staffDeviceCookie marks a browser that signed in to an account before
// (OWASP's "device cookie"): attempts from it are counted against the
// browser, not the account, so whoever keeps an account in back-off from
// elsewhere does not lock its owner out of a browser they use. Its value
// is a random nonce and a keyed hash binding it to the account.
const staffDeviceCookie = "minyi_staff_device"

// deviceCookieAge is how long a browser stays known without signing in.
const deviceCookieAge = 180 * 24 * time.Hour

// msgLoginAddressLimited is what a client over RATE_LOGIN is told.
const msgLoginAddressLimited = "登录尝试过于频繁，请稍后再试"

// loginAccount is the lower-cased username the back-off counts by, so
// that changing letter case does not buy an attacker new attempts.
func loginAccount(username string) string { return strings.ToLower(username) }

// deviceMAC binds a device nonce to an account.
func (s *Handlers) deviceMAC(account, nonce string) []byte {
	return s.Keys.Hash("login-device", account, nonce)
}

// knownDevice returns the nonce of the browser's device cookie when it
// was issued for account, else "".
func (s *Handlers) knownDevice(c *gin.Context, account string) string {
	v, _ := c.Cookie(staffDeviceCookie)
	nonce, mac, ok := strings.Cut(v, ".")
	if !ok {
		return ""
	}
	got, err := base64.RawURLEncoding.DecodeString(mac)
	if err != nil || !hmac.Equal(got, s.deviceMAC(account, nonce)) {
		return ""
	}
	return nonce
}

// rememberDevice gives the browser a device cookie for account.
func (s *Handlers) rememberDevice(c *gin.Context, account string) {
	nonce := secure.Token(16)
	value := nonce + "." + base64.RawURLEncoding.EncodeToString(s.deviceMAC(account, nonce))
	http.SetCookie(c.Writer, &http.Cookie{Name: staffDeviceCookie, Value: value, Path: "/", HttpOnly: true,
		Secure: s.SecureCookies(), SameSite: http.SameSiteStrictMode, MaxAge: int(deviceCookieAge / time.Second)})
}

// throttleKey is what the back-off counts an attempt against: the
// browser when it is known for the account, else the account (whether
// or not it exists).
func (s *Handlers) throttleKey(c *gin.Context, account string) []byte {
	if nonce := s.knownDevice(c, account); nonce != "" {
		return s.Keys.Hash("login-backoff-device", account, nonce)
	}
	return s.Keys.Hash("login-backoff-account", account)
}

// checkLoginAddress applies RATE_LOGIN to the client address: in Redis,
// or while Redis cannot be asked in Postgres, so the limit never fails
// open. It returns rate_limited with Retry-After set when over.
func (s *Handlers) checkLoginAddress(c *gin.Context) error {
	addr := s.Keys.Hash("login", c.ClientIP())
	rate := s.Config.Limits.Login
	wait := time.Duration(0)
	d := s.Limiter.Allow(c, rate, "login:"+secure.ShortHex(addr))
	switch {
	case d.Limited:
		wait = d.RetryAfter
	case !d.Checked:
		s.Metrics.LoginFallback()
		var err error
		if wait, err = users.CountAddressAttempt(c, s.Pool, addr, rate.Limit, rate.Period, s.Now()); err != nil {
			return err
		}
	}
	if wait > 0 {
		c.Header("Retry-After", httpx.RetryAfter(wait))
		return apperr.New(apperr.RateLimited, msgLoginAddressLimited)
	}
	return nil
}

// claimLoginAttempt counts the attempt against the key's back-off and
// returns rate_limited with Retry-After set while the key must wait.
func (s *Handlers) claimLoginAttempt(c *gin.Context, key []byte) error {
	var wait time.Duration
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		wait, err = users.ClaimLoginAttempt(c, tx, key, users.LoginBackoff, s.Now())
		return err
	})
	if err != nil || wait <= 0 {
		return err
	}
	c.Header("Retry-After", httpx.RetryAfter(wait))
	return apperr.New(apperr.RateLimited, "该账号登录失败次数过多，请"+waitText(wait)+"后再试")
}

// waitText says a wait in whole seconds, or whole minutes from one minute
// on, rounded up: "3 秒", "15 分钟".
func waitText(d time.Duration) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 60 {
		return fmt.Sprintf(" %d 秒", secs)
	}
	return fmt.Sprintf(" %d 分钟", (secs+59)/60)
}
