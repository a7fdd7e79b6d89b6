package surveysapp

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
	"minyi/internal/units"
	"minyi/internal/users"
)

// respondentsPageSize is how many respondents the list shows a page.
const respondentsPageSize = 50

type respondentQuery struct {
	Group, Status, Search string
}

// values returns the filter as query parameters, leaving out empty ones.
func (q respondentQuery) values() url.Values {
	v := url.Values{}
	for k, val := range map[string]string{"group": q.Group, "status": q.Status, "q": q.Search} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v
}

type respondentRow struct {
	surveys.Respondent
	GroupName   string
	StatusLabel string
	Phone       string
	Units       string
	Link        string
	LetterURL   string
	QRURL       string
	DeleteURL   string
	CanDelete   bool
}

type respondentForm struct {
	Name, Group, Organisation, Phone string
	UnitIDs                          []int64
}

type option struct{ Value, Label string }

// unitPick is a unit offered in a respondent's list of units.
type unitPick struct {
	ID      int64
	Name    string
	Checked bool
}

// respondentsTab is the survey page's tab of respondents and invitations.
type respondentsTab struct {
	Q         respondentQuery
	Statuses  []option
	Rows      []respondentRow
	Pager     httpx.Pager
	Form      respondentForm
	FormErrs  map[string]string
	Units     []unitPick
	HasLists  bool // a group rates a list per respondent
	Closed    bool
	Import    *surveys.ImportReport
	ImportErr string
	Export    struct{ CSV, XLSX, Letters, Unsubmitted, Template string }
}

// showRespondents shows the respondents tab for the filter in the query;
// fill adds a form's input, errors or an import's report.
func (s *Handlers) showRespondents(c *gin.Context, status int, fill func(*surveyPageData)) {
	d, ok := s.loadSurveyPage(c, "respondents")
	if !ok {
		return
	}
	sv := d.Survey
	t := &d.Respondents
	t.Q = respondentQuery{Group: c.Query("group"), Status: c.Query("status"), Search: strings.TrimSpace(c.Query("q"))}
	for _, st := range []string{surveys.RespondentUnsubmitted, surveys.RespondentInvited, surveys.RespondentStarted, surveys.RespondentSubmitted} {
		t.Statuses = append(t.Statuses, option{st, surveys.RespondentStatusLabel(st)})
	}
	t.Closed = sv.Status == surveys.StatusClosed
	t.HasLists = slices.ContainsFunc(sv.Groups, func(g surveys.Group) bool { return !g.AllUnits })
	if t.Q.Status != "" && (surveys.RespondentFilter{Status: t.Q.Status}).Validate() != nil {
		t.Q.Status = ""
	}
	allUnits, err := units.ListUnits(c, s.Pool, nil)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	page := httpx.PageParam(c)
	f := surveys.RespondentFilter{Group: t.Q.Group, Status: t.Q.Status, Search: t.Q.Search,
		Limit: respondentsPageSize, Offset: (page - 1) * respondentsPageSize}
	list, total, err := surveys.ListRespondents(c, s.Pool, sv.ID, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	names := map[int64]string{}
	for _, u := range allUnits {
		names[u.ID] = u.Name
	}
	for _, r := range list {
		row, err := s.respondentRow(httpx.CurrentUser(c), sv, r, names)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		t.Rows = append(t.Rows, row)
	}
	base := surveyPath(sv.ID)
	t.Pager = httpx.NewPager(page, respondentsPageSize, total, func(n int) string {
		v := t.Q.values()
		v.Set("tab", "respondents")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return base + "?" + v.Encode()
	})
	query := ""
	if v := t.Q.values(); len(v) > 0 {
		query = "?" + v.Encode()
	}
	t.Export.CSV, t.Export.XLSX = base+"/links.csv"+query, base+"/links.xlsx"+query
	t.Export.Letters, t.Export.Template = base+"/letters"+query, base+"/template.csv"
	t.Export.Unsubmitted = base + "/letters?status=" + surveys.RespondentUnsubmitted
	if fill != nil {
		fill(&d)
	}
	for _, u := range allUnits {
		if t.HasLists {
			t.Units = append(t.Units, unitPick{ID: u.ID, Name: u.Name, Checked: slices.Contains(t.Form.UnitIDs, u.ID)})
		}
	}
	s.Render(c, status, "console/survey.html", d)
}

// respondentRow prepares a respondent for the list: names, the link, and
// the phone in full for roles that call back.
func (s *Handlers) respondentRow(u users.User, sv surveys.Survey, r surveys.Respondent, unitNames map[int64]string) (respondentRow, error) {
	token, err := r.Token(s.Keys)
	if err != nil {
		return respondentRow{}, apperr.Wrap(apperr.Internal, "服务器内部错误", err)
	}
	id := strconv.FormatInt(r.ID, 10)
	base := surveyPath(sv.ID)
	row := respondentRow{Respondent: r, GroupName: sv.GroupName(r.GroupKey), StatusLabel: surveys.RespondentStatusLabel(r.Status),
		Phone: s.respondentPhone(u, r), Link: s.invitationURL(token), LetterURL: base + "/letters?id=" + id,
		QRURL: respondentQRPath(r), DeleteURL: base + "/respondents/" + id + "/delete",
		CanDelete: r.Status != surveys.RespondentSubmitted && sv.Status != surveys.StatusClosed}
	if r.UnitIDs == nil {
		row.Units = "全部单位"
	} else {
		list := make([]string, 0, len(r.UnitIDs))
		for _, id := range r.UnitIDs {
			list = append(list, unitNames[id])
		}
		row.Units = strings.Join(list, "、")
	}
	return row, nil
}

// respondentPhone is the phone in full for the roles that call back
// (CALLBACK_ROLES), else its mask.
func (s *Handlers) respondentPhone(u users.User, r surveys.Respondent) string {
	if len(r.PhoneEnc) > 0 && slices.Contains(s.Config.CallbackRoles, u.Role) {
		if p, err := s.Keys.Decrypt(r.PhoneEnc); err == nil {
			return p
		}
	}
	return httpx.Deref(r.PhoneMask)
}

// AddRespondentSubmit adds a respondent from the survey's respondents tab;
// the same person added again is not added twice.
func (s *Handlers) AddRespondentSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "问卷不存在"))
		return
	}
	form := respondentForm{Name: c.PostForm("name"), Group: c.PostForm("group"), Organisation: c.PostForm("organisation"),
		Phone: c.PostForm("phone")}
	for _, v := range c.PostFormArray("unit_ids") {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			form.UnitIDs = append(form.UnitIDs, n)
		}
	}
	in := surveys.RespondentInput{Name: form.Name, Group: form.Group, Organisation: form.Organisation, Phone: form.Phone,
		UnitIDs: form.UnitIDs}
	var added bool
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		_, added, err = surveys.AddRespondent(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id, in)
		return err
	})
	if e := apperr.From(err); err != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict) {
		errs := e.Fields
		if len(errs) == 0 {
			errs = map[string]string{"_": e.Message}
		}
		s.showRespondents(c, apperr.Status(e.Code), func(d *surveyPageData) {
			d.Respondents.Form, d.Respondents.FormErrs = form, errs
		})
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	flash := "respondent_added"
	if !added {
		flash = "respondent_exists"
	}
	httpx.Redirect(c, surveyPath(id)+"?tab=respondents#respondents", flash)
}

// DeleteRespondentSubmit deletes a respondent; its invitation link stops working.
func (s *Handlers) DeleteRespondentSubmit(c *gin.Context) {
	surveyID, id, err := respondentFromPath(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			return surveys.DeleteRespondent(c, tx, httpx.CurrentUser(c).Actor(), surveyID, id)
		})
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, surveyPath(surveyID)+"?tab=respondents#respondents", "respondent_deleted")
}

// ImportRespondentsSubmit imports a respondent list and shows its report
// on the respondents tab; a file that cannot be read shows why.
func (s *Handlers) ImportRespondentsSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.ConsoleError(c, apperr.New(apperr.NotFound, "问卷不存在"))
		return
	}
	data, name, err := httpx.UploadedFile(c, surveys.MaxFileBytes)
	var rep surveys.ImportReport
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			rep, err = surveys.ImportRespondents(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id, name, data)
			return err
		})
	}
	// Unavailable is the sheet reader's "busy": the page says so.
	if e := apperr.From(err); err != nil && (e.Code == apperr.Invalid || e.Code == apperr.Conflict || e.Code == apperr.Unavailable) {
		s.showRespondents(c, apperr.Status(e.Code), func(d *surveyPageData) { d.Respondents.ImportErr = e.Message })
		return
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	s.showRespondents(c, http.StatusOK, func(d *surveyPageData) { d.Respondents.Import = &rep })
}

// ImportTemplate downloads a CSV template of a respondent list.
func (s *Handlers) ImportTemplate(c *gin.Context) {
	sv, err := s.surveyFromPath(c)
	var list []units.Unit
	if err == nil {
		list, err = units.ListUnits(c, s.Pool, nil)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var examples []string
	for _, u := range list[:min(2, len(list))] {
		examples = append(examples, httpx.Deref(u.ShortCode))
		if u.ShortCode == nil {
			examples[len(examples)-1] = u.Name
		}
	}
	httpx.Attachment(c, "respondents-template.csv", "受访人名单模板.csv")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(surveys.ImportTemplate(sv, examples)))
}
