package todos

import (
	"context"
	"strconv"

	"minyi/internal/db"
	"minyi/internal/selfeval"
	"minyi/internal/users"
)

// Self-evaluation report kinds (internal/selfeval).
const (
	// KindSelfEvalReport: the unit's report of a period is due within
	// selfeval.DueSoonDays or overdue.
	KindSelfEvalReport = "self_eval_report"
	// KindSelfEvalOverdue: units that have not submitted a period's report
	// past its due date (the office's).
	KindSelfEvalOverdue = "self_eval_overdue"
)

// unitSelfEvalReports are the unit's self-evaluation reports due soon or
// overdue in the cycles still open.
func unitSelfEvalReports(ctx context.Context, q db.DBTX, u users.User, env Env) ([]Item, error) {
	list, err := selfeval.OwedByUnit(ctx, q, *u.UnitID, env.todayString(), openCycleDays)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, p := range list {
		out = append(out, Item{Kind: KindSelfEvalReport, UnitID: u.UnitID, Title: "提交自评报告：" + p.Name,
			Detail: p.CycleName + "：自评截至 " + p.CoversTo, Due: ptr(p.DueOn),
			Link: "/console/self-eval-periods/" + strconv.FormatInt(p.ID, 10) + "/units/" + strconv.FormatInt(*u.UnitID, 10)})
	}
	return out, nil
}

// officeSelfEvalOverdue are the periods past their due date with units
// that have not submitted their reports, one item each.
func officeSelfEvalOverdue(ctx context.Context, q db.DBTX, _ users.User, env Env) ([]Item, error) {
	list, err := selfeval.OverduePeriods(ctx, q, 0, env.todayString(), openCycleDays)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, p := range list {
		out = append(out, Item{Kind: KindSelfEvalOverdue, Title: p.Name + "：" + strconv.Itoa(p.Missing) + " 个单位逾期未交自评报告",
			Detail: p.CycleName, Count: p.Missing, Due: ptr(p.DueOn),
			Link: "/console/self-eval-periods/" + strconv.FormatInt(p.ID, 10) + "?status=" + selfeval.StatusMissing})
	}
	return out, nil
}
