package accountsapp

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/users"
)

// The office's accounts API (issue 13; docs/api.md, "Accounts"). Every
// route but the session's own is the office's (internal/server routes them
// behind s.Office).

// userBody is the body of POST /api/v1/users and PATCH /api/v1/users/{id}.
// UnitID stays raw so that a PATCH can tell "unit_id": null (no unit) from
// no unit_id at all.
type userBody struct {
	Username string          `json:"username"`
	Role     *string         `json:"role"`
	UnitID   json.RawMessage `json:"unit_id"`
	Name     *string         `json:"name"`
	Mobile   *string         `json:"mobile"`
	Email    *string         `json:"email"`
	Disabled *bool           `json:"disabled"`
	// NotifyChannels replaces the channels besides the inbox: "email", "sms".
	NotifyChannels *[]string `json:"notify_channels"`
}

// unitID returns the body's unit_id: set says whether it was sent.
func (b userBody) unitID() (id *int64, set bool, err error) {
	if len(b.UnitID) == 0 {
		return nil, false, nil
	}
	if err := json.Unmarshal(b.UnitID, &id); err != nil {
		return nil, true, apperr.InvalidField("unit_id", "字段类型错误，应为 int64")
	}
	return id, true, nil
}

// profile returns the profile of the body over the user's current one.
func (b userBody) profile(cur users.User) *users.Profile {
	if b.Name == nil && b.Mobile == nil && b.Email == nil {
		return nil
	}
	p := users.Profile{Name: cur.Name, Mobile: cur.Mobile, Email: cur.Email}
	for dst, src := range map[*string]*string{&p.Name: b.Name, &p.Mobile: b.Mobile, &p.Email: b.Email} {
		if src != nil {
			*dst = *src
		}
	}
	return &p
}

// APIListUsers lists the accounts: ?role=, ?unit_id=, ?q= (part of the
// username or name), ?disabled=true|false, ?limit= (1–500, 100), ?offset=.
func (s *Handlers) APIListUsers(c *gin.Context) {
	f := users.Filter{Role: c.Query("role"), Search: c.Query("q")}
	var err error
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	if v := c.Query("unit_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.APIError(c, apperr.InvalidField("unit_id", "unit_id 须为数字"))
			return
		}
		f.UnitID = &id
	}
	switch c.Query("disabled") {
	case "":
	case "true", "false":
		v := c.Query("disabled") == "true"
		f.Disabled = &v
	default:
		s.APIError(c, apperr.InvalidField("disabled", "disabled 须为 true 或 false"))
		return
	}
	page, err := users.List(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, page)
}

// APICreateUser creates an account with a generated initial password,
// shown once in the answer and to be changed at the first sign-in.
func (s *Handlers) APICreateUser(c *gin.Context) {
	var b userBody
	if err := httpx.BindJSON(c, &b, 8<<10); err != nil {
		s.APIError(c, err)
		return
	}
	unitID, _, err := b.unitID()
	if err != nil {
		s.APIError(c, err)
		return
	}
	n := users.NewUser{Username: b.Username, UnitID: unitID}
	if b.Role != nil {
		n.Role = *b.Role
	}
	if p := b.profile(users.User{}); p != nil {
		n.Profile = *p
	}
	cred, err := users.IssueUser(c, s.Pool, httpx.CurrentUser(c).Actor(), n)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"user": cred.User, "initial_password": cred.Password})
}

// emptyBody reads a request body that must be a JSON object ({}): a write
// acts only on a well-formed request.
func emptyBody(c *gin.Context) error {
	var v struct{}
	return httpx.BindJSON(c, &v, 1<<10)
}

// APIIssueUnitAccounts gives every unit without an active account one.
func (s *Handlers) APIIssueUnitAccounts(c *gin.Context) {
	if err := emptyBody(c); err != nil {
		s.APIError(c, err)
		return
	}
	out, err := s.issueUnitAccounts(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	if out == nil {
		out = []users.Credential{}
	}
	c.JSON(http.StatusCreated, gin.H{"created": len(out), "items": out})
}

// APIGetUser shows an account with its live sessions.
func (s *Handlers) APIGetUser(c *gin.Context) {
	u, ok := s.userParam(c)
	if !ok {
		return
	}
	sessions, err := users.ListSessions(c, s.Pool, u.ID, "")
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": u, "sessions": sessions})
}

// APIUpdateUser changes an account's profile, role and unit, or disables
// ("disabled": true, which ends its sessions at once) or re-enables it.
func (s *Handlers) APIUpdateUser(c *gin.Context) {
	cur, ok := s.userParam(c)
	if !ok {
		return
	}
	var b userBody
	if err := httpx.BindJSON(c, &b, 8<<10); err != nil {
		s.APIError(c, err)
		return
	}
	if b.Username != "" && b.Username != cur.Username {
		s.APIError(c, apperr.InvalidField("username", "用户名不能修改；请新建账号并停用旧账号"))
		return
	}
	unitID, unitSet, err := b.unitID()
	if err != nil {
		s.APIError(c, err)
		return
	}
	p := users.Patch{Profile: b.profile(cur), Disabled: b.Disabled, Role: b.Role, UnitID: unitID, NotifyChannels: b.NotifyChannels}
	if p.Role == nil && unitSet {
		p.Role = &cur.Role
	} else if p.Role != nil && !unitSet && *p.Role == cur.Role {
		p.UnitID = cur.UnitID
	}
	u, err := s.updateAccount(c, cur.ID, p)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"user": u})
}

// APIResetPassword gives an account a temporary password, shown once.
func (s *Handlers) APIResetPassword(c *gin.Context) {
	u, ok := s.userParam(c)
	if !ok {
		return
	}
	if err := emptyBody(c); err != nil {
		s.APIError(c, err)
		return
	}
	password, err := s.resetPassword(c, u.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"temporary_password": password})
}

// APIEndSessions ends an account's sessions: all of them, or the one
// named by :sid.
func (s *Handlers) APIEndSessions(c *gin.Context) {
	u, ok := s.userParam(c)
	if !ok {
		return
	}
	if err := s.endSessions(c, u.ID); err != nil {
		s.APIError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// APIChangeOwnPassword changes the signed-in user's password.
func (s *Handlers) APIChangeOwnPassword(c *gin.Context) {
	var b struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := httpx.BindJSON(c, &b, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	if err := s.changeOwnPassword(c, b.Current, b.New); err != nil {
		s.APIError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// userParam loads the account named by :id, or answers not_found.
func (s *Handlers) userParam(c *gin.Context) (users.User, bool) {
	u, err := s.findAccount(c)
	if err != nil {
		s.APIError(c, err)
	}
	return u, err == nil
}
