package selfevalapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/httpx"
	"minyi/internal/selfeval"
)

// APIListPeriods lists the :id cycle's periods; for a unit user each with
// its own report's status.
func (s *Handlers) APIListPeriods(c *gin.Context) {
	cy, err := s.cycleOf(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	if !u.SeesAll() && u.UnitID != nil {
		list, err := selfeval.ListUnitPeriods(c, s.Pool, cy.ID, *u.UnitID, s.today())
		if err != nil {
			s.APIError(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"items": list})
		return
	}
	list, err := selfeval.ListPeriods(c, s.Pool, cy.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APISavePeriod creates (or, with the name of one it has, changes) a
// period of the :id cycle from {"name", "covers_to", "due_on", "annual"}.
func (s *Handlers) APISavePeriod(c *gin.Context) {
	var in selfeval.PeriodInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return selfeval.SavePeriod(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Now())
	})
}

// APIUpdatePeriod changes the :id period.
func (s *Handlers) APIUpdatePeriod(c *gin.Context) {
	var in selfeval.PeriodInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return selfeval.UpdatePeriod(c, tx, httpx.CurrentUser(c).Actor(), id, in, s.Now())
	})
}

// APIDeletePeriod deletes the :id period while no unit has submitted its
// report (409 with a Chinese message after) and returns it.
func (s *Handlers) APIDeletePeriod(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, apperr.New(apperr.NotFound, "自评期次不存在"))
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return selfeval.DeletePeriod(c, tx, httpx.CurrentUser(c).Actor(), id)
	})
}

// APIPeriodUnits is the office's (and leaders') overview of the :id
// period: its counts and a page of units (?q=, ?status=, ?limit=,
// ?offset=) with their report status.
func (s *Handlers) APIPeriodUnits(c *gin.Context) {
	if !httpx.CurrentUser(c).SeesAll() {
		s.APIError(c, apperr.New(apperr.Forbidden, "只有绩效办和领导可以查看各单位的自评报告情况"))
		return
	}
	p, err := s.periodOf(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	limit, offset, err := httpx.Paging(c)
	if err != nil {
		s.APIError(c, err)
		return
	}
	today := s.today()
	list, total, err := selfeval.ListUnits(c, s.Pool, p, today, selfeval.Filter{Search: c.Query("q"), Status: c.Query("status"),
		Limit: limit, Offset: offset})
	var counts selfeval.Counts
	if err == nil {
		counts, err = selfeval.CountPeriod(c, s.Pool, p, today)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"period": p, "counts": counts, "total": total, "items": list})
}

// reportReply is a unit's report of a period as the API gives it.
type reportReply struct {
	Period selfeval.Period  `json:"period"`
	UnitID int64            `json:"unit_id"`
	Status string           `json:"status"`
	Report *selfeval.Report `json:"report"`
}

// reportReply reads the unit's report of the period as the reader of
// access a sees it: an assessor unit only its indicators' scores.
func (s *Handlers) reportReply(c *gin.Context, p selfeval.Period, unitID int64, a access) (reportReply, error) {
	out := reportReply{Period: p, UnitID: unitID}
	r, err := selfeval.FindReport(c, s.Pool, p.ID, unitID)
	switch {
	case err == nil:
		if a == accessAssessor {
			r.Scores = selfeval.ScoresOf(r.Scores, *httpx.CurrentUser(c).UnitID)
		}
		out.Report = &r
		out.Status = selfeval.StatusSubmitted
		if r.Late {
			out.Status = selfeval.StatusLate
		}
	case apperr.Is(err, apperr.NotFound):
		out.Status = selfeval.StatusOf(p.DueOn, s.today(), nil)
	default:
		return reportReply{}, err
	}
	return out, nil
}

// APIGetReport returns the :unit_id unit's report of the :id period (null
// while not submitted) with its status: for the office and leaders, the
// unit itself and its assessor units (an assessor unit sees the scores of
// the indicators it assesses only); 403 for anyone else.
func (s *Handlers) APIGetReport(c *gin.Context) {
	p, err := s.periodOf(c)
	var unitID int64
	if err == nil {
		unitID, err = unitParam(c)
	}
	var a access
	if err == nil {
		a, err = s.reportAccess(c, p, unitID)
	}
	var out reportReply
	if err == nil {
		out, err = s.reportReply(c, p, unitID, a)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

// APISaveReport submits or changes the :unit_id unit's report of the :id
// period from {"body", "evidence_ids", "scores"} (files uploaded through
// POST /api/v1/evidence; scores [{"indicator_id", "claimed", "note"}] for
// a period other than the annual one; either omitted stays as it is):
// only the unit's own users.
func (s *Handlers) APISaveReport(c *gin.Context) {
	p, err := s.periodOf(c)
	var unitID int64
	if err == nil {
		unitID, err = unitParam(c)
	}
	var in selfeval.ReportInput
	if err == nil {
		err = httpx.BindJSON(c, &in, 64<<10)
	}
	if err == nil {
		err = s.mustOwn(c, p, unitID)
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return selfeval.SaveReport(c, tx, httpx.CurrentUser(c).Actor(), p, unitID, in, s.today(), s.Now())
	})
}

// mustOwn refuses a write by anyone but the unit's own users.
func (s *Handlers) mustOwn(c *gin.Context, p selfeval.Period, unitID int64) error {
	a, err := s.reportAccess(c, p, unitID)
	if err == nil && a != accessOwn {
		err = apperr.New(apperr.Forbidden, "只有本单位可以填写和提交自评报告")
	}
	return err
}
