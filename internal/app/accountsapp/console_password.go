package accountsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// Flashes are the messages of this package's redirects (?msg=).
var Flashes = map[string]string{
	"password-changed":       "密码已修改。其他设备上的登录已退出。",
	"channels-saved":         "接收通知的方式已保存。",
	"accounts-none-missing":  "每个单位都已有可用的账号，没有新建账号。",
	"account-saved":          "账号信息已保存。",
	"account-disabled":       "账号已停用，该账号的登录已全部退出。",
	"account-enabled":        "账号已重新启用。",
	"account-sessions-ended": "已让该账号退出登录。",
	"signature-saved":        "通知书落款已保存，此后打印的账号通知书和问卷邀请函都用这一落款。",
}

type passwordPageData struct {
	httpx.BasePage
	Next string
	// Forced: the account holds a temporary password and may do nothing
	// else until it is changed.
	Forced bool
	Errors map[string]string
	// Form holds the account's notification channels (partial
	// notify-channels).
	Form accountForm
}

// PasswordPage lets the signed-in user change their password; an account
// with a temporary password is sent here until it does.
func (s *Handlers) PasswordPage(c *gin.Context) {
	s.showPassword(c, http.StatusOK, nil)
}

func (s *Handlers) showPassword(c *gin.Context, status int, errs map[string]string) {
	u := httpx.CurrentUser(c)
	d := passwordPageData{BasePage: s.Base(c, "修改密码", ""), Next: safeNext(c.Query("next")), Forced: u.MustChangePassword,
		Errors: errs, Form: accountForm{Channels: chosen(u.NotifyChannels)}}
	if _, posted := c.GetPostFormArray("notify_channels"); posted || c.PostForm("channels_form") == "1" {
		d.Form.Channels = chosen(c.PostFormArray("notify_channels"))
	}
	if v := c.PostForm("next"); v != "" {
		d.Next = safeNext(v)
	}
	d.Bare = d.Forced
	s.Render(c, status, "console/password.html", d)
}

// PasswordSubmit changes the password: the current one, the new one twice.
func (s *Handlers) PasswordSubmit(c *gin.Context) {
	current, next := c.PostForm("current_password"), c.PostForm("new_password")
	if next != c.PostForm("confirm_password") {
		s.showPassword(c, http.StatusUnprocessableEntity, map[string]string{"confirm_password": "两次输入的新密码不一致"})
		return
	}
	err := s.changeOwnPassword(c, current, next)
	if e := apperr.From(err); err != nil && len(e.Fields) > 0 {
		s.showPassword(c, http.StatusUnprocessableEntity, e.Fields)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, safeNext(c.PostForm("next")), "password-changed")
}

// OwnChannelsSubmit saves the channels the signed-in account is notified
// on (邮件, 短信) besides the inbox.
func (s *Handlers) OwnChannelsSubmit(c *gin.Context) {
	u := httpx.CurrentUser(c)
	if c.PostForm("channels_form") != "1" {
		// A post without the form's marker changes nothing.
		s.ConsoleError(c, apperr.InvalidField("notify_channels", "请在页面上选择接收通知的方式后保存"))
		return
	}
	channels := c.PostFormArray("notify_channels")
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := users.UpdateUser(c, tx, u, u.ID, users.Patch{NotifyChannels: &channels})
		return err
	})
	if e := apperr.From(err); err != nil && len(e.Fields) > 0 {
		s.showPassword(c, http.StatusUnprocessableEntity, e.Fields)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/password", "channels-saved")
}
