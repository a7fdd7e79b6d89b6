package targetsapp

import (
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"minyi/internal/apperr"
	"minyi/internal/cycles"
	"minyi/internal/db"
	"minyi/internal/httpx"
	"minyi/internal/targets"
	"minyi/internal/units"
)

// visibleSheet loads the sheet with the id and checks that the user may
// see its unit; it returns not_found or forbidden.
func (s *Handlers) visibleSheet(c *gin.Context, id int64) (targets.Sheet, error) {
	sh, err := targets.FindSheet(c, s.Pool, id)
	if err != nil {
		return targets.Sheet{}, err
	}
	if !httpx.CurrentUser(c).CanSeeUnit(sh.UnitID) {
		return targets.Sheet{}, apperr.New(apperr.Forbidden, "无权查看或修改其他单位的目标责任书")
	}
	return sh, nil
}

// sheetFromPath is visibleSheet for the :id path parameter of the API,
// reading the JSON body into dst when dst is not nil; on failure it
// answers with the error.
func (s *Handlers) sheetFromPath(c *gin.Context, dst any) (targets.Sheet, bool) {
	id, ok := s.PathIDAndBody(c, dst)
	if !ok {
		return targets.Sheet{}, false
	}
	sh, err := s.visibleSheet(c, id)
	if err != nil {
		s.APIError(c, err)
		return targets.Sheet{}, false
	}
	return sh, true
}

// targetToday is the local date now.
func (s *Handlers) targetToday() string { return s.Now().In(s.Config.Location).Format("2006-01-02") }

// targetLine is a unit's line of a cycle's target list.
type targetLine struct {
	Unit     units.Unit            `json:"unit"`
	Sheet    *targets.SheetSummary `json:"sheet"`
	Warnings int                   `json:"warnings"`
}

// targetLines lists the units the user may see with their sheets of the
// cycle and warning counts.
func (s *Handlers) targetLines(c *gin.Context, cycleID int64) ([]targetLine, []targets.Warning, error) {
	scope := httpx.CurrentUser(c).UnitID
	list, err := units.ListUnits(c, s.Pool, scope)
	if err != nil {
		return nil, nil, err
	}
	sheets, err := targets.ListSheets(c, s.Pool, cycleID, scope)
	if err != nil {
		return nil, nil, err
	}
	warns, err := targets.Warnings(c, s.Pool, cycleID, targets.WarningFilter{UnitID: scope}, s.Now(), s.Config.Location)
	if err != nil {
		return nil, nil, err
	}
	count := map[int64]int{}
	for _, w := range warns {
		count[w.UnitID]++
	}
	out := make([]targetLine, 0, len(list))
	for _, u := range list {
		l := targetLine{Unit: u, Warnings: count[u.ID]}
		if sh, ok := sheets[u.ID]; ok {
			l.Sheet = &sh
		}
		out = append(out, l)
	}
	return out, warns, nil
}

// APIListTargets lists the units the user may see with their sheets of the
// :id cycle and warning counts.
func (s *Handlers) APIListTargets(c *gin.Context) {
	id, ok := s.PathIDAndBody(c, nil)
	if !ok {
		return
	}
	cy, err := cycles.FindCycle(c, s.Pool, id)
	if err != nil {
		s.APIError(c, err)
		return
	}
	lines, _, err := s.targetLines(c, cy.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"cycle_id": cy.ID, "items": lines})
}

// APICreateTarget creates a unit's sheet of the :id cycle (201), or returns
// the existing one (200).
func (s *Handlers) APICreateTarget(c *gin.Context) {
	var in struct {
		UnitID int64 `json:"unit_id"`
	}
	id, ok := s.PathIDAndBody(c, &in)
	if !ok {
		return
	}
	if in.UnitID == 0 && httpx.CurrentUser(c).UnitID != nil {
		in.UnitID = *httpx.CurrentUser(c).UnitID
	}
	if in.UnitID == 0 {
		s.APIError(c, apperr.InvalidField("unit_id", "请选择单位"))
		return
	}
	if err := httpx.CanSeeUnit(httpx.CurrentUser(c), in.UnitID); err != nil {
		s.APIError(c, err)
		return
	}
	var sh targets.Sheet
	var created bool
	err := db.Tx(c, s.Pool, func(tx pgx.Tx) (err error) {
		sh, created, err = targets.CreateSheet(c, tx, httpx.CurrentUser(c).Actor(), id, in.UnitID, s.Now())
		return err
	})
	if err != nil {
		s.APIError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, sh)
}

// APIGetTarget returns the :id sheet.
func (s *Handlers) APIGetTarget(c *gin.Context) {
	if sh, ok := s.sheetFromPath(c, nil); ok {
		c.JSON(http.StatusOK, sh)
	}
}

// lockInput is the optimistic-lock field of a write.
type lockInput struct {
	LockVersion int `json:"lock_version"`
}

// APISaveTarget saves a draft sheet's indicators.
func (s *Handlers) APISaveTarget(c *gin.Context) {
	var in struct {
		lockInput
		Indicators []targets.IndicatorInput `json:"indicators"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.SaveDraft(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Indicators, s.Now())
	})
}

// APISubmitTarget submits the :id sheet for the office's review.
func (s *Handlers) APISubmitTarget(c *gin.Context) {
	var in lockInput
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Submit(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, s.Now())
	})
}

// APIReturnTarget returns the :id sheet to its unit with comments, overall
// and per indicator.
func (s *Handlers) APIReturnTarget(c *gin.Context) {
	var in struct {
		lockInput
		Comment string `json:"comment"`
		// IndicatorComments maps indicator ids (as strings) to comments.
		IndicatorComments map[string]string `json:"indicator_comments"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	per := map[int64]string{}
	for k, v := range in.IndicatorComments {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil {
			s.APIError(c, apperr.InvalidField("indicator_comments", "指标意见须以指标 id 为键"))
			return
		}
		per[id] = v
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Return(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Comment, per, s.Now())
	})
}

// APIApproveTarget approves the :id sheet and publishes its first version.
func (s *Handlers) APIApproveTarget(c *gin.Context) {
	var in lockInput
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
		return targets.Approve(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, s.Now())
	})
}

// APITargetVersions lists the published versions of the :id sheet.
func (s *Handlers) APITargetVersions(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListVersions(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APITargetVersion returns one published version of the :id sheet.
func (s *Handlers) APITargetVersion(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	n, err := httpx.IDParam(c, "version")
	if err == nil && n > math.MaxInt32 {
		err = httpx.ErrNotFound
	}
	var v targets.Version
	if err == nil {
		v, err = targets.FindVersion(c, s.Pool, sh.ID, int(n))
	}
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// APITargetChangeRequests lists the change requests of the :id sheet.
func (s *Handlers) APITargetChangeRequests(c *gin.Context) {
	sh, ok := s.sheetFromPath(c, nil)
	if !ok {
		return
	}
	list, err := targets.ListChangeRequests(c, s.Pool, sh.ID)
	if err != nil {
		s.APIError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
}

// APIRequestTargetChange files a change request against the :id approved sheet.
func (s *Handlers) APIRequestTargetChange(c *gin.Context) {
	var in struct {
		lockInput
		Reason     string                   `json:"reason"`
		Indicators []targets.IndicatorInput `json:"indicators"`
	}
	sh, ok := s.sheetFromPath(c, &in)
	if !ok {
		return
	}
	s.APITx(c, http.StatusCreated, func(tx pgx.Tx) (any, error) {
		return targets.RequestChange(c, tx, httpx.CurrentUser(c).Actor(), sh.ID, in.LockVersion, in.Reason, in.Indicators, s.Now())
	})
}

// APIDecideTargetChange approves (approve true) or rejects a change request.
func (s *Handlers) APIDecideTargetChange(approve bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct {
			Comment string `json:"comment"`
		}
		id, ok := s.PathIDAndBody(c, &in)
		if !ok {
			return
		}
		s.APITx(c, http.StatusOK, func(tx pgx.Tx) (any, error) {
			return targets.DecideChange(c, tx, httpx.CurrentUser(c).Actor(), id, approve, in.Comment, s.Now())
		})
	}
}
