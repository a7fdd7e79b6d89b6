package agenciesapp

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/sheet"
	"minyi/internal/surveys"
)

// mappingSamples is how many values of each column the mapping step shows.
const mappingSamples = 3

func mappingPath(agencyID, fileID int64) string {
	return agencyPath(agencyID) + "/mappings/" + strconv.FormatInt(fileID, 10)
}

type mappingPageData struct {
	httpx.BasePage
	Agency     agencies.Agency
	Survey     surveys.Survey
	AgencyLink string
	SurveyLink string
	Action     string
	Filename   string
	Rows       int
	Reason     string
	Warnings   []string
	Err        string
	Columns    []mappingColumn
	Options    []mappingOption
	Numbers    string
	CodePrefix string
	NoAnswer   string
}

// mappingColumn is one column of the file on the mapping step.
type mappingColumn struct {
	Index   int
	Letter  string
	Header  string
	Samples []string
	Value   string // the selected option
}

type mappingOption struct{ Value, Label string }

// mappingOptions are the fields a column may fill; an aspect is
// "aspect:<key>".
func mappingOptions(sv surveys.Survey) []mappingOption {
	out := []mappingOption{{agencies.MapIgnore, "忽略此列"}, {agencies.MapResponseID, "答卷编号"}, {agencies.MapUnit, "单位"},
		{agencies.MapGroup, "受访群体"}, {agencies.MapDate, "日期"}, {agencies.MapLevel, "总体满意度"}}
	for _, q := range sv.Aspects() {
		out = append(out, mappingOption{agencies.MapAspect + ":" + q.Key, "评价项：" + q.Text})
	}
	return append(out, mappingOption{agencies.MapOpinion, "意见建议"})
}

func optionValue(c agencies.ColumnMapping) string {
	if c.Field == agencies.MapAspect {
		return agencies.MapAspect + ":" + c.Aspect
	}
	return c.Field
}

// columnValues returns, for each column of the header, the option m gives
// it ("" when m does not name it).
func columnValues(header []string, m agencies.Mapping) []string {
	out := make([]string, len(header))
	used := make([]bool, len(m.Columns))
	norm := func(h string) string { return strings.ToLower(strings.TrimSpace(h)) }
	for pass := 0; pass < 2; pass++ { // first the same header at the same position, then the same header
		for i, h := range header {
			if out[i] != "" {
				continue
			}
			for ci, c := range m.Columns {
				same := norm(c.Header) == norm(h) && (norm(h) != "" || c.Position == i+1)
				if used[ci] || !same || (pass == 0 && c.Position != i+1) {
					continue
				}
				out[i], used[ci] = optionValue(c), true
				break
			}
		}
	}
	return out
}

// loadMappingStep finds the agency, its survey and the kept file, and reads it.
func (s *Handlers) loadMappingStep(c *gin.Context) (d mappingPageData, f agencies.PendingFile, t *sheet.Table, err error) {
	id, err := httpx.IDParam(c, "id")
	var fileID int64
	if err == nil {
		fileID, err = httpx.IDParam(c, "file_id")
	}
	if err == nil {
		d.Agency, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err == nil {
		d.Survey, err = surveys.FindSurvey(c, s.Pool, d.Agency.SurveyID)
	}
	if err == nil {
		f, err = agencies.FindPendingFile(c, s.Pool, id, fileID, s.Now())
	}
	if err == nil {
		t, err = sheet.Read(c, f.Data, agencies.MaxRows)
	}
	d.BasePage = s.Base(c, "设置字段对应 - "+d.Agency.Name, "surveys")
	d.AgencyLink, d.SurveyLink, d.Action = agencyPath(id), surveyPath(d.Survey.ID), mappingPath(id, fileID)
	d.Filename, d.Options = f.Filename, mappingOptions(d.Survey)
	if t != nil {
		d.Rows = len(t.Rows)
	}
	return d, f, t, err
}

// fillColumns sets the page's columns from the file and the mapping m,
// columns m does not name taking the guess's field.
func fillColumns(d *mappingPageData, t *sheet.Table, m, guess agencies.Mapping) {
	vals, guessed := columnValues(t.Header, m), columnValues(t.Header, guess)
	d.Columns = nil
	for i, h := range t.Header {
		col := mappingColumn{Index: i, Letter: sheet.ColumnName(i), Header: strings.TrimSpace(h), Value: cmpOr(vals[i], guessed[i], agencies.MapIgnore)}
		for _, r := range t.Rows {
			if len(col.Samples) == mappingSamples {
				break
			}
			if i < len(r.Cells) && strings.TrimSpace(r.Cells[i]) != "" {
				col.Samples = append(col.Samples, strings.TrimSpace(r.Cells[i]))
			}
		}
		d.Columns = append(d.Columns, col)
	}
	d.Numbers, d.CodePrefix = cmpOr(m.Levels.Numbers, agencies.NumbersAreLevels), m.Levels.CodePrefix
	noAnswer := m.Levels.NoAnswer
	if noAnswer == nil {
		noAnswer = agencies.DefaultNoAnswer
	}
	d.NoAnswer = strings.Join(slices.DeleteFunc(slices.Clone(noAnswer), func(v string) bool { return v == "" }), "\n")
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// AgencyMappingPage shows the mapping step of a kept file: each column of
// the file with a few values and the field it fills, pre-filled from the
// saved mapping or a guess, and how level cells are read.
func (s *Handlers) AgencyMappingPage(c *gin.Context) {
	d, _, t, err := s.loadMappingStep(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	guess, warnings := agencies.GuessMappingWithWarnings(t.Header, d.Survey)
	start := guess
	d.Reason = "文件的表头不是本系统的上传模板，请为每一列选择对应的字段，保存后即导入；以后该机构上传同样格式的文件将自动沿用。"
	if saved, err := agencies.FindMapping(c, s.Pool, d.Agency.ID, d.Survey.ID); err == nil {
		start = saved.Mapping
		d.Reason = "已保存的字段对应设置与此文件不完全相符，请核对各列对应的字段，保存后即导入。"
	} else if apperr.From(err).Code != apperr.NotFound {
		s.ConsoleError(c, err)
		return
	} else {
		d.Warnings = warnings
	}
	fillColumns(&d, t, start, guess)
	s.Render(c, http.StatusOK, "console/agency_mapping.html", d)
}

// mappingFromForm reads the mapping step's form for the file's header.
func mappingFromForm(c *gin.Context, header []string) agencies.Mapping {
	var m agencies.Mapping
	for i, h := range header {
		v := c.PostForm("field_" + strconv.Itoa(i))
		h = strings.TrimSpace(h)
		if v == "" || (h == "" && v == agencies.MapIgnore) {
			v = agencies.MapIgnore
			if h == "" {
				continue
			}
		}
		col := agencies.ColumnMapping{Header: h, Position: i + 1, Field: v}
		if key, ok := strings.CutPrefix(v, agencies.MapAspect+":"); ok {
			col.Field, col.Aspect = agencies.MapAspect, key
		}
		m.Columns = append(m.Columns, col)
	}
	m.Levels.Numbers = c.PostForm("numbers")
	m.Levels.CodePrefix = strings.TrimSpace(c.PostForm("code_prefix"))
	// The blank cell stays in the list, so a list cleared on the page is
	// saved as "only blank cells" rather than as the default.
	m.Levels.NoAnswer = []string{""}
	for _, line := range strings.Split(c.PostForm("no_answer"), "\n") {
		if line = strings.TrimSpace(line); line != "" && !slices.Contains(m.Levels.NoAnswer, line) {
			m.Levels.NoAnswer = append(m.Levels.NoAnswer, line)
		}
	}
	return m
}

// AgencyMappingSubmit saves the mapping of the step's form for the agency
// and survey and imports the kept file with it; a mapping that is wrong or
// does not fit the file shows the step again with the reason.
func (s *Handlers) AgencyMappingSubmit(c *gin.Context) {
	d, f, t, err := s.loadMappingStep(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	m := mappingFromForm(c, t.Header)
	again := func(status int, msg string) {
		d.Err = msg
		fillColumns(&d, t, m, m)
		s.Render(c, status, "console/agency_mapping.html", d)
	}
	if err := m.Validate(d.Survey); err != nil {
		again(http.StatusUnprocessableEntity, apperr.From(err).Message)
		return
	}
	actor := httpx.CurrentUser(c).Actor()
	up, err := s.storeAgencyUpload(c, d.Agency, nil, &actor, func(sv surveys.Survey) (agencies.UploadInput, error) {
		return agencies.ReadFileWithMapping(c, f.Data, f.Filename, sv, &m)
	})
	var need *agencies.MappingNeeded
	if errors.As(err, &need) {
		again(http.StatusUnprocessableEntity, need.Reason)
		return
	}
	if err != nil {
		e := apperr.From(err)
		switch e.Code {
		case apperr.Invalid, apperr.SurveyClosed, apperr.SurveyNotOpen, apperr.Unavailable:
			again(apperr.Status(e.Code), e.Message)
		default:
			s.ConsoleError(c, err)
		}
		return
	}
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error { return agencies.SaveMapping(c, tx, d.Agency, m, &actor, s.Now()) })
	if err == nil {
		err = agencies.DeletePendingFile(c, s.Pool, f.ID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, uploadPath(d.Agency.ID, up.ID), "agency_mapping_done")
}
