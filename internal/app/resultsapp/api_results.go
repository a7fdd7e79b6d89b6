package resultsapp

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/assessment"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/results"
	"minyi/internal/users"
)

// resultsView is what GET /cycles/:id/results answers. The office gets the
// results as they stand now (Draft, recomputed at read time) and the
// newest publication's stored lines; a unit-role user only the own unit's
// published line and applications.
type resultsView struct {
	Status results.Status `json:"status"`
	// Published are the lines of the newest publication (preliminary or
	// final), nil before the first.
	Published []results.Category  `json:"published"`
	Draft     *results.Assessment `json:"draft,omitempty"`
	Appeals   []results.Appeal    `json:"appeals"`
}

// newestPublication is the publication a reader sees: the newest one.
func newestPublication(st results.Status) *results.Publication {
	if len(st.History) == 0 {
		return nil
	}
	p := st.History[len(st.History)-1]
	return &p
}

// loadResultsView reads the view of the cycle in the path for the user,
// limited to unitID when set.
func (s *Handlers) loadResultsView(c *gin.Context, unitID *int64) (resultsView, error) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		return resultsView{}, err
	}
	// The office reads the draft and what was published, a leader what was
	// published for every unit, a unit what was published for itself.
	u := httpx.CurrentUser(c)
	if !u.SeesAll() {
		if u.UnitID == nil {
			return resultsView{}, apperr.New(apperr.Forbidden, "该账号未关联单位，无权查看考核结果")
		}
		if unitID != nil && *unitID != *u.UnitID {
			return resultsView{}, apperr.New(apperr.Forbidden, "只能查看本单位的考核结果")
		}
		unitID = u.UnitID
	}
	var v resultsView
	err = db.ReadSnapshot(c, s.Pool, func(tx pgx.Tx) error {
		var err error
		if v.Status, err = results.LoadStatus(c, tx, id); err != nil {
			return err
		}
		if u.Role == users.RoleOffice {
			a, err := results.ComputeAll(c, tx, s.Config.Location, s.Now(), id, s.Config.UnitCategories)
			if err != nil {
				return err
			}
			if unitID != nil {
				a = a.ForUnit(*unitID)
			}
			v.Draft = &a
		}
		if p := newestPublication(v.Status); p != nil {
			if v.Published, err = results.Published(c, tx, p.ID, unitID); err != nil {
				return err
			}
			v.Published = orderCategories(v.Published, s.categoryOrder(c, tx, id))
		}
		v.Appeals, err = results.ListAppeals(c, tx, id, unitID)
		return err
	})
	return v, err
}

// APIUnitResult answers GET /cycles/:id/results/units/:unit_id, the results
// view limited to one unit.
func (s *Handlers) APIUnitResult(c *gin.Context) {
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	v, err := s.loadResultsView(c, &unitID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APIPublishResults publishes the preliminary results, or the final ones when
// final.
func (s *Handlers) APIPublishResults(final bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in results.PublishInput
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
			actor := httpx.CurrentUser(c).Actor()
			if final {
				return results.PublishFinal(c, tx, actor, s.Config.Location, s.Now(), id, s.Config.UnitCategories, in)
			}
			return results.PublishPreliminary(c, tx, actor, s.Config.Location, s.Now(), id, s.Config.UnitCategories, in)
		})
	}
}

// APIReopenResults reopens the final results with the office's reason.
func (s *Handlers) APIReopenResults(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return results.Reopen(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, in.Reason)
	})
}

// APIListAppeals lists the cycle's applications for review: all for the
// office, a unit its own.
func (s *Handlers) APIListAppeals(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	u := httpx.CurrentUser(c)
	var only *int64
	if u.Role != users.RoleOffice {
		if u.UnitID == nil {
			s.APIError(c, apperr.New(apperr.Forbidden, "该账号未关联单位，无权查看复核申请"))
			return
		}
		only = u.UnitID
	}
	list, err := results.ListAppeals(c, s.Pool, id, only)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// maxUploadsBody is the body limit of an API request that carries
// results.MaxUploads evidence files base64-encoded.
const maxUploadsBody = results.MaxUploads*assessment.MaxEvidenceBytes*4/3 + 64<<10

// unitBody reads the cycle and unit of the path and the JSON body (which
// may carry evidence files), checking the user with check.
func unitBody(c *gin.Context, dst any, check func(u users.User, unitID int64) error) (cycleID, unitID int64, err error) {
	if cycleID, err = httpx.IDParam(c, "id"); err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = check(httpx.CurrentUser(c), unitID)
	}
	if err == nil {
		err = httpx.BindJSON(c, dst, maxUploadsBody)
	}
	return cycleID, unitID, err
}

// APIApply files the unit's application for review of its result, with its
// evidence files.
func (s *Handlers) APIApply(c *gin.Context) {
	var in results.AppealInput
	id, unitID, err := unitBody(c, &in, checkAppealer)
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return results.Apply(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
	})
}

// checkReporter: only the unit's own staff submit its rectification
// report.
func checkReporter(u users.User, unitID int64) error {
	if u.Role == users.RoleOffice || u.UnitID == nil || *u.UnitID != unitID {
		return apperr.New(apperr.Forbidden, "书面整改报告须由本单位提交")
	}
	return nil
}

// APIRectification answers the unit's written rectification report, not_found
// before it is submitted.
func (s *Handlers) APIRectification(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	var unitID int64
	if err == nil {
		unitID, err = httpx.IDParam(c, "unit_id")
	}
	if err == nil {
		err = httpx.CanSeeUnit(httpx.CurrentUser(c), unitID)
	}
	var r *results.Report
	if err == nil {
		r, err = results.FindReport(c, s.Pool, id, unitID)
	}
	if err == nil && r == nil {
		err = apperr.New(apperr.NotFound, "该单位尚未提交书面整改报告")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

// APISubmitRectification submits or changes the unit's written rectification
// report: 201 when it changed, 200 when it was the same.
func (s *Handlers) APISubmitRectification(c *gin.Context) {
	var in results.ReportInput
	id, unitID, err := unitBody(c, &in, checkReporter)
	var r results.Report
	changed := false
	if err == nil {
		err = db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
			r, changed, err = results.SubmitReport(c, tx, httpx.CurrentUser(c).Actor(), s.Config.Location, s.Now(), id, unitID, in)
			return err
		})
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(httpx.CreatedStatus(changed), r)
}

// APIReceiveRectification records the office's receipt of a unit's
// rectification report.
func (s *Handlers) APIReceiveRectification(c *gin.Context) {
	var in struct {
		Note string `json:"note"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return results.ReceiveReport(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, in.Note)
	})
}

// checkAppealer: only the unit's own staff apply for review of its result.
func checkAppealer(u users.User, unitID int64) error {
	if u.Role == users.RoleOffice {
		return apperr.New(apperr.Forbidden, "复核申请须由被考核单位提出")
	}
	if u.UnitID == nil || *u.UnitID != unitID {
		return apperr.New(apperr.Forbidden, "只能为本单位的考核结果申请复核")
	}
	return nil
}

// APIAnswerAppeal records the office's answer to an application for review.
func (s *Handlers) APIAnswerAppeal(c *gin.Context) {
	var in results.AnswerInput
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	appealID, err := httpx.IDParam(c, "appeal_id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return results.AnswerAppeal(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, appealID, in)
	})
}

// APIResultUses lists the use of the cycle's final results per unit (quotas,
// streaks, reports owed).
func (s *Handlers) APIResultUses(c *gin.Context) {
	id, err := httpx.IDParam(c, "id")
	if err != nil {
		s.APIError(c, err)
		return
	}
	list, err := results.Uses(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APISetStaffCount sets a unit's number of civil servants, which the use of
// results counts with.
func (s *Handlers) APISetStaffCount(c *gin.Context) {
	var in struct {
		StaffCount *int `json:"staff_count"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	unitID, err := httpx.IDParam(c, "unit_id")
	if err == nil && in.StaffCount == nil {
		err = apperr.InvalidField("staff_count", "请填写公务员人数")
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		if err := results.SetStaffCount(c, tx, httpx.CurrentUser(c).Actor(), s.Now(), id, unitID, *in.StaffCount); err != nil {
			return nil, err
		}
		return gin.H{"cycle_id": id, "unit_id": unitID, "staff_count": *in.StaffCount}, nil
	})
}
