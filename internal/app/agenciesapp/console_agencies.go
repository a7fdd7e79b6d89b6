package agenciesapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

func agencyPath(id int64) string { return "/console/agencies/" + strconv.FormatInt(id, 10) }

func surveyPath(id int64) string { return "/console/surveys/" + strconv.FormatInt(id, 10) }

func surveyAgenciesPath(surveyID int64) string { return surveyPath(surveyID) + "/agencies" }

type agenciesPageData struct {
	httpx.BasePage
	Survey      surveys.Survey
	StatusLabel string
	SurveyLink  string
	Rows        []agencyRow
	Form        agencies.Input
	Errors      map[string]string
}

type agencyRow struct {
	agencies.Summary
	Link    string
	Percent *int
}

// surveyStatusLabel names a survey's status, saying when an open survey is
// past its closing time.
func surveyStatusLabel(sv surveys.Survey, accepting bool) string {
	if sv.Status == surveys.StatusOpen && !accepting {
		return "已过截止时间"
	}
	return surveys.StatusLabel(sv.Status)
}

// AgenciesPage lists a survey's agencies with the form to add one.
func (s *Handlers) AgenciesPage(c *gin.Context) {
	s.showAgencies(c, http.StatusOK, agencies.Input{}, nil)
}

func (s *Handlers) showAgencies(c *gin.Context, status int, form agencies.Input, errs map[string]string) {
	id, err := httpx.IDParam(c, "id")
	var sv surveys.Survey
	var list []agencies.Summary
	if err == nil {
		sv, err = surveys.FindSurvey(c, s.Pool, id)
	}
	if err == nil {
		list, err = agencies.ListAgencies(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := agenciesPageData{BasePage: s.Base(c, "第三方调查机构 - "+sv.Title, "surveys"), Survey: sv,
		StatusLabel: surveyStatusLabel(sv, agencies.AcceptsUploads(sv, s.Now()) == nil), SurveyLink: surveyPath(sv.ID),
		Form: form, Errors: errs}
	for _, a := range list {
		d.Rows = append(d.Rows, agencyRow{Summary: a, Link: agencyPath(a.ID), Percent: agencies.Percent(a.Received, a.Target)})
	}
	s.Render(c, status, "console/agencies.html", d)
}

func agencyForm(c *gin.Context) agencies.Input {
	in := agencies.Input{Name: c.PostForm("name"), Contact: c.PostForm("contact")}
	in.Normalize()
	return in
}

// CreateAgencySubmit registers an agency from the survey's agencies page.
func (s *Handlers) CreateAgencySubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := agencyForm(c)
	var a agencies.Agency
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		a, err = agencies.CreateAgency(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showAgencies(c, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, agencyPath(a.ID), "agency_created")
}

// agencyPageData is an agency's page: its account, tokens, quotas and
// progress, uploads, and the forms with any errors they came back with.
type agencyPageData struct {
	httpx.BasePage
	Agency       agencies.Agency
	Survey       surveys.Survey
	StatusLabel  string
	Accepting    bool
	SurveyLink   string
	AgenciesLink string
	Tokens       httpx.TokenTable
	Units        []units.Unit
	Progress     agencies.Progress
	Uploads      []agencies.Upload
	Pager        httpx.Pager
	EditForm     agencies.Input
	EditErrs     map[string]string
	QuotaGroup   string
	QuotaUnit    string
	QuotaTarget  string
	QuotaErrs    map[string]string
	UploadErr    string
	TemplateLink string
	FileColumns  []string
	APIEndpoint  string
	MaxFileMB    int
	MaxRows      int
}

// uploadsPageSize is how many uploads the agency's page lists at a time.
const uploadsPageSize = 20

// loadAgencyPage reads the agency named in the path with everything its
// page shows; it shows the error page and returns false when it cannot.
func (s *Handlers) loadAgencyPage(c *gin.Context) (agencyPageData, bool) {
	var d agencyPageData
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		d.Agency, err = agencies.FindAgency(c, s.Pool, id)
	}
	var cat *agencies.Catalog
	if err == nil {
		cat, err = agencies.LoadCatalog(c, s.Pool, d.Agency.SurveyID)
	}
	var tokens []agencies.Token
	if err == nil {
		tokens, err = agencies.ListTokens(c, s.Pool, id)
	}
	if err == nil {
		d.Progress, err = agencies.AgencyProgress(c, s.Pool, d.Agency, cat.Survey)
	}
	page := httpx.PageParam(c)
	total := 0
	if err == nil {
		d.Uploads, total, err = agencies.ListUploads(c, s.Pool, id, uploadsPageSize, (page-1)*uploadsPageSize)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return d, false
	}
	a := d.Agency
	d.BasePage = s.Base(c, a.Name, "surveys")
	d.Tokens = tokenTable(id, tokens, d.CSRF)
	d.Survey, d.Units = cat.Survey, cat.Listed()
	d.Accepting = agencies.AcceptsUploads(d.Survey, s.Now()) == nil
	d.StatusLabel = surveyStatusLabel(d.Survey, d.Accepting)
	d.SurveyLink, d.AgenciesLink = surveyPath(d.Survey.ID), surveyAgenciesPath(d.Survey.ID)
	d.Pager = httpx.NewPager(page, uploadsPageSize, total, func(p int) string {
		return agencyPath(id) + "?page=" + strconv.Itoa(p) + "#uploads"
	})
	d.EditForm = agencies.Input{Name: a.Name, Contact: a.Contact}
	d.TemplateLink = agencyPath(id) + "/template.xlsx"
	for _, col := range agencies.FileColumns(d.Survey) {
		d.FileColumns = append(d.FileColumns, col.Names[0])
	}
	d.APIEndpoint = s.Config.PublicBaseURL + "/api/v1/agency"
	d.MaxFileMB, d.MaxRows = surveys.MaxFileBytes>>20, agencies.MaxRows
	return d, true
}

// tokenTable lists the agency's API tokens; those in use can be revoked.
func tokenTable(agencyID int64, tokens []agencies.Token, csrf string) httpx.TokenTable {
	t := httpx.TokenTable{Active: "有效", LastUsed: "最近使用", NeverUsed: "未使用", LastUsedSmall: true,
		Created: "签发时间", Empty: "还没有令牌。", CSRF: csrf}
	for _, tok := range tokens {
		row := httpx.TokenRow{Hint: tok.Hint, CreatedAt: tok.CreatedAt, LastUsed: tok.LastUsedAt, RevokedAt: tok.RevokedAt}
		if tok.RevokedAt == nil {
			row.RevokeURL = agencyPath(agencyID) + "/tokens/" + strconv.FormatInt(tok.ID, 10) + "/revoke"
			row.Confirm = "确定吊销该令牌吗？吊销后立即失效，且无法恢复。"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// AgencyPage shows an agency: its account, tokens, quotas, progress and uploads.
func (s *Handlers) AgencyPage(c *gin.Context) {
	if d, ok := s.loadAgencyPage(c); ok {
		s.Render(c, http.StatusOK, "console/agency.html", d)
	}
}

// showAgencyForm shows the agency's page again with a form's input and
// errors, filled in by fill.
func (s *Handlers) showAgencyForm(c *gin.Context, status int, fill func(*agencyPageData)) {
	if d, ok := s.loadAgencyPage(c); ok {
		fill(&d)
		s.Render(c, status, "console/agency.html", d)
	}
}

// UpdateAgencySubmit saves an agency's name and contact.
func (s *Handlers) UpdateAgencySubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in := agencyForm(c)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := agencies.UpdateAgency(c, tx, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if errs, ok := httpx.FieldErrors(err); ok {
		s.showAgencyForm(c, http.StatusUnprocessableEntity, func(d *agencyPageData) { d.EditForm, d.EditErrs = in, errs })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, agencyPath(id), "agency_updated")
}

// DisableAgencySubmit disables an agency, so none of its tokens is accepted.
func (s *Handlers) DisableAgencySubmit(c *gin.Context) {
	s.setAgencyDisabled(c, true, "agency_disabled")
}

// EnableAgencySubmit enables a disabled agency again.
func (s *Handlers) EnableAgencySubmit(c *gin.Context) {
	s.setAgencyDisabled(c, false, "agency_enabled")
}

func (s *Handlers) setAgencyDisabled(c *gin.Context, disabled bool, flash string) {
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := agencies.SetDisabled(c, tx, httpx.CurrentUser(c).Actor(), id, disabled)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, agencyPath(id), flash)
}

type agencyTokenData struct {
	httpx.BasePage
	Agency     agencies.Agency
	Token      string
	Endpoint   string
	Back       string
	AgencyLink string
}

// IssueAgencyTokenSubmit issues a token and shows it on the result page,
// the only time it is ever shown.
func (s *Handlers) IssueAgencyTokenSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	var token string
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			if _, token, err = agencies.IssueToken(c, tx, httpx.CurrentUser(c).Actor(), id); err != nil {
				return err
			}
			a, err = agencies.FindAgency(c, tx, id)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := agencyTokenData{BasePage: s.Base(c, "机构令牌已签发", "surveys"), Agency: a, Token: token,
		Endpoint: s.Config.PublicBaseURL + "/api/v1/agency", Back: agencyPath(id) + "#tokens", AgencyLink: agencyPath(id)}
	c.Header("Referrer-Policy", "no-referrer")
	s.Render(c, http.StatusCreated, "console/agency_token.html", d)
}

// RevokeAgencyTokenSubmit revokes one of the agency's tokens at once.
func (s *Handlers) RevokeAgencyTokenSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var tokenID int64
	if err == nil {
		tokenID, err = httpx.IDParam(c, "token_id")
	}
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := agencies.RevokeToken(c, tx, httpx.CurrentUser(c).Actor(), id, tokenID)
			return err
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, agencyPath(id)+"#tokens", "agency_token_revoked")
}

// SetAgencyQuotaSubmit sets one group's target for one unit or, with no
// unit chosen, for every unit.
func (s *Handlers) SetAgencyQuotaSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	group, unitField, targetField := c.PostForm("group_key"), c.PostForm("unit_id"), strings.TrimSpace(c.PostForm("target"))
	in := agencies.QuotaInput{GroupKey: group}
	errs := map[string]string{}
	if group == "" {
		errs["group_key"] = "请选择受访群体"
	}
	if unitField != "" {
		uid, err := strconv.ParseInt(unitField, 10, 64)
		if err != nil || uid <= 0 {
			errs["unit_id"] = "请选择有效的单位"
		}
		in.UnitID = &uid
	}
	if in.Target, err = httpx.ParseInt(targetField); err != nil || in.Target < 0 || in.Target > agencies.MaxTarget {
		errs["target"] = "目标样本量须为0到1000000之间的整数"
	}
	if len(errs) == 0 {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			_, err := agencies.SetQuotas(c, tx, httpx.CurrentUser(c).Actor(), id, []agencies.QuotaInput{in})
			return err
		})
		if fe, ok := httpx.FieldErrors(err); ok {
			for k, v := range fe {
				errs[strings.TrimPrefix(k, "items[0].")] = v
			}
		} else if err != nil {
			s.ConsoleError(c, err)
			return
		}
	}
	if len(errs) > 0 {
		s.showAgencyForm(c, http.StatusUnprocessableEntity, func(d *agencyPageData) {
			d.QuotaGroup, d.QuotaUnit, d.QuotaTarget, d.QuotaErrs = group, unitField, targetField, errs
		})
		return
	}
	httpx.Redirect(c, agencyPath(id)+"#quotas", "agency_quota_set")
}
