package casesapp

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/feedback"
	"minyi/internal/httpx"
	"minyi/internal/search"
	"minyi/internal/users"
)

// Rectification cases (整改案件) through the API: the list and one case
// with its timeline for the office and the case's unit, the unit's
// answer, progress and done report, the office's close, return and
// release, office-created cases and the working-day periods.

type caseList struct {
	Cases []listedCase `json:"cases"`
	Total int          `json:"total"`
}

// listedCase is a case in a list: how many items it merges
// (source_count) without the items, which only GET /cases/{id} sends. A
// case merges up to fifty items; sending them made a page of fifty cases
// nine times larger (533 kB against 59 kB) and the list over 100 ms.
type listedCase struct {
	feedback.Case
	// Sources shadows the case's items so that a list leaves them out.
	Sources []feedback.Source `json:"sources,omitempty"`
}

// caseFilterOf reads unit_id (see unitQueryScope), status, overdue
// (any, answer, fix) and paging, for a list: each case's count of items
// (SourceCount), not the items.
func (s *Handlers) caseFilterOf(c *gin.Context) (feedback.CaseFilter, error) {
	f, err := s.caseFilter(httpx.CurrentUser(c), c.Request.URL.Query())
	if err == nil {
		f.Limit, f.Offset, err = httpx.Paging(c)
	}
	f.SourceCount = true
	return f, err
}

// caseFilter reads the list's filter, without paging, for u from q: the
// list's, the API's and the export's.
func (s *Handlers) caseFilter(u users.User, q url.Values) (feedback.CaseFilter, error) {
	f := feedback.CaseFilter{Status: q.Get("status"), Overdue: q.Get("overdue"), Today: s.Now().In(s.Config.Location)}
	e := apperr.Fields{}
	if f.Status != "" && feedback.CaseStatusLabel(f.Status) == f.Status {
		e.Add("status", "未知的案件状态")
	}
	switch f.Overdue {
	case "", feedback.OverdueAny, feedback.OverdueAnswer, feedback.OverdueFix:
	default:
		e.Add("overdue", "overdue 须为 any、answer 或 fix")
	}
	var err error
	f.Q, err = search.Parse(q.Get("q"))
	e.Merge(err)
	if err := e.Err(); err != nil {
		return f, err
	}
	f.UnitID, err = unitScope(u, q.Get("unit_id"))
	return f, err
}

// APIListCases lists rectification cases: all (or ?unit_id=) for the office,
// a unit its own.
func (s *Handlers) APIListCases(c *gin.Context) {
	apiList(s, c, s.caseFilterOf, feedback.ListCases, func(l []feedback.Case, n int) any {
		out := make([]listedCase, len(l))
		for i, cs := range l {
			out[i] = listedCase{Case: cs}
		}
		return caseList{out, n}
	})
}

// caseDetail is one case with its timeline and overdue flags.
type caseDetail struct {
	feedback.Case
	AnswerOverdue bool                  `json:"answer_overdue"`
	FixOverdue    bool                  `json:"fix_overdue"`
	Updates       []feedback.CaseUpdate `json:"updates"`
}

// visibleCase loads the :id case if the user may see it (a case of another
// unit is not_found).
func (s *Handlers) visibleCase(c *gin.Context) (feedback.Case, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return feedback.Case{}, apperr.New(apperr.NotFound, "整改案件不存在")
	}
	cs, err := feedback.FindCase(c, s.Pool, id)
	// The assessor unit that opened a case follows it (reads it only).
	if u := httpx.CurrentUser(c); err == nil && !u.CanSeeUnit(cs.UnitID) && !cs.FollowsCase(u.UnitID) {
		err = apperr.New(apperr.NotFound, "整改案件不存在")
	}
	return cs, err
}

func (s *Handlers) caseDetailOf(c *gin.Context, cs feedback.Case) (caseDetail, error) {
	today := s.Now().In(s.Config.Location)
	d := caseDetail{Case: cs, AnswerOverdue: cs.AnswerOverdue(today), FixOverdue: cs.FixOverdue(today)}
	var err error
	d.Updates, err = feedback.ListCaseUpdates(c, s.Pool, cs.ID)
	return d, err
}

// APIGetCase answers one case with its timeline and overdue flags.
func (s *Handlers) APIGetCase(c *gin.Context) {
	cs, err := s.visibleCase(c)
	var d caseDetail
	if err == nil {
		d, err = s.caseDetailOf(c, cs)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// caseActor is the signed-in user acting on a case.
func caseActor(c *gin.Context) feedback.CaseActor {
	u := httpx.CurrentUser(c)
	return feedback.CaseActor{Actor: u.Actor(), Office: u.Role == users.RoleOffice, UnitID: u.UnitID}
}

// caseStep is a workflow action of the feedback package.
type caseStep func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error)

// caseSteps are the actions by their path name.
var caseSteps = map[string]caseStep{
	"answer": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return feedback.AnswerCase(c, tx, s.Config.Location, caseActor(c), id, in, s.Now())
	},
	"progress": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return feedback.ProgressCase(c, tx, caseActor(c), id, in, s.Now())
	},
	"done": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return feedback.ReportDone(c, tx, caseActor(c), id, in, s.Now())
	},
	"close": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return s.closeCase(c, tx, id, in)
	},
	"return": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return feedback.ReturnCase(c, tx, caseActor(c), id, in, s.Now())
	},
	"release": func(c *gin.Context, tx pgx.Tx, s *Handlers, id int64, in feedback.CaseAction) (feedback.Case, error) {
		return feedback.ReleaseCase(c, tx, caseActor(c), id, in, s.Now())
	},
}

// APICaseStep runs the named action on the :id case.
func (s *Handlers) APICaseStep(name string) gin.HandlerFunc {
	step := caseSteps[name]
	return func(c *gin.Context) {
		var in feedback.CaseAction
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return step(c, tx, s, id, in)
		})
	}
}

// APIOpenCase opens a case from target monitoring or an assessment result
// (office).
func (s *Handlers) APIOpenCase(c *gin.Context) {
	var in feedback.OfficeCaseInput
	if err := httpx.BindJSON(c, &in, 32<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return feedback.OpenOfficeCase(c, tx, s.Config.Location, httpx.CurrentUser(c).Actor(), in, s.Now())
	})
}

type caseSettings struct {
	Settings []feedback.CaseSetting `json:"settings"`
}

// APICaseSettings answers the working-day periods of cases by source.
func (s *Handlers) APICaseSettings(c *gin.Context) {
	list, err := feedback.ListCaseSettings(c, s.Pool)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, caseSettings{list})
}

// APISaveCaseSettings saves the working-day periods of cases by source.
func (s *Handlers) APISaveCaseSettings(c *gin.Context) {
	var in map[string]int
	if err := httpx.BindJSON(c, &in, 4<<10); err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		list, err := feedback.SaveCaseSettings(c, tx, httpx.CurrentUser(c).Actor(), in, s.Now())
		return caseSettings{list}, err
	})
}

// APIOverdueCounts returns the overdue counts per unit of ?cycle_id= or
// ?from=&to= (office only).
func (s *Handlers) APIOverdueCounts(c *gin.Context) {
	p := feedback.OverduePeriod{From: c.Query("from"), To: c.Query("to")}
	if v := c.Query("cycle_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.APIError(c, apperr.InvalidField("cycle_id", "cycle_id 须为正整数"))
			return
		}
		p.CycleID = id
	}
	m, err := feedback.OverdueCounts(c, s.Pool, p, s.Now().In(s.Config.Location))
	if err != nil {
		s.APIError(c, err)
		return
	}
	type row struct {
		UnitID int64 `json:"unit_id"`
		feedback.OverdueCount
	}
	out := []row{}
	for u, oc := range m {
		out = append(out, row{u, oc})
	}
	c.JSON(http.StatusOK, gin.H{"units": out})
}
