package accountsapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/office"
	"minyi/internal/units"
	"minyi/internal/users"
)

// The office's account pages (账号管理): the list with its filters and the
// forms to create one account or one for every unit; each account's page
// (account.go); credential letters (letters below). Initial and reset
// passwords are shown once, on the letters page the form's answer is.

// accountsPageSize is how many accounts a page of the list shows.
const accountsPageSize = 100

// roleOption is a role in a form's choice.
type roleOption struct{ Value, Label string }

var roleOptions = []roleOption{
	{users.RoleUnit, users.RoleNames[users.RoleUnit]},
	{users.RoleOffice, users.RoleNames[users.RoleOffice]},
	{users.RoleLeader, users.RoleNames[users.RoleLeader]},
}

// accountForm is the new-account form as typed.
type accountForm struct {
	Username, Name, Role, Mobile, Email string
	UnitID                              int64
	// Channels are the notification channels chosen (email, sms).
	Channels map[string]bool
}

type accountsPageData struct {
	httpx.BasePage
	Items     []users.Listed
	Pager     httpx.Pager
	Role      string // filters
	Status    string
	Q         string
	Unit      *units.Unit
	Roles     []roleOption
	Units     []units.Unit
	Form      accountForm
	Errors    map[string]string
	RoleNames map[string]string
	// Open keeps the new-account form open (after an error, or from a
	// unit's page).
	Open bool
	// Office signs the letters; SignatureErr refuses a name.
	Office       office.Profile
	SignatureErr string
}

// AccountsPage lists the accounts: ?role=, ?status=active|disabled, ?q=
// (part of the username or the name), ?unit_id=, ?page=.
func (s *Handlers) AccountsPage(c *gin.Context) {
	s.showAccounts(c, http.StatusOK, accountForm{Role: users.RoleUnit}, nil)
}

func (s *Handlers) showAccounts(c *gin.Context, status int, form accountForm, errs map[string]string, more ...func(*accountsPageData)) {
	d := accountsPageData{BasePage: s.Base(c, "账号管理", "accounts"), Role: c.Query("role"), Status: c.Query("status"),
		Q: c.Query("q"), Roles: roleOptions, Form: form, Errors: errs, RoleNames: users.RoleNames, Open: errs != nil || c.Query("new") != ""}
	f := users.Filter{Role: d.Role, Search: d.Q, Limit: accountsPageSize}
	if _, ok := users.RoleNames[d.Role]; !ok {
		f.Role, d.Role = "", ""
	}
	switch d.Status {
	case "active", "disabled":
		v := d.Status == "disabled"
		f.Disabled = &v
	default:
		d.Status = ""
	}
	if id, err := strconv.ParseInt(c.Query("unit_id"), 10, 64); err == nil {
		u, err := units.FindUnit(c, s.Pool, id)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		f.UnitID, d.Unit = &id, &u
		if d.Form.UnitID == 0 {
			d.Form.UnitID = id
		}
	}
	page := httpx.PageParam(c)
	f.Offset = (page - 1) * accountsPageSize
	list, err := users.List(c, s.Pool, f)
	if err == nil {
		d.Units, err = units.ListUnits(c, s.Pool, nil)
	}
	if err == nil {
		d.Office, err = office.Find(c, s.Pool)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.Items = list.Items
	d.Pager = httpx.NewPager(page, accountsPageSize, list.Total, func(p int) string {
		q := c.Request.URL.Query()
		q.Set("page", strconv.Itoa(p))
		return "/console/accounts?" + q.Encode()
	})
	d.Pager.Unit = "个"
	for _, f := range more {
		f(&d)
	}
	s.Render(c, status, "console/accounts.html", d)
}

// CreateAccountSubmit creates one account and shows its credential letter.
func (s *Handlers) CreateAccountSubmit(c *gin.Context) {
	form := accountForm{Username: c.PostForm("username"), Name: c.PostForm("name"), Role: c.PostForm("role"),
		Mobile: c.PostForm("mobile"), Email: c.PostForm("email")}
	n := users.NewUser{Username: form.Username, Role: form.Role,
		Profile: users.Profile{Name: form.Name, Mobile: form.Mobile, Email: form.Email}}
	if v := c.PostForm("unit_id"); v != "" && form.Role == users.RoleUnit {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.showAccounts(c, http.StatusUnprocessableEntity, form, map[string]string{"unit_id": "请选择所属单位"})
			return
		}
		form.UnitID, n.UnitID = id, &id
	}
	cred, err := users.IssueUser(c, s.Pool, httpx.CurrentUser(c).Actor(), n)
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showAccounts(c, http.StatusUnprocessableEntity, form, chineseRoleErrors(errs))
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showLetters(c, "新建账号", []users.Credential{s.withUnitName(c, cred)}, "初始密码")
}

// IssueUnitAccountsSubmit gives every unit without an account one and
// shows their credential letters.
func (s *Handlers) IssueUnitAccountsSubmit(c *gin.Context) {
	if c.PostForm("confirm") != "1" {
		s.ConsoleError(c, apperr.New(apperr.Invalid, "请在账号管理页面点击按钮并确认后再提交"))
		return
	}
	out, err := s.issueUnitAccounts(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	if len(out) == 0 {
		httpx.Redirect(c, "/console/accounts", "accounts-none-missing")
		return
	}
	s.showLetters(c, "单位账号", out, "初始密码")
}

// chineseRoleErrors rewords the role message for the form, which offers
// the roles by their Chinese names.
func chineseRoleErrors(errs map[string]string) map[string]string {
	if _, ok := errs["role"]; ok {
		errs["role"] = "请选择角色"
	}
	return errs
}

type lettersPageData struct {
	httpx.BasePage
	Letters []users.Credential
	// Kind names the password: 初始密码 or 临时密码.
	Kind    string
	SignIn  string
	Date    time.Time
	Roles   map[string]string
	Warning string
	Signer  string
}

// showLetters shows credential letters, one A4 page each: the only time
// the passwords are shown.
func (s *Handlers) showLetters(c *gin.Context, title string, list []users.Credential, kind string) {
	p, err := office.Find(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := lettersPageData{BasePage: s.Base(c, title+" · 账号通知书", "accounts"), Letters: list, Kind: kind,
		SignIn: s.Config.PublicBaseURL + "/login", Date: s.Now().In(s.Config.Location), Roles: users.RoleNames, Signer: p.Signer()}
	d.Bare = true
	c.Header("Cache-Control", "no-store")
	s.Render(c, http.StatusOK, "console/account_letters.html", d)
}

// SignatureSubmit saves the name the letters are signed with.
func (s *Handlers) SignatureSubmit(c *gin.Context) {
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := office.Save(c, tx, httpx.CurrentUser(c).Actor(), c.PostForm("office_name"), s.Now())
		return err
	})
	if apperr.Is(err, apperr.Invalid) {
		s.showAccounts(c, http.StatusUnprocessableEntity, accountForm{Role: users.RoleUnit}, nil, func(d *accountsPageData) {
			d.Office.Name, d.SignatureErr = c.PostForm("office_name"), apperr.From(err).Fields["name"]
		})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, "/console/accounts#signature", "signature-saved")
}
