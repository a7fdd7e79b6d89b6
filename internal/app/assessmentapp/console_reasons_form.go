package assessmentapp

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
)

// reasonRow is one deduction reason (扣分事由) of the settings form as
// typed. Key is hidden: it identifies the reason in filed deductions and
// is kept as it is; a new row gets a generated one.
type reasonRow struct {
	Key, Name, Points, MaxTotal string
	// Proposer is the assessor the regulation has propose the reason
	// (from a preset), kept as it is.
	Proposer         string
	SetsFail, Delete bool
	// Error is what is wrong with the row, shown beside it.
	Error string
}

// blank reports whether the row was left empty (a spare row).
func (r reasonRow) blank() bool {
	return r.Key == "" && r.Name == "" && r.Points == "" && r.MaxTotal == "" && !r.SetsFail
}

// spareReasonRows is how many empty rows the form offers for new reasons.
const spareReasonRows = 2

// maxReasonRows bounds the rows read from a form.
const maxReasonRows = 200

// reasonRowsOf fills the form rows from stored reasons, plus spare ones.
func reasonRowsOf(rs []assessment.DeductionReason) []reasonRow {
	rows := make([]reasonRow, 0, len(rs)+spareReasonRows)
	for _, r := range rs {
		row := reasonRow{Key: r.Key, Name: r.Name, Points: fnum(r.Points), SetsFail: r.SetsFail, Proposer: r.Proposer}
		if r.MaxTotal != 0 {
			row.MaxTotal = fnum(r.MaxTotal)
		}
		rows = append(rows, row)
	}
	return withSpareRows(rows, spareReasonRows)
}

func withSpareRows(rows []reasonRow, n int) []reasonRow {
	for range n {
		rows = append(rows, reasonRow{})
	}
	return rows
}

// readReasonRows reads the rows r.<field>.<i> for i below reasons_n.
func readReasonRows(c *gin.Context) []reasonRow {
	n, err := strconv.Atoi(c.PostForm("reasons_n"))
	if err != nil || n < 0 {
		n = 0
	}
	n = min(n, maxReasonRows)
	rows := make([]reasonRow, 0, n)
	for i := range n {
		s := strconv.Itoa(i)
		rows = append(rows, reasonRow{Key: strings.TrimSpace(c.PostForm("r.key." + s)),
			Name:     strings.TrimSpace(c.PostForm("r.name." + s)),
			Points:   strings.TrimSpace(c.PostForm("r.points." + s)),
			MaxTotal: strings.TrimSpace(c.PostForm("r.max." + s)),
			Proposer: strings.TrimSpace(c.PostForm("r.prop." + s)),
			SetsFail: c.PostForm("r.fail."+s) != "", Delete: c.PostForm("r.del."+s) != ""})
	}
	return rows
}

// parseReasons turns the rows into deduction reasons. Blank and deleted
// rows are left out; new rows get the next free key reason_N. Typing
// errors are set on the rows; the index of each kept row's reason is
// returned so the rules' errors can be shown beside their row too.
func parseReasons(rows []reasonRow) (out []assessment.DeductionReason, rowOf []int, bad bool) {
	used := map[string]bool{}
	for _, r := range rows {
		used[r.Key] = true
	}
	next := 1
	out = []assessment.DeductionReason{}
	for i := range rows {
		r := &rows[i]
		if r.Delete || r.blank() {
			continue
		}
		d := assessment.DeductionReason{Key: r.Key, Name: r.Name, SetsFail: r.SetsFail, Proposer: r.Proposer}
		if d.Key == "" {
			for used["reason_"+strconv.Itoa(next)] {
				next++
			}
			d.Key = "reason_" + strconv.Itoa(next)
			used[d.Key] = true
			r.Key = d.Key
		}
		var e1, e2 error
		d.Points, e1 = strconv.ParseFloat(r.Points, 64)
		if r.MaxTotal != "" {
			d.MaxTotal, e2 = strconv.ParseFloat(r.MaxTotal, 64)
		}
		if e1 != nil || e2 != nil {
			r.Error = "每项扣分须为数字，累计上限须为数字或留空"
			bad = true
		}
		out = append(out, d)
		rowOf = append(rowOf, i)
	}
	return out, rowOf, bad
}

// placeReasonErrors puts the rules' messages about deduction_reasons[k]
// beside the form row it came from, and removes them from errs.
func placeReasonErrors(rows []reasonRow, rowOf []int, errs apperr.Fields) {
	for field, msg := range errs {
		rest, ok := strings.CutPrefix(field, "deduction_reasons[")
		if !ok {
			continue
		}
		k, err := strconv.Atoi(rest[:max(strings.IndexByte(rest, ']'), 0)])
		if err == nil && k < len(rowOf) && rows[rowOf[k]].Error == "" {
			rows[rowOf[k]].Error = msg
		}
		delete(errs, field)
	}
}
