package instrumentsapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/instruments"
)

const answersPageSize = 100

type answersPage struct {
	httpx.BasePage
	Inst     instrumentRow
	X        instruments.Explanation
	MeanText string
	Groups   []groupRow
	Next     string
	First    string
	Back     string
	Export   httpx.ExportLinks
}

type groupRow struct {
	instruments.AnswerGroup
	MeanText string
}

// UnitAnswersPage shows the answers behind one unit's result: each answer
// (100 a page, by time of the first answer) or, where the instrument is
// anonymous, each group with its count and mean.
func (s *Handlers) UnitAnswersPage(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID, after int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if v := c.Query("after"); err == nil && v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			err = apperr.New(apperr.NotFound, "页面不存在")
		}
	}
	var in instruments.Instrument
	if err == nil {
		in, err = instruments.Find(c, s.Pool, id)
	}
	var x instruments.Explanation
	if err == nil {
		x, err = instruments.Explain(c, s.Pool, in, unitID, after, answersPageSize)
	}
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	d := answersPage{BasePage: s.Base(c, x.Result.UnitName+" · "+in.Name, "cycles"), Inst: rowOf(in), X: x, MeanText: "—",
		Back: instrumentPath(in.ID)}
	if x.Result.Mean != nil {
		d.MeanText = strconv.FormatFloat(*x.Result.Mean, 'f', 2, 64)
	}
	for _, g := range x.Groups {
		r := groupRow{AnswerGroup: g, MeanText: "—"}
		if g.Mean != nil {
			r.MeanText = strconv.FormatFloat(*g.Mean, 'f', 2, 64)
		}
		d.Groups = append(d.Groups, r)
	}
	base := instrumentPath(in.ID) + "/units/" + strconv.FormatInt(unitID, 10)
	if x.Result.Answers > 0 {
		d.Export = httpx.NewExportLinks(instrumentPath(in.ID)+"/answers", url.Values{"unit_id": {strconv.FormatInt(unitID, 10)}})
	}
	if len(x.Answers) == answersPageSize {
		d.Next = base + "?after=" + strconv.FormatInt(x.Answers[len(x.Answers)-1].ID, 10)
	}
	if after > 0 {
		d.First = base
	}
	s.Render(c, http.StatusOK, "console/instrument_answers.html", d)
}
