package surveysapp

import (
	"bytes"
	"encoding/csv"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/skip2/go-qrcode"
	"github.com/xuri/excelize/v2"

	"minyi/internal/httpx"
	"minyi/internal/office"
	"minyi/internal/surveys"
	"minyi/internal/units"
)

// lettersPerPrint is how many invitation letters one print page holds.
const lettersPerPrint = 300

// invitationQR is the PNG of a QR code of an invitation link.
func invitationQR(link string, size int) ([]byte, error) {
	return qrcode.Encode(link, qrcode.Medium, size)
}

// invitationRows loads the survey of the path and its respondents chosen
// by the query (group, status, q, or one id), each with its row.
func (s *Handlers) invitationRows(c *gin.Context, f surveys.RespondentFilter) (surveys.Survey, []respondentRow, int, error) {
	sv, err := s.surveyFromPath(c)
	if err != nil {
		return sv, nil, 0, err
	}
	if f.ID, _ = strconv.ParseInt(c.Query("id"), 10, 64); f.ID < 0 {
		f.ID = 0
	}
	list, total, err := surveys.ListRespondents(c, s.Pool, sv.ID, f)
	if err != nil {
		return sv, nil, 0, err
	}
	all, err := units.ListUnits(c, s.Pool, nil)
	if err != nil {
		return sv, nil, 0, err
	}
	names := map[int64]string{}
	for _, u := range all {
		names[u.ID] = u.Name
	}
	rows := make([]respondentRow, len(list))
	for i, r := range list {
		if rows[i], err = s.respondentRow(httpx.CurrentUser(c), sv, r, names); err != nil {
			return sv, nil, 0, err
		}
	}
	return sv, rows, total, nil
}

// RespondentQR serves the QR code of a respondent's invitation link;
// ?download=1 saves it as a file.
func (s *Handlers) RespondentQR(c *gin.Context) {
	surveyID, id, err := respondentFromPath(c)
	var r surveys.Respondent
	if err == nil {
		r, err = surveys.FindRespondent(c, s.Pool, surveyID, id)
	}
	var token string
	if err == nil {
		token, err = r.Token(s.Keys)
	}
	var png []byte
	if err == nil {
		png, err = invitationQR(s.invitationURL(token), 512)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	c.Header("Cache-Control", "private, no-store")
	if c.Query("download") != "" {
		httpx.Attachment(c, "invitation-"+strconv.FormatInt(r.ID, 10)+".png", "邀请二维码-"+r.Name+".png")
	}
	c.Data(http.StatusOK, "image/png", png)
}

type letterView struct {
	Name, Organisation, GroupName, Link string
	QR                                  template.URL
}

type lettersPageData struct {
	httpx.BasePage
	Survey   surveys.Survey
	Intro    string
	ClosesAt *time.Time
	Letters  []letterView
	Total    int
	Pager    httpx.Pager
	Back     string
	// Signer and Date sign the letters (office.Profile).
	Signer string
	Date   time.Time
}

// InvitationLetters shows printable invitation letters, an A4 page each,
// for the respondents chosen by the query.
func (s *Handlers) InvitationLetters(c *gin.Context) {
	page := httpx.PageParam(c)
	f := respondentFilter(c)
	f.Limit, f.Offset = lettersPerPrint, (page-1)*lettersPerPrint
	sv, rows, total, err := s.invitationRows(c, f)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	p, err := office.Find(c, s.Pool)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := lettersPageData{BasePage: s.Base(c, "邀请函 - "+sv.Title, "surveys"), Survey: sv, Intro: sv.Intro,
		ClosesAt: sv.ClosesAt, Total: total, Back: surveyPath(sv.ID) + "?tab=respondents", Signer: p.Signer(),
		Date: s.Now().In(s.Config.Location)}
	d.Bare = true
	if d.Intro == "" {
		d.Intro = defaultIntro
	}
	for _, r := range rows {
		qr, err := httpx.QRDataURL(r.Link, 320)
		if err != nil {
			s.ConsoleError(c, err)
			return
		}
		d.Letters = append(d.Letters, letterView{Name: r.Name, Organisation: r.Organisation, GroupName: r.GroupName,
			Link: r.Link, QR: qr})
	}
	d.Pager = httpx.NewPager(page, lettersPerPrint, total, func(n int) string {
		v := c.Request.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return surveyPath(sv.ID) + "/letters?" + v.Encode()
	})
	s.Render(c, http.StatusOK, "console/survey_letters.html", d)
}

// linkHeader is the header of a links export.
var linkHeader = []string{"姓名", "群体", "工作单位", "手机", "邀请链接", "状态"}

// linkRecords lists the chosen respondents as export rows, phones masked.
func (s *Handlers) linkRecords(c *gin.Context) (surveys.Survey, [][]string, error) {
	f := respondentFilter(c)
	f.All = true
	sv, rows, _, err := s.invitationRows(c, f)
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = []string{r.Name, r.GroupName, r.Organisation, httpx.Deref(r.PhoneMask), r.Link, r.StatusLabel}
	}
	return sv, out, err
}

func exportName(sv surveys.Survey, ext string) string {
	return "邀请链接-" + sv.Title + ext
}

// InvitationLinksCSV exports the chosen respondents' links as CSV (UTF-8
// with a byte-order mark, so Excel shows Chinese right).
func (s *Handlers) InvitationLinksCSV(c *gin.Context) {
	sv, records, err := s.linkRecords(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	_ = w.Write(linkHeader)
	_ = w.WriteAll(records)
	httpx.Attachment(c, "invitations.csv", exportName(sv, ".csv"))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// InvitationLinksXLSX exports the chosen respondents' links as a workbook.
func (s *Handlers) InvitationLinksXLSX(c *gin.Context) {
	sv, records, err := s.linkRecords(c)
	var buf *bytes.Buffer
	if err == nil {
		buf, err = linksWorkbook(records)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	httpx.Attachment(c, "invitations.xlsx", exportName(sv, ".xlsx"))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, httpx.XLSXType, buf.Bytes())
}

// linksWorkbook writes the header and records on one sheet, 邀请链接.
func linksWorkbook(records [][]string) (*bytes.Buffer, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "邀请链接"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	w, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	for col, width := range []float64{12, 16, 24, 14, 60, 10} {
		if err := w.SetColWidth(col+1, col+1, width); err != nil {
			return nil, err
		}
	}
	head := make([]any, len(linkHeader))
	for i, h := range linkHeader {
		head[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := w.SetRow("A1", head); err != nil {
		return nil, err
	}
	for i, rec := range records {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := w.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return f.WriteToBuffer()
}
