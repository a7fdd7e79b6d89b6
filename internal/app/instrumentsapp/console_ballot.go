package instrumentsapp

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

// ballotPageSize is how many units one page of a ballot lists.
const ballotPageSize = 100

type evaluationsPage struct {
	httpx.BasePage
	Rows []instrumentRow
}

// EvaluationsPage lists the 部门互评 and 基层评价 the signed-in unit
// answers.
func (s *Handlers) EvaluationsPage(c *gin.Context) {
	r, err := unitRater(c)
	var list []instruments.Instrument
	if err == nil {
		list, err = instruments.ForRaterUnit(c, s.Pool, r.UnitID)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := evaluationsPage{BasePage: s.Base(c, "单位互评", "evaluations")}
	for _, in := range list {
		row := rowOf(in)
		row.Link = evaluationPath(in.ID)
		d.Rows = append(d.Rows, row)
	}
	s.Render(c, http.StatusOK, "console/evaluations.html", d)
}

type ballotRow struct {
	instruments.BallotLine
	Mark  string
	Error string
}

type ballotPage struct {
	httpx.BasePage
	Inst     instrumentRow
	Rows     []ballotRow
	Total    int
	Answered int
	Open     bool
	Grades   []choice
	Pager    httpx.Pager
	Page     int
	Error    string
	// Action is where the form posts (the unit page or an invitation link).
	Action string
}

// BallotPage lists a page of the units the signed-in unit rates (never its
// own), with its answers so far.
func (s *Handlers) BallotPage(c *gin.Context) { s.showBallot(c, http.StatusOK, nil, nil) }

func (s *Handlers) showBallot(c *gin.Context, status int, posted map[int64]instruments.AnswerInput, saveErr error) {
	in, r, err := s.ballotFor(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d, err := s.ballot(c, in, r, posted, saveErr)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d.BasePage = s.Base(c, in.Name, "evaluations")
	d.Action = evaluationPath(in.ID) + "?page=" + strconv.Itoa(d.Page)
	d.Pager = httpx.NewPager(d.Page, ballotPageSize, d.Total, func(n int) string {
		return evaluationPath(in.ID) + "?page=" + strconv.Itoa(n)
	})
	d.Pager.Unit = "个单位"
	s.Render(c, status, "console/evaluation.html", d)
}

// ballot fills a ballot page's lines: the stored answers, or what was
// posted when saving was refused, with each line's problem.
func (s *Handlers) ballot(c *gin.Context, in instruments.Instrument, r instruments.Rater, posted map[int64]instruments.AnswerInput, saveErr error) (ballotPage, error) {
	page := httpx.PageParam(c)
	b, err := instruments.LoadBallot(c, s.Pool, in, r, ballotPageSize, (page-1)*ballotPageSize)
	if err != nil {
		return ballotPage{}, err
	}
	d := ballotPage{Inst: rowOf(in), Total: b.Total, Answered: b.Answered, Open: in.Status == instruments.StatusOpen, Page: page}
	for _, g := range instruments.Grades {
		p, _ := in.GradeValue(g)
		d.Grades = append(d.Grades, choice{Value: g, Label: instruments.GradeLabel(g) + "（" + strconv.FormatFloat(p, 'f', -1, 64) + "分）"})
	}
	var fields map[string]string
	if saveErr != nil {
		d.Error = httpx.PageMessage(apperr.From(saveErr))
		fields = apperr.From(saveErr).Fields
	}
	for _, l := range b.Lines {
		row := ballotRow{BallotLine: l, Error: fields["answers."+strconv.FormatInt(l.UnitID, 10)]}
		if l.Value != nil && l.Grade == nil {
			row.Mark = strconv.FormatFloat(*l.Value, 'f', -1, 64)
		}
		if a, ok := posted[l.UnitID]; ok {
			g := a.Grade
			row.Grade = &g
			row.Mark = ""
			if a.Mark != nil {
				row.Mark = strconv.FormatFloat(*a.Mark, 'f', -1, 64)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return d, nil
}

// readBallot reads a ballot form: u.<unit id> = a grade or a mark; blank
// lines are left unanswered. A mark that is not a number is kept as -1 so
// it is refused with the line.
func readBallot(c *gin.Context, scale string) ([]instruments.AnswerInput, map[int64]instruments.AnswerInput) {
	var list []instruments.AnswerInput
	posted := map[int64]instruments.AnswerInput{}
	for key, vals := range c.Request.PostForm {
		idText, ok := strings.CutPrefix(key, "u.")
		v := strings.TrimSpace(strings.Join(vals, ""))
		if !ok || v == "" {
			continue
		}
		id, err := strconv.ParseInt(idText, 10, 64)
		if err != nil || len(list) > instruments.MaxAnswersPerSave {
			continue
		}
		a := instruments.AnswerInput{UnitID: id}
		if scale == instruments.ScaleMark {
			m, err := strconv.ParseFloat(v, 64)
			if err != nil {
				m = -1
			}
			a.Mark = &m
		} else {
			a.Grade = v
		}
		list = append(list, a)
		posted[id] = a
	}
	return list, posted
}

// SaveBallotSubmit saves the unit's answers on the page; its own unit or a
// closed instrument is refused with the page shown again, nothing saved.
func (s *Handlers) SaveBallotSubmit(c *gin.Context) {
	in, r, err := s.ballotFor(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	list, posted := readBallot(c, in.Scale)
	err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
		_, err := instruments.SaveAnswers(c, tx, httpx.CurrentUser(c).Actor(), in.ID, r, list, s.Now())
		return err
	})
	if err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			s.showBallot(c, http.StatusUnprocessableEntity, posted, err)
			return
		}
		s.ConsoleError(c, err)
		return
	}
	httpx.Redirect(c, evaluationPath(in.ID)+"?page="+strconv.Itoa(httpx.PageParam(c)), "evaluations_saved")
}
