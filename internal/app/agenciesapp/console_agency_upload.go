package agenciesapp

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/agencies"
	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

// AgencyUploadSubmit uploads a file an agency sent by e-mail, on its
// behalf; the upload is recorded with the staff member's name and audited.
// A file that cannot be taken shows the agency's page again with the
// reason; otherwise the report page follows.
func (s *Handlers) AgencyUploadSubmit(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	if err == nil {
		a, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	actor := httpx.CurrentUser(c).Actor()
	var data []byte
	var name string
	up, err := s.storeAgencyUpload(c, a, nil, &actor, func(sv surveys.Survey) (in agencies.UploadInput, err error) {
		data, name, err = httpx.UploadedFile(c, surveys.MaxFileBytes)
		if err != nil {
			return agencies.UploadInput{}, err
		}
		return agencies.ReadMappedFile(c, s.Pool, a, data, name, sv)
	})
	var need *agencies.MappingNeeded
	if errors.As(err, &need) {
		// Keep the file for the mapping step, which any instance may serve.
		fileID, kerr := agencies.KeepPendingFile(c, s.Pool, a.ID, name, data, &actor.ID, s.Now())
		if kerr != nil {
			s.ConsoleError(c, kerr)
			return
		}
		httpx.Redirect(c, mappingPath(id, fileID), "")
		return
	}
	if err != nil {
		e := apperr.From(err)
		switch e.Code {
		case apperr.Invalid, apperr.SurveyClosed, apperr.SurveyNotOpen, apperr.Unavailable:
			s.showAgencyForm(c, apperr.Status(e.Code), func(d *agencyPageData) { d.UploadErr = e.Message })
		default:
			s.ConsoleError(c, err)
		}
		return
	}
	httpx.Redirect(c, uploadPath(id, up.ID), "agency_upload_done")
}

func uploadPath(agencyID, uploadID int64) string {
	return agencyPath(agencyID) + "/uploads/" + strconv.FormatInt(uploadID, 10)
}

type agencyUploadPageData struct {
	httpx.BasePage
	Agency     agencies.Agency
	Upload     agencies.Upload
	Survey     surveys.Survey
	AgencyLink string
	SurveyLink string
	Errors     []reportRow
}

// reportRow is a problem of the report with the Chinese name of its field:
// the file's column header, or the question or field it stands for.
type reportRow struct {
	agencies.RowError
	Label string
}

// fieldLabels name the fields of a response row in Chinese.
var fieldLabels = map[string]string{"response_id": "答卷编号", "unit": "单位", "unit_id": "单位编号", "group": "受访群体",
	"level": "总体满意度", "aspects": "评价项", "opinion": "意见建议", "date": "日期", "_": "整行"}

func fieldLabel(field string, sv surveys.Survey) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	if key, ok := strings.CutPrefix(field, "aspects."); ok {
		for _, q := range sv.Aspects() {
			if q.Key == key {
				return q.Text
			}
		}
		return "评价项 " + key
	}
	return field
}

// AgencyUploadPage shows one upload of the agency with its row-by-row report.
func (s *Handlers) AgencyUploadPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var d agencyUploadPageData
	var uploadID int64
	if err == nil {
		uploadID, err = httpx.IDParam(c, "upload_id")
	}
	if err == nil {
		d.Agency, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err == nil {
		d.Upload, err = agencies.FindUpload(c, s.Pool, id, uploadID)
	}
	if err == nil {
		d.Survey, err = surveys.FindSurvey(c, s.Pool, d.Agency.SurveyID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.BasePage = s.Base(c, "上传报告 - "+d.Agency.Name, "surveys")
	d.AgencyLink, d.SurveyLink = agencyPath(id), surveyPath(d.Survey.ID)
	for _, e := range d.Upload.Report.Errors {
		label := e.Column
		if label == "" {
			label = fieldLabel(e.Field, d.Survey)
		}
		d.Errors = append(d.Errors, reportRow{RowError: e, Label: label})
	}
	s.Render(c, http.StatusOK, "console/agency_upload.html", d)
}

// AgencyTemplate downloads the survey's upload template for the agency.
func (s *Handlers) AgencyTemplate(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var a agencies.Agency
	if err == nil {
		a, err = agencies.FindAgency(c, s.Pool, id)
	}
	if err == nil {
		err = s.sendTemplate(c, a)
	}
	if err != nil {
		s.ConsoleError(c, err)
	}
}

// sendTemplate answers with the upload template of the agency's survey.
func (s *Handlers) sendTemplate(c *gin.Context, a agencies.Agency) error {
	cat, err := agencies.LoadCatalog(c, s.Pool, a.SurveyID)
	if err != nil {
		return err
	}
	data, err := agencies.TemplateXLSX(cat.Survey, cat.Listed())
	if err != nil {
		return err
	}
	httpx.Attachment(c, "template.xlsx", cat.Survey.Title+"-"+a.Name+"-答卷上传模板.xlsx")
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
	return nil
}
