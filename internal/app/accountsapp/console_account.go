package accountsapp

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/httpx"
	"minyi/internal/units"
	"minyi/internal/users"
)

type accountPageData struct {
	httpx.BasePage
	Account  users.User
	UnitName string
	Sessions []users.SessionInfo
	Roles    []roleOption
	Units    []units.Unit
	// Form holds what was typed after a refused change.
	Form   accountForm
	Errors map[string]string
	Self   bool
}

// AccountPage shows an account: its profile and role, its status, its
// live sessions, and the buttons that reset its password or disable it.
func (s *Handlers) AccountPage(c *gin.Context) {
	s.showAccount(c, http.StatusOK, nil, nil)
}

func (s *Handlers) showAccount(c *gin.Context, status int, form *accountForm, errs map[string]string) {
	u, ok := s.accountParam(c)
	if !ok {
		return
	}
	d := accountPageData{BasePage: s.Base(c, "账号 "+u.Username, "accounts"), Account: u, Roles: roleOptions, Errors: errs,
		Self: u.ID == httpx.CurrentUser(c).ID}
	d.Form = accountForm{Username: u.Username, Name: u.Name, Role: u.Role, Mobile: u.Mobile, Email: u.Email,
		Channels: chosen(u.NotifyChannels)}
	if u.UnitID != nil {
		d.Form.UnitID = *u.UnitID
	}
	if form != nil {
		d.Form = *form
	}
	var err error
	if d.Sessions, err = users.ListSessions(c, s.Pool, u.ID, ""); err == nil {
		d.Units, err = units.ListUnits(c, s.Pool, nil)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	for _, x := range d.Units {
		if u.UnitID != nil && x.ID == *u.UnitID {
			d.UnitName = x.Name
		}
	}
	s.Render(c, status, "console/account.html", d)
}

// UpdateAccountSubmit saves the account's profile, role and unit.
func (s *Handlers) UpdateAccountSubmit(c *gin.Context) {
	u, ok := s.accountParam(c)
	if !ok {
		return
	}
	form := accountForm{Username: u.Username, Name: c.PostForm("name"), Role: c.PostForm("role"),
		Mobile: c.PostForm("mobile"), Email: c.PostForm("email"), Channels: chosen(c.PostFormArray("notify_channels"))}
	channels := c.PostFormArray("notify_channels")
	p := users.Patch{Profile: &users.Profile{Name: form.Name, Mobile: form.Mobile, Email: form.Email}, Role: &form.Role,
		NotifyChannels: &channels}
	if form.Role == users.RoleUnit {
		id, err := strconv.ParseInt(c.PostForm("unit_id"), 10, 64)
		if err != nil {
			s.showAccount(c, http.StatusUnprocessableEntity, &form, map[string]string{"unit_id": "请选择所属单位"})
			return
		}
		form.UnitID, p.UnitID = id, &id
	}
	if _, err := s.updateAccount(c, u.ID, p); err != nil {
		if errs, ok := httpx.FieldErrors(err); ok {
			s.showAccount(c, http.StatusUnprocessableEntity, &form, chineseRoleErrors(errs))
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, accountLink(u.ID), "account-saved")
}

// SetDisabledSubmit disables the account (ending its sessions) or enables
// it again.
func (s *Handlers) SetDisabledSubmit(disabled bool) gin.HandlerFunc {
	flash := "account-enabled"
	if disabled {
		flash = "account-disabled"
	}
	return func(c *gin.Context) {
		u, ok := s.accountParam(c)
		if !ok {
			return
		}
		if _, err := s.updateAccount(c, u.ID, users.Patch{Disabled: &disabled}); err != nil {
			s.ConsoleError(c, err)
			return
		}
		httpx.Redirect(c, accountLink(u.ID), flash)
	}
}

// ResetPasswordSubmit gives the account a temporary password and shows it
// once, on a credential letter.
func (s *Handlers) ResetPasswordSubmit(c *gin.Context) {
	u, ok := s.accountParam(c)
	if !ok {
		return
	}
	password, err := s.resetPassword(c, u.ID)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	cred := s.withUnitName(c, users.Credential{User: u, Password: password})
	s.showLetters(c, "重置密码", []users.Credential{cred}, "临时密码")
}

// EndSessionsSubmit ends the account's sessions: all, or the one :sid.
func (s *Handlers) EndSessionsSubmit(c *gin.Context) {
	u, ok := s.accountParam(c)
	if !ok {
		return
	}
	if err := s.endSessions(c, u.ID); err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, accountLink(u.ID)+"#sessions", "account-sessions-ended")
}

// accountParam loads the account :id or shows that there is none.
func (s *Handlers) accountParam(c *gin.Context) (users.User, bool) {
	u, err := s.findAccount(c)
	if err != nil {
		s.ConsoleError(c, err)
	}
	return u, err == nil
}

// chosen is the set of channels, for the form's check boxes.
func chosen(channels []string) map[string]bool {
	m := map[string]bool{}
	for _, c := range channels {
		m[c] = true
	}
	return m
}

func accountLink(id int64) string { return "/console/accounts/" + strconv.FormatInt(id, 10) }
