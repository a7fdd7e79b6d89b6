package selfevalapp

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/assessors"
	"minyi/internal/selfeval"
)

// reportForm is the report form as the unit typed it: the text and, for
// a period other than the annual one, each indicator's score and note.
type reportForm struct {
	Body    string
	Claimed map[int64]string
	Note    map[int64]string
	// scored are the indicators of the input's scores, in order: the
	// message of scores[i] belongs to scored[i].
	scored []int64
}

// readReportForm reads the posted form: the text and, when the form
// carried the score fields (score_indicator, one per indicator), the whole
// list of scores, a row with neither score nor note left out. A score that
// is not a number is sent as missing, which the rules refuse.
func (s *Handlers) readReportForm(c *gin.Context, p selfeval.Period) (*reportForm, selfeval.ReportInput) {
	f := &reportForm{Body: c.PostForm("body"), Claimed: map[int64]string{}, Note: map[int64]string{}}
	in := selfeval.ReportInput{Body: f.Body}
	ids := c.PostFormArray("score_indicator")
	if len(ids) == 0 || p.Annual {
		return f, in
	}
	in.Scores = []selfeval.ScoreInput{}
	for _, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			continue
		}
		key := strconv.FormatInt(id, 10)
		claimed, note := strings.TrimSpace(c.PostForm("claimed_"+key)), c.PostForm("note_"+key)
		f.Claimed[id], f.Note[id] = claimed, note
		if claimed == "" && strings.TrimSpace(note) == "" {
			continue
		}
		sc := selfeval.ScoreInput{IndicatorID: id, Note: note}
		if v, err := strconv.ParseFloat(claimed, 64); err == nil {
			sc.Claimed = &v
		}
		in.Scores = append(in.Scores, sc)
		f.scored = append(f.scored, id)
	}
	return f, in
}

// indicatorRow is an indicator of the report page: what the reader sees
// of it, this period's score and, on the unit's form, the values typed
// and the messages beside them.
type indicatorRow struct {
	assessors.IndicatorView
	Score      *selfeval.Score
	Claimed    string
	Note       string
	ClaimedErr string
	NoteErr    string
}

// indicatorRows joins the indicators with the report's scores and the
// typed form (nil: the stored scores fill the form).
func indicatorRows(views []assessors.IndicatorView, r *selfeval.Report, typed *reportForm, errs map[string]string) []indicatorRow {
	scores := map[int64]*selfeval.Score{}
	if r != nil {
		for i := range r.Scores {
			scores[r.Scores[i].IndicatorID] = &r.Scores[i]
		}
	}
	rowErr := map[int64][2]string{}
	if typed != nil {
		for i, id := range typed.scored {
			pre := "scores[" + strconv.Itoa(i) + "]."
			rowErr[id] = [2]string{errs[pre+"claimed"] + errs[pre+"indicator_id"], errs[pre+"note"]}
		}
	}
	out := make([]indicatorRow, 0, len(views))
	for _, v := range views {
		row := indicatorRow{IndicatorView: v, Score: scores[v.ID]}
		switch {
		case typed != nil:
			row.Claimed, row.Note = typed.Claimed[v.ID], typed.Note[v.ID]
			row.ClaimedErr, row.NoteErr = rowErr[v.ID][0], rowErr[v.ID][1]
		case row.Score != nil:
			row.Claimed = strconv.FormatFloat(row.Score.Claimed, 'f', -1, 64)
			row.Note = row.Score.Note
		}
		out = append(out, row)
	}
	return out
}
