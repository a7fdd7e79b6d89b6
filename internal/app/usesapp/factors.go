package usesapp

import (
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/rewards"
)

// amountRow is a unit's line in the amounts table with its factors form:
// the stored factors, or what the office typed when the form was refused,
// with the refusal beside the field.
type amountRow struct {
	rewards.UnitLine
	Outstanding                 bool
	Accountability, FailedTasks string
	Errors                      map[string]string
	Refused                     bool
	// CaseStatus and CaseDue describe the case on a unit's own line.
	CaseStatus, CaseDue string
}

// amountRows makes the rows of lines; the unit whose factors form was
// refused (form "factors") keeps what was typed and its errors.
func amountRows(lines []rewards.UnitLine, form, errs map[string]string) []amountRow {
	out := make([]amountRow, len(lines))
	for i, l := range lines {
		r := amountRow{UnitLine: l, Outstanding: l.Factors.Outstanding, Accountability: strconv.Itoa(l.Factors.Accountability),
			FailedTasks: strconv.Itoa(l.Factors.FailedTasks)}
		if form["form"] == "factors" && form["unit"] == strconv.FormatInt(l.UnitID, 10) {
			r.Outstanding, r.Accountability, r.FailedTasks = form["outstanding"] != "", form["accountability"], form["failed_tasks"]
			r.Errors, r.Refused = errs, true
		}
		out[i] = r
	}
	return out
}

// factorsFromForm reads a row's factors; a count that is not a whole
// number is refused beside its field.
func factorsFromForm(c *gin.Context) (rewards.Factors, error) {
	in := rewards.Factors{Outstanding: c.PostForm("outstanding") != ""}
	f := apperr.Fields{}
	count := func(field, msg string) int {
		n, err := strconv.Atoi(strings.TrimSpace(c.PostForm(field)))
		if err != nil {
			f.Add(field, msg)
		}
		return n
	}
	in.Accountability = count("accountability", "行政问责次数须为0到100之间的整数")
	in.FailedTasks = count("failed_tasks", "未完成重大任务数须为0到100之间的整数")
	return in, f.Err()
}

// FactorsSubmit records a unit's raise and cuts from its row (typed, or a
// suggestion confirmed with one click); a refusal shows the page again
// with the message beside the row's field and the typed values kept.
func (s *Handlers) FactorsSubmit(c *gin.Context) {
	id, unitID, err := cycleAndUnit(c)
	if err != nil {
		s.ConsoleError(c, err)
		return
	}
	in, err := factorsFromForm(c)
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) error {
			return rewards.SetFactors(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, in)
		})
	}
	if err != nil {
		e := apperr.From(err)
		if e.Code != apperr.Invalid && e.Code != apperr.Conflict && e.Code != apperr.NotFound {
			s.ConsoleError(c, err)
			return
		}
		form := httpx.PostedForm(c, "factors", "outstanding", "accountability", "failed_tasks", "page")
		form["unit"] = strconv.FormatInt(unitID, 10)
		errs := map[string]string{}
		for k, v := range e.Fields {
			errs[k] = v
		}
		if len(errs) == 0 {
			errs["_"] = e.Message
		}
		s.render(c, apperr.Status(e.Code), form, errs, "")
		return
	}
	httpx.Redirect(c, usesLink(id)+"?page="+strconv.Itoa(httpx.PageNumber(c.PostForm("page")))+"#u-"+strconv.FormatInt(unitID, 10), "uses_factors_saved")
}
