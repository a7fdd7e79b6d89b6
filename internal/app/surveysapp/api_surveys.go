package surveysapp

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/surveys"
)

// surveyBody is a survey as the API takes it. anonymous and allow_opinion
// default to true; groups default to every group of the cycle, each rating
// all units; closes_at is an RFC 3339 time or null.
type surveyBody struct {
	CycleID      int64              `json:"cycle_id"`
	Title        string             `json:"title"`
	Intro        string             `json:"intro"`
	Anonymous    *bool              `json:"anonymous"`
	AllowOpinion *bool              `json:"allow_opinion"`
	ClosesAt     *string            `json:"closes_at"`
	Questions    []surveys.Question `json:"questions"`
	Groups       []struct {
		Key      string `json:"key"`
		AllUnits *bool  `json:"all_units"`
	} `json:"groups"`
}

// input turns the body into the store's input; cycleID names the cycle
// whose groups are the default.
func (s *Handlers) surveyInput(c *gin.Context, b surveyBody, cycleID int64) (surveys.Input, error) {
	in := surveys.Input{CycleID: cycleID, Title: b.Title, Intro: b.Intro, Anonymous: true, AllowOpinion: true,
		Questions: b.Questions}
	if b.Anonymous != nil {
		in.Anonymous = *b.Anonymous
	}
	if b.AllowOpinion != nil {
		in.AllowOpinion = *b.AllowOpinion
	}
	var err error
	if in.ClosesAt, err = parseClosesAt(b.ClosesAt); err != nil {
		return in, err
	}
	if b.Groups == nil {
		cy, err := cycles.FindCycle(c, s.Pool, cycleID)
		if apperr.Is(err, apperr.NotFound) {
			return in, apperr.InvalidField("cycle_id", "请选择考核年度")
		}
		if err != nil {
			return in, err
		}
		for _, g := range cy.Config.Score.Groups {
			in.Groups = append(in.Groups, surveys.Group{Key: g.Key, AllUnits: true})
		}
		return in, nil
	}
	in.Groups = make([]surveys.Group, len(b.Groups))
	for i, g := range b.Groups {
		in.Groups[i] = surveys.Group{Key: g.Key, AllUnits: g.AllUnits == nil || *g.AllUnits}
	}
	return in, nil
}

// parseClosesAt reads an optional RFC 3339 time; "" and null mean none.
func parseClosesAt(v *string) (*time.Time, error) {
	if v == nil || *v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, *v)
	if err != nil {
		return nil, apperr.InvalidField("closes_at", "截止时间须为 RFC 3339 时间，如 2026-12-31T18:00:00+08:00")
	}
	return &t, nil
}

// APIListSurveys lists the surveys, of one cycle with ?cycle_id=, a page at
// a time.
func (s *Handlers) APIListSurveys(c *gin.Context) {
	f := surveys.Filter{}
	var err error
	if v := c.Query("cycle_id"); v != "" {
		if f.CycleID, err = strconv.ParseInt(v, 10, 64); err != nil || f.CycleID <= 0 {
			s.APIError(c, apperr.InvalidField("cycle_id", "cycle_id 须为正整数"))
			return
		}
	}
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := surveys.ListSurveys(c, s.Pool, f)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": list})
}

// APICreateSurvey creates a survey in draft.
func (s *Handlers) APICreateSurvey(c *gin.Context) {
	var b surveyBody
	if err := httpx.BindJSON(c, &b, 64<<10); err != nil {
		s.APIError(c, err)
		return
	}
	in, err := s.surveyInput(c, b, b.CycleID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return surveys.CreateSurvey(c, tx, httpx.CurrentUser(c).Actor(), in, s.Now())
	})
}

// APIGetSurvey answers with a survey.
func (s *Handlers) APIGetSurvey(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		sv, err := surveys.FindSurvey(c, s.Pool, id)
		if err != nil {
			s.APIError(c, err)
			return
		}
		c.JSON(http.StatusOK, sv)
	}
}

// APIUpdateSurvey replaces a draft survey's questions and settings.
func (s *Handlers) APIUpdateSurvey(c *gin.Context) {
	var b surveyBody
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.BindJSON(c, &b, 64<<10)
	}
	var cur surveys.Survey
	if err == nil {
		cur, err = surveys.FindSurvey(c, s.Pool, id)
	}
	var in surveys.Input
	if err == nil {
		in, err = s.surveyInput(c, b, cur.CycleID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return surveys.UpdateSurvey(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Now())
	})
}

// APISetSurveyClosesAt sets or clears (null) a survey's closing time.
func (s *Handlers) APISetSurveyClosesAt(c *gin.Context) {
	var b struct {
		ClosesAt *string `json:"closes_at"`
	}
	id, ok := s.PathIDAndBody(c, &b)
	if !ok {
		return
	}
	at, err := parseClosesAt(b.ClosesAt)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return surveys.SetClosesAt(c, tx, httpx.CurrentUser(c).Actor(), id, at, s.Now())
	})
}

// APIOpenSurvey opens a survey: its invitation links start taking answers
// and its questions freeze.
func (s *Handlers) APIOpenSurvey(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return surveys.OpenSurvey(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
		})
	}
}

// APICloseSurvey closes a survey: it takes no more answers.
func (s *Handlers) APICloseSurvey(c *gin.Context) {
	if id, ok := s.PathIDAndBody(c, nil); ok {
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return surveys.CloseSurvey(c, tx, httpx.CurrentUser(c).Actor(), id, s.Now())
		})
	}
}

// APISurveyProgress answers with a survey's response progress by group and
// in all.
func (s *Handlers) APISurveyProgress(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	sv, err := surveys.FindSurvey(c, s.Pool, id)
	var groups []surveys.GroupProgress
	var sum surveys.GroupProgress
	if err == nil {
		groups, sum, err = surveys.Progress(c, s.Pool, sv)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"survey_id": id, "groups": groups, "total": sum})
}

// respondentJSON is a respondent as the API shows it, with the invitation
// link and its QR code.
type respondentJSON struct {
	surveys.Respondent
	Link  string `json:"link"`
	QRPNG string `json:"qr_png"`
}

func (s *Handlers) respondentJSON(r surveys.Respondent) (respondentJSON, error) {
	token, err := r.Token(s.Keys)
	if err != nil {
		return respondentJSON{}, apperr.Wrap(apperr.Internal, "服务器内部错误", err)
	}
	return respondentJSON{Respondent: r, Link: s.invitationURL(token), QRPNG: respondentQRPath(r)}, nil
}

// invitationURL is the link a respondent opens.
func (s *Handlers) invitationURL(token string) string { return s.Config.PublicBaseURL + "/s/" + token }

func respondentQRPath(r surveys.Respondent) string {
	return surveyPath(r.SurveyID) + "/respondents/" + strconv.FormatInt(r.ID, 10) + "/qr.png"
}

// respondentFilter reads group, status and q (name or organisation) from
// the query.
func respondentFilter(c *gin.Context) surveys.RespondentFilter {
	return surveys.RespondentFilter{Group: c.Query("group"), Status: c.Query("status"), Search: c.Query("q")}
}

// APIListRespondents lists a survey's respondents, filtered by group, status
// and ?q=, a page at a time.
func (s *Handlers) APIListRespondents(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	f := respondentFilter(c)
	var err error
	if f.Limit, f.Offset, err = httpx.Paging(c); err != nil {
		s.APIError(c, err)
		return
	}
	if _, err = surveys.FindSurvey(c, s.Pool, id); err != nil {
		s.APIError(c, err)
		return
	}
	list, total, err := surveys.ListRespondents(c, s.Pool, id, f)
	out := make([]respondentJSON, len(list))
	for i := 0; err == nil && i < len(list); i++ {
		out[i], err = s.respondentJSON(list[i])
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "items": out})
}

// respondentFromPath reads the survey and respondent ids of the path.
func respondentFromPath(c *gin.Context) (surveyID, id int64, err error) {
	if surveyID, err = httpx.IDParam(c, "id"); err == nil {
		id, err = httpx.IDParam(c, "rid")
	}
	return surveyID, id, err
}

// APIGetRespondent answers with one respondent, its invitation link and the
// link's QR code.
func (s *Handlers) APIGetRespondent(c *gin.Context) {
	surveyID, id, err := respondentFromPath(c)
	var r surveys.Respondent
	if err == nil {
		r, err = surveys.FindRespondent(c, s.Pool, surveyID, id)
	}
	var out respondentJSON
	if err == nil {
		out, err = s.respondentJSON(r)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APIAddRespondent adds one respondent: 201 when added, 200 with the one
// already there when the same person was added before.
func (s *Handlers) APIAddRespondent(c *gin.Context) {
	var in surveys.RespondentInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	var out respondentJSON
	var added bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		r, a, err := surveys.AddRespondent(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id, in)
		if err == nil {
			out, err = s.respondentJSON(r)
		}
		added = a
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusOK
	if added {
		status = http.StatusCreated
	}
	c.JSON(status, gin.H{"added": added, "respondent": out})
}

// APIImportRespondents imports a respondent list sent as JSON:
// {"filename": "名单.xlsx", "content": "<base64 of the file>"}. Staff
// requests must be JSON, so the file travels base64-encoded.
func (s *Handlers) APIImportRespondents(c *gin.Context) {
	var b struct {
		Filename string `json:"filename"`
		Content  string `json:"content"`
	}
	id, err := httpx.IDParam(c, "id")
	if err == nil {
		err = httpx.BindJSON(c, &b, surveys.MaxFileBytes*4/3+64<<10)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	data, err := httpx.Base64File(b.Content, surveys.MaxFileBytes)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return surveys.ImportRespondents(c, tx, s.Keys, httpx.CurrentUser(c).Actor(), id, b.Filename, data)
	})
}

// APIDeleteRespondent deletes a respondent; its invitation link stops working.
func (s *Handlers) APIDeleteRespondent(c *gin.Context) {
	surveyID, id, err := respondentFromPath(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			return surveys.DeleteRespondent(c, tx, httpx.CurrentUser(c).Actor(), surveyID, id)
		})
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deleted": id})
}
