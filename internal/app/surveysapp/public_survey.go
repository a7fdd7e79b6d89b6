package surveysapp

import (
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/ratings"
	"minyi/internal/surveys"
)

// defaultIntro opens a survey whose intro the office left empty.
const defaultIntro = "为了解各单位的工作作风、服务质量和工作成效，特开展本次满意度测评。请根据您的了解，对以下单位逐一作出评价。"

type invitationQuestion struct {
	Text string
	// Required is what the page says when a required question is left
	// unanswered, as the submission would; empty for an optional one.
	Required string
	Name     string // the form field
	Overall  bool
	Value    int
	Error    string
}

type invitationUnit struct {
	ID         int64
	Pos        int  // 1 for the first unit on the page
	First      bool // the page's first unit: no 上一个
	Last       bool // the page's last unit: 下一个 leads to the overview
	Name       string
	Category   string
	SaveURL    string
	Complete   bool
	Flag       bool // named in an error
	Questions  []invitationQuestion
	OpinionKey string
	Opinion    string
	OpinionErr string
}

type invitationPageData struct {
	Title        string
	Token        string
	SurveyTitle  string
	Name         string
	GroupName    string
	Intro        string
	Anonymous    bool
	AllowOpinion bool
	ClosesAt     *time.Time
	Levels       []ratings.LevelName
	Units        []invitationUnit
	Done, Total  int
	Percent      int
	Message      string
	Saved        string // the unit just saved by a form post
}

type invitationDoneData struct {
	Title       string
	SurveyTitle string
	Message     string
	Just        bool // submitted a moment ago, rather than a used link opened again
}

// tokenRE matches what secure.Token can make; anything else is not looked up.
var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// PrivateLink keeps an invitation link's address, which is its secret, out
// of Referer headers and search engines.
func PrivateLink(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("X-Robots-Tag", "noindex, nofollow")
	c.Next()
}

// invitationLimited counts the request against the invitation's own limit,
// so respondents sharing one address (a meeting's Wi-Fi) do not slow each
// other down, and answers 429 when it is reached.
func (s *Handlers) invitationLimited(c *gin.Context, token string) bool {
	d := s.Limiter.Allow(c, s.Config.Limits.PublicPage, "si:"+hex.EncodeToString(s.Keys.Hash("invitation", token)[:16]))
	if !d.Limited {
		return false
	}
	c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
	if httpx.WantsJSON(c) {
		s.APIError(c, apperr.New(apperr.RateLimited, "操作过于频繁，请稍后再试，已填写的内容不会丢失"))
	} else {
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再刷新页面，已保存的内容不会丢失。")
	}
	return true
}

// openInvitation loads the invitation of the path's token for a page and
// answers for an unknown token, an outage or a reached limit.
func (s *Handlers) openInvitation(c *gin.Context) (surveys.Invitation, bool) {
	token := c.Param("token")
	if !tokenRE.MatchString(token) {
		s.invalidInvitation(c)
		return surveys.Invitation{}, false
	}
	inv, err := surveys.OpenInvitation(c, s.Pool, token)
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.invalidInvitation(c)
		return inv, false
	case err != nil:
		s.invitationUnavailable(c, err)
		return inv, false
	}
	return inv, !s.invitationLimited(c, token)
}

// invitationToken reads the path's token for a save or a submission,
// which look the token up themselves, and applies its limit.
func (s *Handlers) invitationToken(c *gin.Context) (string, bool) {
	token := c.Param("token")
	if !tokenRE.MatchString(token) {
		s.invalidInvitation(c)
		return "", false
	}
	return token, !s.invitationLimited(c, token)
}

// invalidInvitation answers for an unknown token. Unknown tokens count
// against a per-address limit, so links cannot be guessed at speed.
func (s *Handlers) invalidInvitation(c *gin.Context) {
	d := s.Limiter.Allow(c, s.Config.Limits.PublicClient, "sx:"+hex.EncodeToString(s.Keys.Hash("client", c.ClientIP())[:16]))
	err := apperr.New(apperr.NotFound, "邀请链接无效")
	if d.Limited {
		c.Header("Retry-After", httpx.RetryAfter(d.RetryAfter))
		err = apperr.New(apperr.RateLimited, "访问过于频繁，请稍后再试")
	}
	switch {
	case httpx.WantsJSON(c):
		s.APIError(c, err)
	case d.Limited:
		s.ErrorPage(c, http.StatusTooManyRequests, "访问过于频繁", "请稍等"+httpx.RetryAfter(d.RetryAfter)+"秒后再打开邀请链接。")
	default:
		s.ErrorPage(c, http.StatusNotFound, "邀请链接无效", "未找到该邀请链接，请核对链接是否完整，或联系发出邀请的工作人员。")
	}
}

// invitationUnavailable answers when the database cannot be reached.
func (s *Handlers) invitationUnavailable(c *gin.Context, err error) {
	if httpx.WantsJSON(c) {
		s.APIError(c, err)
		return
	}
	s.Log.Error("invitation page", "err", err)
	s.ErrorPage(c, http.StatusServiceUnavailable, "系统繁忙", "系统暂时无法访问，已保存的内容不会丢失，请稍后再打开邀请链接。")
}

// invitationState answers for an invitation that takes no answers: used,
// not open yet, or closed. It reports false when the survey takes answers.
func (s *Handlers) invitationState(c *gin.Context, inv surveys.Invitation, status int) bool {
	sv := inv.Survey
	switch {
	case inv.Respondent.Status == surveys.RespondentSubmitted:
		if status == http.StatusOK && c.Query("done") != "" {
			s.Render(c, status, "public/survey_done.html", invitationDoneData{Title: sv.Title, SurveyTitle: sv.Title,
				Message: "问卷已提交，感谢您的参与！", Just: true})
			return true
		}
		s.Render(c, status, "public/survey_done.html", invitationDoneData{Title: sv.Title, SurveyTitle: sv.Title,
			Message: "此邀请链接已使用，问卷已提交，感谢您的参与"})
		return true
	case sv.Status == surveys.StatusDraft:
		s.ErrorPage(c, http.StatusForbidden, "问卷尚未开始", "“"+sv.Title+"”尚未开始，请在问卷开始后再打开此链接。")
		return true
	case sv.AcceptsAnswers(s.Now()) != nil:
		code := http.StatusGone
		if status != http.StatusOK {
			code = http.StatusConflict
		}
		s.ErrorPage(c, code, "问卷调查已结束", "“"+sv.Title+"”问卷调查已结束，不再接受提交。感谢您的关注。")
		return true
	}
	return false
}

// InvitationPage shows the survey of an invitation link with the answers
// saved so far, or what became of the link.
func (s *Handlers) InvitationPage(c *gin.Context) {
	inv, ok := s.openInvitation(c)
	if !ok || s.invitationState(c, inv, http.StatusOK) {
		return
	}
	d := s.invitationView(c.Param("token"), inv, nil, nil)
	if id, err := strconv.ParseInt(c.Query("saved"), 10, 64); err == nil {
		for _, u := range d.Units {
			if u.ID == id {
				d.Saved = u.Name
			}
		}
	}
	s.Render(c, http.StatusOK, "public/survey.html", d)
}

// invitationView builds the page: the saved drafts, overlaid with what was
// just posted, and the errors it came back with.
func (s *Handlers) invitationView(token string, inv surveys.Invitation, posted map[int64]surveys.Answer, errs map[string]string) invitationPageData {
	sv := inv.Survey
	d := invitationPageData{Title: sv.Title, Token: token, SurveyTitle: sv.Title, Name: inv.Respondent.Name,
		GroupName: sv.GroupName(inv.Respondent.GroupKey), Intro: sv.Intro, Anonymous: sv.Anonymous,
		AllowOpinion: sv.AllowOpinion, ClosesAt: sv.ClosesAt, Levels: ratings.LevelNames(), Total: len(inv.Units)}
	if d.Intro == "" {
		d.Intro = defaultIntro
	}
	for i, u := range inv.Units {
		a, ok := posted[u.ID]
		if !ok {
			dr := inv.Drafts[u.ID]
			a = surveys.Answer{UnitID: u.ID, Answers: dr.Answers, Opinion: dr.Opinion}
		}
		v := invitationUnit{ID: u.ID, Pos: i + 1, First: i == 0, Last: i == len(inv.Units)-1, Name: u.Name, Category: u.Category, Complete: inv.Complete(u.ID),
			SaveURL:    "/s/" + token + "/units/" + strconv.FormatInt(u.ID, 10),
			OpinionKey: surveys.FieldName(u.ID, "opinion"), Opinion: a.Opinion}
		v.OpinionErr = errs[v.OpinionKey]
		for _, q := range sv.Questions {
			name := surveys.FieldName(u.ID, q.Key)
			iq := invitationQuestion{Text: q.Text, Name: name, Overall: q.Kind == surveys.KindOverall, Value: a.Answers[q.Key], Error: errs[name]}
			if iq.Overall {
				iq.Required = "请评价“" + u.Name + "”的" + q.Text
			}
			v.Questions = append(v.Questions, iq)
			v.Flag = v.Flag || errs[name] != ""
		}
		v.Flag = v.Flag || v.OpinionErr != ""
		if v.Complete {
			d.Done++
		}
		d.Units = append(d.Units, v)
	}
	if d.Total > 0 {
		d.Percent = d.Done * 100 / d.Total
	}
	return d
}
