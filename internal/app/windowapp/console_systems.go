package windowapp

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/bizsys"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/units"
)

// systemRow is one business system on the page, with its units' names and
// its tokens.
type systemRow struct {
	bizsys.System
	UnitNames []string
	Tokens    httpx.TokenTable
}

type systemsPageData struct {
	httpx.BasePage
	Rows     []systemRow
	Units    []units.Unit
	Form     bizsys.Input
	Errs     map[string]string
	Endpoint string
}

// Chosen reports whether the add form had the unit ticked.
func (d systemsPageData) Chosen(id int64) bool { return slices.Contains(d.Form.UnitIDs, id) }

const systemsPath = "/console/business-systems"

func systemPath(id int64) string { return systemsPath + "/" + strconv.FormatInt(id, 10) }

// SystemsPage lists the business systems with their units and tokens.
func (s *Handlers) SystemsPage(c *gin.Context) { s.showSystems(c, http.StatusOK, nil) }

// showSystems renders the page, with fill setting the add form's input
// and errors.
func (s *Handlers) showSystems(c *gin.Context, status int, fill func(*systemsPageData)) {
	d := systemsPageData{BasePage: s.Base(c, "业务系统", "units"), Endpoint: s.Config.PublicBaseURL + "/api/v1/business"}
	list, err := bizsys.List(c, s.Pool)
	if err == nil {
		d.Units, err = units.ListUnits(c, s.Pool, nil)
	}
	var tokens []bizsys.Token
	if err == nil {
		ids := make([]int64, len(list))
		for i, sys := range list {
			ids[i] = sys.ID
		}
		tokens, err = bizsys.ListTokens(c, s.Pool, ids)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	names := make(map[int64]string, len(d.Units))
	for _, u := range d.Units {
		names[u.ID] = u.Name
	}
	for _, sys := range list {
		row := systemRow{System: sys, Tokens: tokenTable(sys, tokens, d.CSRF)}
		for _, id := range sys.UnitIDs {
			row.UnitNames = append(row.UnitNames, names[id])
		}
		d.Rows = append(d.Rows, row)
	}
	if fill != nil {
		fill(&d)
	}
	s.Render(c, status, "console/business_systems.html", d)
}

// tokenTable lists the system's tokens; those in use can be revoked.
func tokenTable(sys bizsys.System, tokens []bizsys.Token, csrf string) httpx.TokenTable {
	t := httpx.TokenTable{Active: "有效", LastUsed: "最近使用", NeverUsed: "未使用", LastUsedSmall: true,
		Created: "签发时间", Empty: "还没有令牌。", CSRF: csrf}
	for _, tok := range tokens {
		if tok.SystemID != sys.ID {
			continue
		}
		row := httpx.TokenRow{Hint: tok.Hint, CreatedAt: tok.CreatedAt, LastUsed: tok.LastUsedAt, RevokedAt: tok.RevokedAt}
		if tok.RevokedAt == nil {
			row.RevokeURL = systemPath(sys.ID) + "/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
			row.Confirm = "确定吊销该令牌吗？吊销后立即失效，业务系统须换用新令牌。"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// CreateSystemSubmit adds a business system.
func (s *Handlers) CreateSystemSubmit(c *gin.Context) {
	in := bizsys.Input{Name: c.PostForm("name"), UnitIDs: formIDs(c, "unit_ids")}
	var sys bizsys.System
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		sys, err = bizsys.Create(c, tx, httpx.CurrentUser(c).Actor(), in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showSystems(c, http.StatusUnprocessableEntity, func(d *systemsPageData) { d.Form, d.Errs = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, systemsPath+"#system-"+strconv.FormatInt(sys.ID, 10), "business_system_created")
}

// DisableSystemSubmit disables a system; EnableSystemSubmit enables it again.
func (s *Handlers) DisableSystemSubmit(c *gin.Context) {
	s.setDisabled(c, true, "business_system_disabled")
}
func (s *Handlers) EnableSystemSubmit(c *gin.Context) {
	s.setDisabled(c, false, "business_system_enabled")
}

func (s *Handlers) setDisabled(c *gin.Context, disabled bool, flash string) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := bizsys.SetDisabled(c, tx, httpx.CurrentUser(c).Actor(), id, disabled)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, systemsPath+"#system-"+strconv.FormatInt(id, 10), flash)
}

type systemTokenData struct {
	httpx.BasePage
	System   bizsys.System
	Token    string
	Endpoint string
	Back     string
}

// IssueTokenSubmit issues a token and shows it on the result page, the
// only time it is ever shown.
func (s *Handlers) IssueTokenSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var sys bizsys.System
	var token string
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			if _, token, err = bizsys.IssueToken(c, tx, httpx.CurrentUser(c).Actor(), id); err != nil {
				return err
			}
			sys, err = bizsys.Find(c, tx, id)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := systemTokenData{BasePage: s.Base(c, "业务系统令牌已签发", "units"), System: sys, Token: token,
		Endpoint: s.Config.PublicBaseURL + "/api/v1/business", Back: systemsPath + "#system-" + strconv.FormatInt(id, 10)}
	c.Header("Referrer-Policy", "no-referrer")
	s.Render(c, http.StatusCreated, "console/business_system_token.html", d)
}

// RevokeTokenSubmit revokes one of the system's tokens at once.
func (s *Handlers) RevokeTokenSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var tokenID int64
	if err == nil {
		tokenID, err = httpx.IDParam(c, "token_id")
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := bizsys.RevokeToken(c, tx, httpx.CurrentUser(c).Actor(), id, tokenID)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, systemsPath+"#system-"+strconv.FormatInt(id, 10), "business_system_token_revoked")
}
